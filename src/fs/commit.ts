import { renameSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, relative } from 'node:path';
import { syncDir, tempPathFor, tempWriter, writeDurable } from './atomic.js';

/** A file ready to appear: its content is durable in a temp file beside it; nothing is visible yet. Paths are relative to the root. */
export interface StagedFile {
  readonly path: string;
  readonly temp: string;
}

/** Where a commit stands; a test stops the writer at each of these as kill -9 would (`CommitOptions.at`). */
export type CommitStep = 'staged' | 'decided' | 'replaced' | 'done';

export interface CommitOptions {
  /** Asked once, synchronously, at the decision point: false leaves every file as it was. */
  readonly proceed: () => boolean;
  /** Test seam, called after each step (`replaced` once per file, with its path). */
  readonly at?: (step: CommitStep, path?: string) => Promise<void> | void;
}

/**
 * Writes `content` to a temp sibling of `path` and syncs it; refuses a directory in the way (a rename over it
 * would fail after the decision point, where nothing may fail for a reason known before it).
 */
export async function stageFile(root: string, path: string, content: string, mode = 0o644): Promise<StagedFile> {
  const full = join(root, path);
  if ((await stat(full).catch(() => undefined))?.isDirectory()) throw new Error(`${path} is a directory`);
  await mkdir(dirname(full), { recursive: true });
  const temp = tempPathFor(full);
  await writeDurable(temp, content, mode);
  return { path, temp: relative(root, temp) };
}

export async function discardStaged(root: string, staged: readonly StagedFile[]): Promise<void> {
  for (const file of staged) await rm(join(root, file.temp), { force: true });
}

/**
 * Makes several staged files visible as one change, or none of them: the tfvars and the manifest live in two
 * directories, and no rename(2) replaces two files at once. A journal naming each temp file and its target is
 * written and synced under a temp name; renaming it into place is the decision point. Before that rename nothing
 * is visible and a crash leaves only temp files of a dead writer (removed by the next run); after it every file is
 * replaced, and a crash part-way is completed by the next run (`recoverCommit`), which holds the project lock.
 *
 * `proceed` and the journal's rename run in one synchronous step: no signal handler can run between the check and
 * the rename, so a signal lands either before the decision (nothing is written) or after it (everything is).
 * Returns whether the files were committed.
 */
export async function commitStaged(root: string, journal: string, staged: readonly StagedFile[], options: CommitOptions): Promise<boolean> {
  const journalPath = join(root, journal);
  const journalTemp = tempPathFor(journalPath);
  try {
    await mkdir(dirname(journalPath), { recursive: true });
    await writeDurable(journalTemp, `${JSON.stringify({ version: 1, files: staged }, null, 2)}\n`, 0o644);
    await options.at?.('staged');
    if (!options.proceed()) {
      await rm(journalTemp, { force: true });
      await discardStaged(root, staged);
      return false;
    }
    renameSync(journalTemp, journalPath);
  } catch (e: unknown) {
    await rm(journalTemp, { force: true });
    await discardStaged(root, staged);
    throw e;
  }
  await syncDir(dirname(journalPath));
  await options.at?.('decided');
  await complete(root, journal, staged, options.at);
  return true;
}

/**
 * Completes a commit that a killed run had decided but not finished (run under the project lock, before anything
 * reads the outputs). Returns the paths it completed; none when there was no journal.
 */
export async function recoverCommit(root: string, journal: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(root, journal), 'utf8');
  } catch (e: unknown) {
    // ENOTDIR: a file where the directory should be; the output check names it.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
  const files = parseJournal(text);
  if (files === undefined)
    throw new Error(`${journal} is not a journal build-images wrote; remove it, check the tfvars and the manifest, and run again`);
  await complete(root, journal, files);
  return files.map((f) => f.path);
}

/** Replaces each target by its temp file (one already moved is skipped: a crash may come between any two). */
async function complete(root: string, journal: string, files: readonly StagedFile[], at?: CommitOptions['at']): Promise<void> {
  const dirs = new Set<string>();
  for (const file of files) {
    try {
      await rename(join(root, file.temp), join(root, file.path));
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(
          `could not replace ${file.path} (${e instanceof Error ? e.message : String(e)}); the next run completes it from ${journal}`,
        );
    }
    dirs.add(dirname(join(root, file.path)));
    await at?.('replaced', file.path);
  }
  for (const dir of dirs) await syncDir(dir);
  await rm(join(root, journal), { force: true });
  await syncDir(dirname(join(root, journal)));
  await at?.('done');
}

/** Only what commitStaged writes: relative paths inside the root, each temp file a temp sibling of its target. */
function parseJournal(text: string): StagedFile[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const files = (parsed as { version?: unknown; files?: unknown }).files;
  if ((parsed as { version?: unknown }).version !== 1 || !Array.isArray(files)) return undefined;
  const inside = (p: unknown): p is string => typeof p === 'string' && !isAbsolute(p) && !normalize(p).startsWith('..');
  const ok = files.every(
    (f: { path?: unknown; temp?: unknown }) =>
      inside(f.path) &&
      inside(f.temp) &&
      dirname(f.temp) === dirname(f.path) &&
      tempWriter(basename(f.temp)) !== undefined &&
      basename(f.temp).startsWith(`.${basename(f.path)}.`),
  );
  return ok ? (files as StagedFile[]) : undefined;
}
