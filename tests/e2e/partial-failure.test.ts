import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli, removeProjects } from '../helpers/project.js';
import { assertPrerequisites, BASE_IMAGE, docker, E2E, e2eTitle, imageLayers } from '../helpers/e2e.js';

afterAll(removeProjects);

/** Secret-looking values in the environment of the run: none may reach any file or the output. */
const CANARIES = {
  AWS_ACCESS_KEY_ID: 'AKIACANARY0000000001',
  AWS_SECRET_ACCESS_KEY: 'canary-secret-7f3a9c',
  AWS_SESSION_TOKEN: 'canary-token-51be02',
  // Listed under `secrets`: provisioners receive it, nothing may write or print it.
  BI_E2E_SECRET: 'canary-build-secret-93d1e',
};

/** Build containers carry this label (through run_args), so other work on the engine is not counted. */
const RUN_LABEL = `build-images-e2e=partial-${process.pid}`;

const HOSTILE = `it's "q" \\ \${x} %{y} {{z}} $(id) \`id\`\nline two: ünï ✓`;

/** A small tree on the local base image, no network: root → {bad → bad-child, good → good-child}. */
function project(extraImages = '') {
  return makeProject({
    'images.yaml': `version: 1
variables:
  HOSTILE: ${JSON.stringify(HOSTILE)}
secrets: [BI_E2E_SECRET]
targets:
  docker:
    base_image: ${BASE_IMAGE}
    repository: bi-e2e
    run_args: ["--network=none", "--label=${RUN_LABEL}"]
images:
  root: { provisioners: [mark, secret], docker: { entrypoint: ["/bin/cat"], cmd: ["/marks"], expose: ["9100/tcp"] } }
  bad: { parent: root, provisioners: [fail] }
  bad-child: { parent: bad, provisioners: [mark] }
  good: { parent: root, provisioners: [mark, hostile] }
  good-child: { parent: good, provisioners: [mark], docker: { cmd: ["/hostile"], expose: ["4040"] } }
${extraImages}`,
    'provisioners/mark.sh': '#!/bin/sh\nset -eu\necho "layer for $PACKER_BUILD_NAME" >> /marks\n',
    'provisioners/hostile.sh': '#!/bin/sh\nset -eu\nprintf "%s" "$HOSTILE" > /hostile\n',
    // Uses the secret, prints it (the log must show it redacted), keeps only its hash.
    'provisioners/secret.sh':
      '#!/bin/sh\nset -eu\necho "the secret is $BI_E2E_SECRET"\nprintf "%s" "$BI_E2E_SECRET" | sha256sum | cut -d" " -f1 > /secret.sha256\n',
    'provisioners/fail.sh': '#!/bin/sh\necho "this provisioner fails on purpose" >&2\nexit 7\n',
  });
}

