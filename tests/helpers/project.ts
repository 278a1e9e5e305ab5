import { mkdtemp, mkdir, writeFile, cp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'build-images');

/** A throwaway project directory: files given as path → content; scripts under provisioners/ are made executable. */
export async function makeProject(files: Record<string, string>, copyFromRepo: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'build-images-test-'));
  made.push(dir);
  for (const path of copyFromRepo) await cp(join(REPO, path), join(dir, path), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
    if (path.endsWith('.sh')) await chmod(join(dir, path), 0o755);
  }
  return dir;
}

const made: string[] = [];

/** For afterAll: removes every directory makeProject made in this test file. */
export async function removeProjects(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Runs the real CLI (compiled by `npm test`'s build step) in `cwd`. */
export function runCli(cwd: string, args: readonly string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { ...env, NO_COLOR: '1' }, all: true });
}
