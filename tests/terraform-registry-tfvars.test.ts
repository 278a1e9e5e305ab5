import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { renderRegistryTfvars } from '../src/targets/docker/registry/tfvars.js';
import { REPO } from './helpers/project.js';

/**
 * terraform/docker takes the tfvars a registry build writes as it is: its `images` variable, with its
 * validations, through real `terraform plan` (a module holding only that variables file needs no provider).
 */
const terraform = await execa('terraform', ['version'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
if (!terraform) console.log('terraform/docker registry tfvars test skipped: terraform is not on PATH');

describe.skipIf(!terraform)('terraform/docker accepts digest-pinned references (real terraform plan)', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('plans with the file renderRegistryTfvars writes; refuses a tag', async () => {
    const dir = await mkdtemp('/tmp/bi-tfreg-');
    dirs.push(dir);
    await copyFile(join(REPO, 'terraform', 'docker', 'variables.tf'), join(dir, 'variables.tf'));
    const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
    const images = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];
    await writeFile(
      join(dir, 'good.tfvars.json'),
      renderRegistryTfvars(images.map((i, n) => [i, `127.0.0.1:5000/cortex/${i}@${digest(n + 1)}`])),
    );
    await writeFile(
      join(dir, 'tag.tfvars.json'),
      JSON.stringify({ images: Object.fromEntries(images.map((i) => [i, `127.0.0.1:5000/cortex/${i}:latest`])) }),
    );
    const env = { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    expect((await execa('terraform', ['init', '-backend=false', '-input=false'], { cwd: dir, env, reject: false })).exitCode).toBe(0);
    const good = await execa('terraform', ['plan', '-input=false', '-no-color', '-var-file=good.tfvars.json'], {
      cwd: dir,
      env,
      reject: false,
    });
    expect(good.exitCode, good.stderr).toBe(0);
    const tag = await execa('terraform', ['plan', '-input=false', '-no-color', '-var-file=tag.tfvars.json'], {
      cwd: dir,
      env,
      reject: false,
    });
    expect(tag.exitCode).toBe(1);
    expect(tag.stderr.replace(/\s+/g, ' ')).toContain(
      'or a digest-pinned reference (<registry>/<image>@sha256:<64 hex digits>), not a tag',
    );
  });
});
