import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import { removeLeftovers } from '../engine/outputs.js';
import { commitStaged, recoverCommit, stageFile, type CommitStep } from './commit.js';

afterEach(removeTempDirs);

const JOURNAL = 'state/outputs.journal.json';
const A = 'out/a.json';
const B = 'state/b.json';

const read = async (root: string) => `${await readFile(join(root, A), 'utf8')}+${await readFile(join(root, B), 'utf8')}`;
const listing = async (root: string) => [...(await readdir(join(root, 'out'))), ...(await readdir(join(root, 'state')))].sort();

describe('commitStaged: two files in two directories appear together or not at all', () => {
  // The writer is stopped for good at a step (a promise that never settles), as kill -9 would stop it; then the
  // next run does what build does first, under the lock: complete a decided commit, remove dead writers' temp files.
  it.each<{ stop: CommitStep | 'second replaced'; after: 'old+old' | 'new+new' }>([
    { stop: 'staged', after: 'old+old' },
    { stop: 'decided', after: 'new+new' },
    { stop: 'replaced', after: 'new+new' },
    { stop: 'second replaced', after: 'new+new' },
  ])('a writer killed after "$stop": the next run sees $after', async ({ stop, after }) => {
    const root = await tempDir({ [A]: 'old', [B]: 'old' });
    const staged = [await stageFile(root, A, 'new'), await stageFile(root, B, 'new')];
    let replaced = 0;
    let stopped!: () => void;
    const reached = new Promise<void>((resolve) => (stopped = resolve));
    void commitStaged(root, JOURNAL, staged, {
      proceed: () => true,
      at: (step) => {
        if (step === 'replaced') replaced++;
        if (step === stop || (stop === 'second replaced' && step === 'replaced' && replaced === 2)) {
          stopped();
          return new Promise<void>(() => undefined);
        }
      },
    });
    await reached;
    expect(await recoverCommit(root, JOURNAL)).toEqual(stop === 'staged' ? [] : [A, B]);
    await removeLeftovers(root, ['out', 'state'], 'env');
    expect(await read(root)).toBe(after);
    expect(await listing(root)).toEqual(['a.json', 'b.json']);
  });

  it('proceed() false at the decision point: nothing changes, the temp files go', async () => {
    const root = await tempDir({ [A]: 'old', [B]: 'old' });
    const staged = [await stageFile(root, A, 'new'), await stageFile(root, B, 'new')];
    expect(await commitStaged(root, JOURNAL, staged, { proceed: () => false })).toBe(false);
    expect(await read(root)).toBe('old+old');
    expect(await listing(root)).toEqual(['a.json', 'b.json']);
  });

  it('a journal it did not write is refused, naming it, and nothing is renamed', async () => {
    const root = await tempDir({ [A]: 'old', [B]: 'old', 'out/.a.json.1-0a1b2c3d4e5f.tmp': 'x' });
    await writeFile(join(root, JOURNAL), JSON.stringify({ version: 1, files: [{ path: A, temp: '../../etc/passwd' }] }));
    await expect(recoverCommit(root, JOURNAL)).rejects.toThrow(
      'state/outputs.journal.json is not a journal build-images wrote; remove it, check the tfvars and the manifest, and run again',
    );
    expect(await read(root)).toBe('old+old');
  });
});
