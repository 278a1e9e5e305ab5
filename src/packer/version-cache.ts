import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What `packer version` printed, kept per executable: the probe costs 0.1-0.25 s of wall time here (Packer
 * 1.6.6 re-executes itself under panicwrap and runs `uname` three times in each process, seen with
 * `strace -f -e execve`), which on a no-op build of the reference tree was the last thing the run waited
 * for. The key is the executable's identity as the file system gives it: real path, inode, size, mtime
 * and ctime (ctime cannot be set back by any tool), so an upgraded, replaced or rebuilt binary is asked
 * again. One file per key (no read-modify-write between concurrent runs), written to a temp name and renamed.
 * Anything that fails here (no HOME, a read-only cache) just means asking Packer.
 */
export interface VersionCache {
  get(executablePath: string): Promise<string | undefined>;
  set(executablePath: string, output: string): Promise<void>;
}

/** $XDG_CACHE_HOME/build-images, else ~/.cache/build-images (the XDG base directory default). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'build-images');
  const home = env['HOME'] ?? safeHome();
  return home === undefined || home === '' ? undefined : join(home, '.cache', 'build-images');
}

export function versionCache(dir: string | undefined = defaultCacheDir()): VersionCache {
  const file = async (executablePath: string): Promise<string | undefined> => {
    if (dir === undefined) return undefined;
    const info = await stat(executablePath, { bigint: true });
    const key = [executablePath, info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join('\0');
    return join(dir, `packer-version-${createHash('sha256').update(key).digest('hex').slice(0, 24)}.txt`);
  };
  return {
    async get(executablePath) {
      try {
        const path = await file(executablePath);
        return path === undefined ? undefined : await readFile(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    async set(executablePath, output) {
      try {
        const path = await file(executablePath);
        if (path === undefined) return;
        await mkdir(dir!, { recursive: true });
        const temp = `${path}.${process.pid}.tmp`;
        await writeFile(temp, output);
        await rename(temp, path);
      } catch {
        // Not cached: the next run asks Packer again.
      }
    },
  };
}

function safeHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
