import { randomBytes } from 'node:crypto';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pidAlive, tempWriter } from '../fs/atomic.js';

/** The journal that makes the tfvars and the manifest appear together (src/fs/commit.ts). */
export const outputsJournal = (target: string): string => join('.build-images', target, 'outputs.journal.json');

/**
 * Every place a run writes, checked before anything is built: a directory that cannot be created or written
 * (read-only mount, full disk, a file in the way) used to be found after every build had run, with an
 * "unexpected" ENOSPC and no path. Each directory gets a probe file written, synced and removed; each output
 * file must not be a directory. Returns why not, naming the path (relative to the project root), or undefined.
 */
export async function checkOutputsWritable(root: string, files: readonly string[]): Promise<string | undefined> {
  for (const file of files) {
    // Probe the nearest directory that exists: a check creates nothing (a rejected run writes nothing).
    let dir = dirname(file);
    let info = await stat(join(root, dir)).catch(() => undefined);
    while (info === undefined && dir !== '.') {
      dir = dirname(dir);
      info = await stat(join(root, dir)).catch(() => undefined);
    }
    if (info !== undefined && !info.isDirectory()) return `cannot write ${file}: ${dir} is a file, not a directory`;
    const probe = join(root, dir, `.build-images-probe.${randomBytes(6).toString('hex')}`);
    try {
      const handle = await open(probe, 'wx');
      try {
        await handle.writeFile('probe\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (e: unknown) {
      return `cannot write to ${dir === '.' ? 'the project directory' : `${dir}/`} (needed for ${file}): ${reason(e)}`;
    } finally {
      await rm(probe, { force: true }).catch(() => undefined);
    }
    const target = await stat(join(root, file)).catch(() => undefined);
    if (target?.isDirectory()) return `cannot write ${file}: it is a directory`;
  }
  return undefined;
}

/**
 * What a killed run (kill -9, a closed terminal) left in the directories only runs of this project write, the
 * caller holding the project lock: temp files of writers that are gone (the pid in the name; this process's own
 * pid counts as gone, since this run has written none yet and a container may give every run the same pid), and
 * provisioner env files, which hold variable and secret values. Returns the paths removed (relative).
 */
export async function removeLeftovers(
  root: string,
  dirs: readonly string[],
  envDir: string,
  alive: (pid: number) => boolean = pidAlive,
): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    for (const name of await readdir(join(root, dir)).catch(() => [] as string[])) {
      const writer = tempWriter(name);
      if (writer === undefined || (writer !== 0 && writer !== process.pid && alive(writer))) continue;
      await rm(join(root, dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  for (const name of await readdir(join(root, envDir)).catch(() => [] as string[])) {
    await rm(join(root, envDir, name), { force: true, recursive: true });
    removed.push(join(envDir, name));
  }
  return removed;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a file is in the way of a directory',
    EEXIST: 'a file is in the way of a directory',
    EDQUOT: 'disk quota exceeded',
  };
  return (code && words[code]) ?? (e instanceof Error ? e.message : String(e));
}
