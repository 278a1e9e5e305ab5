import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/project.js';
import { assertPrerequisites, docker, E2E, e2eTitle, imageLayers } from '../helpers/e2e.js';

/**
 * The reference Cortex tree, built by the real CLI with real Packer on the real Docker engine, from the
 * local base image and the local mirror (examples/offline/prepare), in a copy of this repository.
 */
describe.skipIf(!E2E)(e2eTitle('the Cortex image tree, built for real'), () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  const images = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];

  beforeAll(async () => {
    await assertPrerequisites();
    dir = await makeProject({}, ['images.yaml', 'provisioners', 'examples', 'schema', 'terraform']);
    run = await runCli(dir, ['--target', 'docker', '--config', 'images.yaml', '--config', 'examples/offline/images.yaml']);
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 with a summary of five built images', () => {
    expect(run.exitCode, run.all).toBe(0);
    for (const image of images) expect(run.all).toMatch(new RegExp(`^${image}\\s+built\\s+[0-9a-f]{12}\\s`, 'm'));
    expect(run.all).toContain('Wrote terraform/docker/images.auto.tfvars.json');
  });

  it('writes tfvars whose every ID exists in the engine', async () => {
    const tfvars = JSON.parse(await readFile(join(dir, 'terraform/docker/images.auto.tfvars.json'), 'utf8')) as { images: Record<string, string> };
    expect(Object.keys(tfvars.images)).toEqual(images);
    for (const id of Object.values(tfvars.images)) {
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await docker('image', 'inspect', '--format', '{{.Id}}', id)).toBe(id);
    }
  });

  it('builds every child on base from this run: its layers start with base’s', async () => {
    const { images: ids } = JSON.parse(await readFile(join(dir, 'terraform/docker/images.auto.tfvars.json'), 'utf8')) as { images: Record<string, string> };
    const baseLayers = await imageLayers(ids.base!);
    for (const child of images.slice(1)) {
      const layers = await imageLayers(ids[child]!);
      expect(layers.slice(0, baseLayers.length), child).toEqual(baseLayers);
      expect(layers.length, child).toBeGreaterThan(baseLayers.length);
    }
  });

  it('writes a manifest with id, parent, status, duration and log per image', async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    expect(manifest.status).toBe('succeeded');
    for (const image of images) {
      const entry = manifest.images[image];
      expect(entry.status).toBe('built');
      expect(entry.id).toMatch(/^sha256:/);
      expect(entry.parent).toBe(image === 'base' ? null : 'base');
      expect(entry.durationMs).toBeGreaterThan(0);
      expect(await readFile(join(dir, entry.log), 'utf8')).toContain(`docker.${image}`);
    }
  });

  it('generated templates that real `packer validate` accepts', async () => {
    const templates = (await readdir(join(dir, 'packer/docker'))).filter((f) => f.endsWith('.pkr.hcl')).sort();
    expect(templates).toEqual(images.map((i) => `${i}.pkr.hcl`).sort());
    for (const template of templates) {
      const image = template.replace('.pkr.hcl', '');
      // The real variables file of the build, with the env file (deleted after each build) swapped for an empty one.
      const vars = JSON.parse(await readFile(join(dir, `.build-images/docker/vars/${image}.pkrvars.json`), 'utf8'));
      await writeFile(join(dir, 'empty.env'), '');
      await writeFile(join(dir, 'validate.pkrvars.json'), JSON.stringify({ ...vars, env_file: join(dir, 'empty.env') }));
      const validated = await execa('packer', ['validate', '-var-file=validate.pkrvars.json', `packer/docker/${template}`], { cwd: dir, reject: false, env: { CHECKPOINT_DISABLE: '1' } });
      expect(validated.exitCode, `${template}: ${validated.stdout}${validated.stderr}`).toBe(0);
    }
  });
});
