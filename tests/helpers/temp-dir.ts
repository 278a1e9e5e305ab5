import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A file's text, a symlink, or (for a key ending in "/") an empty directory. */
export type Entry = string | { readonly symlink: string };

/**
 * Test rig: a fresh directory holding `files` (paths relative to it). The directory is
 * a realpath so that paths computed from it match what the code under test sees.
 */
export async function tempDir(files: Readonly<Record<string, Entry>>): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'build-images-test-')));
  await addFiles(dir, files);
  created.push(dir);
  return dir;
}

export async function addFiles(dir: string, files: Readonly<Record<string, Entry>>): Promise<void> {
  for (const [name, entry] of Object.entries(files)) {
    const target = path.join(dir, name);
    if (name.endsWith('/')) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    if (typeof entry === 'string') await writeFile(target, entry);
    else await symlink(entry.symlink, target);
  }
}

const created: string[] = [];

/** For afterEach/afterAll: removes every directory tempDir made. */
export async function removeTempDirs(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}
