import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { GENERATED_HEADER } from '../packer/render-docker.js';
import type { GeneratedFile } from '../targets/target.js';

export type { GeneratedFile };

export async function hasProvisionerLib(root: string): Promise<boolean> {
  try {
    return (await stat(join(root, 'provisioners', 'lib'))).isDirectory();
  } catch {
    return false;
  }
}

/** Templates we generated earlier for images that are gone: files in `dir` that carry our header. */
async function orphans(root: string, dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  const wanted = new Set(files.map((f) => f.path));
  const out: string[] = [];
  for (const entry of await readdir(absolute)) {
    const path = `${dir}/${entry}`;
    if (!entry.endsWith('.pkr.hcl') || wanted.has(path)) continue;
    const text = await readFile(join(root, path), 'utf8');
    if (text.startsWith(GENERATED_HEADER)) out.push(path);
  }
  return out.sort();
}

export interface WriteSummary {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/** Writes what changed (atomically) and removes templates of images no longer in the config. */
export async function writeGenerated(root: string, dir: string, files: readonly GeneratedFile[]): Promise<WriteSummary> {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const current = await readFile(join(root, file.path), 'utf8').catch(() => undefined);
    if (current === file.content) {
      unchanged.push(file.path);
      continue;
    }
    await writeFileAtomic(join(root, file.path), file.content);
    written.push(file.path);
  }
  const removed = await orphans(root, dir, files);
  for (const path of removed) await rm(join(root, path));
  return { written, unchanged, removed };
}

/** What `generate --check` reports: one line per stale, missing or orphaned template. Empty means up to date. */
export async function checkGenerated(root: string, dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    const current = await readFile(join(root, file.path), 'utf8').catch(() => undefined);
    if (current === undefined) problems.push(`${file.path}: missing`);
    else if (current !== file.content) problems.push(`${file.path}: out of date`);
  }
  for (const path of await orphans(root, dir, files)) problems.push(`${path}: no longer in the config`);
  return problems;
}
