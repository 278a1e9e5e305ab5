import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDirty, readGitState } from './git.js';

/** A real git repository: "dirty" is git's judgement (index, ignores), so it is asked, not imitated. */
describe('readGitState', () => {
  let dir: string;
  const git = (...args: string[]) => execa('git', args, { cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fresh-git-'));
    await git('init', '-q', '-b', 'main');
    await mkdir(join(dir, 'project', 'provisioners'), { recursive: true });
    await writeFile(join(dir, 'project', 'images.yaml'), 'version: 1\n');
    await writeFile(join(dir, 'project', 'provisioners', 'base.sh'), 'echo base\n');
    await writeFile(join(dir, 'elsewhere.txt'), 'x\n');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the commit of a clean tree', async () => {
    const head = (await git('rev-parse', 'HEAD')).stdout;
    expect(await readGitState(join(dir, 'project'))).toEqual({ commit: head, dirty: false });
  });

  it('ignores the tool’s own outputs and changes outside the project root', async () => {
    await mkdir(join(dir, 'project', '.build-images', 'docker'), { recursive: true });
    await writeFile(join(dir, 'project', '.build-images', 'docker', 'manifest.json'), '{}\n');
    await mkdir(join(dir, 'project', 'terraform', 'docker'), { recursive: true });
    await writeFile(join(dir, 'project', 'terraform', 'docker', 'images.auto.tfvars.json'), '{}\n');
    await writeFile(join(dir, 'elsewhere.txt'), 'changed\n');
    expect((await readGitState(join(dir, 'project')))?.dirty).toBe(false);
  });

  it('is dirty with a changed or an untracked provisioner', async () => {
    await writeFile(join(dir, 'project', 'provisioners', 'base.sh'), 'echo changed\n');
    expect((await readGitState(join(dir, 'project')))?.dirty).toBe(true);
    await git('checkout', '--', 'project/provisioners/base.sh');
    await writeFile(join(dir, 'project', 'provisioners', 'new.sh'), 'echo new\n');
    expect((await readGitState(join(dir, 'project')))?.dirty).toBe(true);
  });

  it('is undefined outside a work tree', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'fresh-nogit-'));
    try {
      expect(await readGitState(outside)).toBeUndefined();
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('porcelain: any line is a change', () => {
    expect(isDirty('')).toBe(false);
    expect(isDirty('\n')).toBe(false);
    expect(isDirty(' M images.yaml\n')).toBe(true);
    expect(isDirty('?? provisioners/new.sh\n')).toBe(true);
  });
});
