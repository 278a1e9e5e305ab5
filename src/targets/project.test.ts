import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectId, projectIdentity } from './project.js';

describe('projectIdentity (what Docker images are labelled with, and prune keeps to)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'project-id-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`project:` is the identity, wherever the checkout is', () => {
    const project = { name: 'acme/cortex', location: { file: 'images.yaml', line: 2, column: 10 } };
    expect(projectIdentity({ root: '/a', project })).toEqual({ id: 'acme/cortex', from: 'config', source: 'project: in images.yaml:2' });
    expect(projectIdentity({ root: '/b', project }).id).toBe('acme/cortex');
  });

  it('without it, a hash of the real path: another directory is another project, a link to the same one is not', () => {
    const link = join(dir, 'link');
    symlinkSync(dir, link);
    const here = projectIdentity({ root: dir });
    expect(here).toEqual({ id: expect.stringMatching(/^[0-9a-f]{12}$/), from: 'path', source: `a hash of the path ${dir}` });
    expect(projectIdentity({ root: link }).id).toBe(here.id);
    expect(projectId(join(dir, 'elsewhere'))).not.toBe(here.id);
  });
});
