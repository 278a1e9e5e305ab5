import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The temporary sibling a write goes through: `.<name>.<pid>-<12 hex>.tmp`. The writer's pid is in the name
 * so that a later run removes only the temp files of writers that are gone (kill -9 leaves them behind),
 * never those of one still writing.
 */
export const tempPathFor = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);

/** Temp files as named above, and as named before the pid was added (`.<name>.<12 hex>.tmp`, always a dead writer's). */
const TEMP = /^\..+\.(?:(\d+)-)?[0-9a-f]{12}\.tmp$/;

/** For a file name in a directory: undefined when it is no temp file of ours, else the pid that wrote it (0: unknown, an older version's). */
export function tempWriter(name: string): number | undefined {
  const match = TEMP.exec(name);
  if (!match) return undefined;
  return match[1] === undefined ? 0 : Number(match[1]);
}

/** Whether a process with this pid runs on this host (EPERM: it does, as another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Writes a temp file and makes it durable; it is removed again when that fails. */
export async function writeDurable(temp: string, content: string, mode: number): Promise<void> {
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e: unknown) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** fsync on a directory: makes the renames and removals in it durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a partial file:
 * write a temporary sibling, fsync it, rename it over the target.
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  await writeDurable(temp, content, mode);
  try {
    await rename(temp, path);
  } catch (e: unknown) {
    await rm(temp, { force: true });
    throw e;
  }
}
