import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { replaceDirContents } from '../fs/atomic-dir.js';
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

/**
 * Writes what changed and removes templates of images no longer in the config, as one atomic change
 * of the template directory per run (fs/atomic-dir.ts): a crash leaves the old set or the new one,
 * and the run pays for one round of syncs rather than one fsync per template.
 */
export async function writeGenerated(root: string, dir: string, files: readonly GeneratedFile[]): Promise<WriteSummary> {
  const current = await readCurrent(root, files);
  const written: string[] = [];
  const unchanged: string[] = [];
  files.forEach((file, i) => (current[i] === file.content ? unchanged : written).push(file.path));
  const removed = await orphans(root, dir, files);
  if (written.length > 0 || removed.length > 0) {
    const byPath = new Map(files.map((f) => [f.path, f.content]));
    await replaceDirContents(join(root, dir), {
      write: new Map(written.map((path) => [nameIn(dir, path), byPath.get(path)!])),
      remove: removed.map((path) => nameIn(dir, path)),
    });
  }
  return { written, unchanged, removed };
}

/** A template's file name in `dir`; every generated file sits directly in its target's directory. */
function nameIn(dir: string, path: string): string {
  const name = path.slice(dir.length + 1);
  if (!path.startsWith(`${dir}/`) || name.includes('/')) throw new Error(`bug: generated file ${path} is not directly in ${dir}/`);
  return name;
}

/**
 * Each file's current text (undefined when missing). One readdir per directory, then only the files that
 * exist, read on the main thread: small files in the page cache take microseconds, less than a round trip
 * through libuv's thread pool, and a first `generate` opens nothing.
 */
async function readCurrent(root: string, files: readonly GeneratedFile[]): Promise<(string | undefined)[]> {
  const listed = new Map<string, Set<string>>();
  for (const dir of new Set(files.map((f) => dirname(join(root, f.path))))) {
    listed.set(dir, new Set(await readdir(dir).catch(() => [])));
  }
  return files.map((f) => {
    const path = join(root, f.path);
    if (!listed.get(dirname(path))?.has(basename(path))) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  });
}

/** What `generate --check` reports: one line per stale, missing or orphaned template. Empty means up to date. */
export async function checkGenerated(root: string, dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const problems: string[] = [];
  const current = await readCurrent(root, files);
  files.forEach((file, i) => {
    if (current[i] === undefined) problems.push(`${file.path}: missing`);
    else if (current[i] !== file.content) problems.push(`${file.path}: out of date`);
  });
  for (const path of await orphans(root, dir, files)) problems.push(`${path}: no longer in the config`);
  return problems;
}
