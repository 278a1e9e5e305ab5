import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, warn, type CheckResult } from './check.js';
import type { LockFacts } from './lock.js';

/**
 * Where a build keeps files that hold variable and secret values while it runs, relative to the project root:
 * the provisioner env files, and Packer's temp dirs (PACKER_TMP_DIR, src/targets/docker/build-image.ts). A run
 * removes them when it ends; a killed one (kill -9, issue 13 #6) cannot, and the next build removes them.
 */
export const leftoverDirs = (target: string): string[] => [
  join('.build-images', target, 'env'),
  join('.build-images', target, 'packer-tmp'),
];

/** What is in those directories now, as project-relative paths. */
export async function probeLeftovers(root: string, target: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of leftoverDirs(target)) {
    for (const name of await readdir(join(root, dir)).catch(() => [] as string[])) found.push(join(dir, name));
  }
  return found.sort();
}

/** While a live run holds the lock, the files are its own; otherwise a killed run left them. */
export function leftoversCheck(found: readonly string[], lock: LockFacts): CheckResult {
  const name = 'left-over files';
  if (lock.kind === 'held' && lock.alive !== false) return ok(name, 'not judged: a run holds the lock, and these are its files');
  if (found.length === 0) return ok(name, 'no build environment files or Packer temp files left by killed runs');
  return warn(
    name,
    `${found.length} left by a killed run, holding its builds' environment (variables, secrets): ${found.join(', ')}`,
    `the next \`build-images build\` removes them before building; or delete them now`,
  );
}