describe.skipIf(!E2E)(e2eTitle('partial failure on the real Docker engine'), () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  const previousTfvars = '{"images": {"root": "sha256:previous-good-run"}}\n';

  beforeAll(async () => {
    await assertPrerequisites();
    dir = await project();
    await mkdir(join(dir, 'terraform/docker'), { recursive: true });
    await writeFile(join(dir, 'terraform/docker/images.auto.tfvars.json'), previousTfvars);
    run = await runCli(dir, ['--target', 'docker', '--concurrency', '2', '--force'], CANARIES);
  }, 600_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 and says which image failed, with its log', () => {
    expect(run.exitCode, run.all).toBe(1);
    expect(run.all).toMatch(/bad\s+\| FAILED after .*: Script exited with non-zero exit status: 7/);
    expect(run.all).toContain('this provisioner fails on purpose');
    expect(run.all).toContain('.build-images/logs/docker/bad.log');
  });

  it('skips only the failed image’s descendants; unrelated images finish', async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    expect(manifest.status).toBe('failed');
    const statuses = Object.fromEntries(
      Object.entries(manifest.images as Record<string, { status: string }>).map(([k, v]) => [k, v.status]),
    );
    expect(statuses).toEqual({ root: 'built', bad: 'failed', 'bad-child': 'skipped', good: 'built', 'good-child': 'built' });
    expect(manifest.images['bad-child'].error).toBe('skipped: bad did not build');
    expect(run.all).toMatch(/bad-child\s+\| skipped: bad did not build/);
  });

  it('leaves the previous Terraform variables untouched', async () => {
    expect(await readFile(join(dir, 'terraform/docker/images.auto.tfvars.json'), 'utf8')).toBe(previousTfvars);
  });

  it('builds each child on its parent from this run: layers extend, labels name the parent', async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    const root = manifest.images.root.id as string;
    const good = manifest.images.good.id as string;
    const goodChild = manifest.images['good-child'].id as string;
    const [rootLayers, goodLayers, childLayers] = await Promise.all([imageLayers(root), imageLayers(good), imageLayers(goodChild)]);
    expect(goodLayers.slice(0, rootLayers.length)).toEqual(rootLayers);
    expect(goodLayers.length).toBeGreaterThan(rootLayers.length);
    expect(childLayers.slice(0, goodLayers.length)).toEqual(goodLayers);
    expect(await docker('image', 'inspect', '--format', '{{index .Config.Labels "org.build-images.parent"}}', goodChild)).toBe(good);
    // A root names the exact base image it was built from (its ID), not the tag, which may have moved since.
    const baseId = (await docker('image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE)).trim();
    expect(await docker('image', 'inspect', '--format', '{{index .Config.Labels "org.build-images.parent"}}', root)).toBe(baseId);
    expect(await docker('image', 'inspect', '--format', '{{.Id}}', 'bi-e2e/good-child:latest')).toBe(goodChild);
  });

  it('delivers a hostile variable into the image byte for byte', async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    const value = await docker('run', '--rm', '--network=none', '--entrypoint', 'cat', manifest.images.good.id, '/hostile');
    expect(value).toBe(HOSTILE);
  });

  it('leaves no build containers behind', async () => {
    expect(await docker('ps', '-a', '--filter', `label=${RUN_LABEL}`, '--format', '{{.ID}}')).toBe('');
  });

  it('never writes secrets from the environment to templates, variable files, manifest, logs or output', async () => {
    const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(files.some((f) => f.endsWith('.pkr.hcl'))).toBe(true);
    expect(files.some((f) => f.endsWith('.log'))).toBe(true);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const canary of Object.values(CANARIES)) expect(text.includes(canary), `${canary} in ${file}`).toBe(false);
    }
    for (const canary of Object.values(CANARIES)) expect(run.all?.includes(canary)).toBe(false);
  });

  it('prune --dry-run lists what it would keep and remove, and removes nothing', async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    const prune = await runCli(dir, ['prune', '--target', 'docker', '--keep', '1', '--dry-run']);
    expect(prune.exitCode, prune.all).toBe(0);
    expect(prune.stdout).toMatch(
      new RegExp(`^keep    good-child ${(manifest.images['good-child'].id as string).slice(7, 19)} \\(built .*\\): newest #1`, 'm'),
    );
    expect(prune.stdout).toMatch(/would be removed \(--dry-run: nothing was removed\)\.$|^Nothing to remove\.$/m);
    expect(await docker('image', 'inspect', '--format', '{{.Id}}', manifest.images['good-child'].id)).toBe(
      manifest.images['good-child'].id,
    );
  });

  it('hands secrets to provisioners, redacts them from logs, and leaves them out of the image', async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    const root = manifest.images.root.id as string;
    const expected = createHash('sha256').update(CANARIES.BI_E2E_SECRET).digest('hex');
    expect(await docker('run', '--rm', '--network=none', '--entrypoint', 'cat', root, '/secret.sha256')).toBe(expected);
    expect(await readFile(join(dir, '.build-images/logs/docker/root.log'), 'utf8')).toContain('the secret is [redacted]');
    expect(await docker('image', 'inspect', '--format', '{{json .Config.Env}}', root)).not.toContain(CANARIES.BI_E2E_SECRET);
    expect(await docker('run', '--rm', '--network=none', '--entrypoint', 'sh', root, '-c', 'ls /tmp/build-images 2>&1 || true')).toMatch(
      /No such file/,
    );
  });

  it("sets each image's entrypoint, cmd and ports; children inherit what they do not set", async () => {
    const manifest = JSON.parse(await readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8'));
    const config = async (id: string) =>
      JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', id)) as {
        Entrypoint: string[];
        Cmd: string[];
        ExposedPorts: Record<string, unknown>;
      };
    const [root, good, child] = await Promise.all(['root', 'good', 'good-child'].map((i) => config(manifest.images[i].id)));
    expect([root!.Entrypoint, root!.Cmd, Object.keys(root!.ExposedPorts)]).toEqual([['/bin/cat'], ['/marks'], ['9100/tcp']]);
    expect([good!.Entrypoint, good!.Cmd, Object.keys(good!.ExposedPorts)]).toEqual([['/bin/cat'], ['/marks'], ['9100/tcp']]);
    expect([child!.Entrypoint, child!.Cmd, Object.keys(child!.ExposedPorts).sort()]).toEqual([
      ['/bin/cat'],
      ['/hostile'],
      ['4040/tcp', '9100/tcp'],
    ]);
    // `docker run` with no arguments runs the configured entrypoint and cmd.
    expect(await docker('run', '--rm', '--network=none', manifest.images['good-child'].id)).toBe(HOSTILE);
  });
});
