import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * One run per project directory: `.build-images/lock` holds the owner's pid, host and start time.
 * A lock whose process is gone (same host) is stale and taken over; a live one refuses the run.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

export type LockResult =
  | { readonly ok: true; readonly release: () => Promise<void>; readonly recovered?: LockOwner }
  | { readonly ok: false; readonly message: string };

export const lockPath = (root: string): string => join(root, '.build-images', 'lock');

export async function acquireLock(root: string, command: string, isAlive: (pid: number) => boolean = processAlive): Promise<LockResult> {
  const path = lockPath(root);
  await mkdir(dirname(path), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  let recovered: LockOwner | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      const release = async (): Promise<void> => {
        // Only remove our own lock: a stale-lock takeover by someone else must not be undone.
        const current = await readOwner(path);
        if (current?.pid === me.pid && current.host === me.host) await rm(path, { force: true });
      };
      return recovered ? { ok: true, release, recovered } : { ok: true, release };
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = await readOwner(path);
    const stale = owner === undefined || (owner.host === me.host && !isAlive(owner.pid));
    if (!stale) {
      return {
        ok: false,
        message: `another build-images run holds ${path} (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}: ${owner.command}). Wait for it to finish; if that process is gone, delete the lock file.`,
      };
    }
    recovered = owner;
    await rm(path, { force: true });
  }
  return { ok: false, message: `could not take ${path}: another run keeps re-creating it` };
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists on this host (EPERM: it exists, but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
