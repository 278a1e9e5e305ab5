import { execFileSync, spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import { dirtyKb, replaceDirContents } from './atomic-dir.js';

afterEach(removeTempDirs);

const contents = async (dir: string): Promise<Record<string, string>> =>
  Object.fromEntries(await Promise.all((await readdir(dir)).sort().map(async (n) => [n, await readFile(join(dir, n), 'utf8')])));
const changes = (write: Record<string, string>, remove: string[] = []) => ({ write: new Map(Object.entries(write)), remove });

describe('replaceDirContents', () => {
  it.each<{
    name: string;
    before: Record<string, string> | undefined;
    write: Record<string, string>;
    remove: string[];
    after: Record<string, string>;
  }>([
    { name: 'creates a missing directory', before: undefined, write: { 'a.hcl': 'A' }, remove: [], after: { 'a.hcl': 'A' } },
    {
      name: 'replaces, keeps and removes',
      before: { 'a.hcl': 'old A', 'b.hcl': 'B', 'c.hcl': 'C' },
      write: { 'a.hcl': 'new A', 'd.hcl': 'D' },
      remove: ['c.hcl'],
      after: { 'a.hcl': 'new A', 'b.hcl': 'B', 'd.hcl': 'D' },
    },
    { name: 'removes only', before: { 'a.hcl': 'A', 'b.hcl': 'B' }, write: {}, remove: ['a.hcl'], after: { 'b.hcl': 'B' } },
  ])('$name, leaving nothing beside it', async ({ before, write, remove, after }) => {
    const root = await tempDir({});
    const dir = join(root, 'packer', 'docker');
    if (before) {
      await mkdir(dir, { recursive: true });
      for (const [n, c] of Object.entries(before)) await writeFile(join(dir, n), c);
    }
    await replaceDirContents(dir, changes(write, remove));
    expect(await contents(dir)).toEqual(after);
    expect(await readdir(join(root, 'packer'))).toEqual(['docker']);
  });

  it('keeps what it does not own: a subdirectory and a symlink', async () => {
    const root = await tempDir({ 'packer/docker/a.hcl': 'A', 'packer/docker/notes/readme.txt': 'mine', 'elsewhere.txt': 'x' });
    const dir = join(root, 'packer', 'docker');
    await symlink('../../elsewhere.txt', join(dir, 'link.txt'));
    await replaceDirContents(dir, changes({ 'a.hcl': 'A2' }));
    expect(await readFile(join(dir, 'notes', 'readme.txt'), 'utf8')).toBe('mine');
    expect(await readlink(join(dir, 'link.txt'))).toBe('../../elsewhere.txt');
    expect(await readFile(join(dir, 'a.hcl'), 'utf8')).toBe('A2');
  });

  it('changes nothing when it fails before the swap (a FIFO it cannot carry over), and returns what it moved', async () => {
    const root = await tempDir({ 'packer/docker/a.hcl': 'A', 'packer/docker/sub/x.txt': 'x' });
    const dir = join(root, 'packer', 'docker');
    execFileSync('mkfifo', [join(dir, 'zz-fifo')]);
    await expect(replaceDirContents(dir, changes({ 'a.hcl': 'A2', 'b.hcl': 'B' }))).rejects.toThrow(
      /zz-fifo: not a file, directory or symlink/,
    );
    expect((await readdir(dir)).sort()).toEqual(['a.hcl', 'sub', 'zz-fifo']);
    expect(await readFile(join(dir, 'a.hcl'), 'utf8')).toBe('A');
    expect(await readFile(join(dir, 'sub', 'x.txt'), 'utf8')).toBe('x');
    expect(await readdir(join(root, 'packer'))).toEqual(['docker']);
  });

  it('after a crash between the two renames, puts the old directory back first', async () => {
    // A dead run's leftovers: the directory renamed away, and its half-made staging directory.
    const deadPid = 2 ** 22 + 17;
    const root = await tempDir({
      [`packer/.docker.old-${deadPid}-aaaa/a.hcl`]: 'A',
      [`packer/.docker.old-${deadPid}-aaaa/b.hcl`]: 'B',
      [`packer/.docker.staging-${deadPid}-aaaa/a.hcl`]: 'half',
    });
    const dir = join(root, 'packer', 'docker');
    await replaceDirContents(dir, changes({ 'c.hcl': 'C' }));
    expect(await contents(dir)).toEqual({ 'a.hcl': 'A', 'b.hcl': 'B', 'c.hcl': 'C' });
    expect(await readdir(join(root, 'packer'))).toEqual(['docker']);
  });

  it("leaves a live run's staging directory alone", async () => {
    const root = await tempDir({ [`packer/.docker.staging-${process.ppid}-bbbb/a.hcl`]: 'theirs' });
    await replaceDirContents(join(root, 'packer', 'docker'), changes({ 'a.hcl': 'A' }));
    expect((await readdir(join(root, 'packer'))).sort()).toEqual([`.docker.staging-${process.ppid}-bbbb`, 'docker']);
  });

  it('writes 2,000 files with mode 0644', async () => {
    const root = await tempDir({});
    const dir = join(root, 'many');
    const write = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`t${i}.pkr.hcl`, `template ${i}\n`]));
    await replaceDirContents(dir, changes(write));
    expect(await readdir(dir)).toHaveLength(2000);
    expect(await readFile(join(dir, 't1999.pkr.hcl'), 'utf8')).toBe('template 1999\n');
    expect((await stat(join(dir, 't0.pkr.hcl'))).mode & 0o777).toBe(0o644);
  });

  it('refuses a path for a file name, as a bug', async () => {
    const root = await tempDir({});
    await expect(replaceDirContents(join(root, 'd'), changes({ '../escape': 'x' }))).rejects.toThrow(/bug: not a file name/);
  });

  it('reads Dirty + Writeback from /proc/meminfo text, and Infinity when it cannot', () => {
    expect(dirtyKb('MemFree:  123 kB\nDirty:             104 kB\nWriteback:          28 kB\nWritebackTmp: 0 kB\n')).toBe(132);
    expect(dirtyKb('MemFree: 1 kB\n')).toBe(Infinity);
  });

  // The syscalls themselves, counted by strace in a child process (the module bundled by esbuild, as the CLI is):
  // one syncfs for a large set instead of one fsync per file, and per-file fsyncs when the page cache is busy.
  const strace = spawnSync('strace', ['-V']).status === 0;
  if (!strace && process.env.CI !== 'true') console.log('skipping the syscall-count tests: no strace');
  it.skipIf(!strace && process.env.CI !== 'true').each([
    { policy: 'one syncfs for 100 files', maxDirtyKb: Number.MAX_SAFE_INTEGER, syncfs: 1, fsync: 1 },
    // 100 files, the staging directory, the parent after the renames.
    { policy: 'one fsync per file when the page cache is busy', maxDirtyKb: -1, syncfs: 0, fsync: 102 },
  ])('$policy (strace -c -f)', async ({ maxDirtyKb, syncfs, fsync }) => {
    const root = await tempDir({ 'packer/docker/keep.hcl': 'K' });
    const script = join(root, 'run.mjs');
    buildSync({
      stdin: {
        contents: `import { replaceDirContents } from './atomic-dir.ts';
          const write = new Map(Array.from({ length: 100 }, (_, i) => ['t' + i + '.pkr.hcl', 'template ' + i + '\\n']));
          await replaceDirContents(process.argv[2], { write, remove: [] }, { maxDirtyKb: ${maxDirtyKb} });`,
        resolveDir: import.meta.dirname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    const counts = join(root, 'strace.txt');
    const dir = join(root, 'packer', 'docker');
    const run = spawnSync('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync,syncfs', '-o', counts, process.execPath, script, dir], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const calls = (name: string) =>
      Number(
        new RegExp(`^\\s*[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?${name}$`, 'm').exec(readFileSync(counts, 'utf8'))?.[1] ?? 0,
      );
    expect({ syncfs: calls('syncfs'), fsync: calls('fsync'), fdatasync: calls('fdatasync') }).toEqual({ syncfs, fsync, fdatasync: 0 });
    expect(await readdir(dir)).toHaveLength(101);
    expect(await readFile(join(dir, 't99.pkr.hcl'), 'utf8')).toBe('template 99\n');
  });
});
