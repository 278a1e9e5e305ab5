import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/project.js';
import { assertPrerequisites, BASE_IMAGE, docker, E2E, e2eTitle, imageLayers } from '../helpers/e2e.js';
import { schemaErrors } from '../helpers/json-schema.js';

/**
 * Fresh images on the real engine, one small tree built once (and once more for max_age):
 * ages from the images' own Created time, max_age rebuilding a whole tree, provenance labels and
 * `build --json`, `plan --detailed-exitcode`, a base that moves under its tag, and a base that is gone.
 *
 * The base is this run's own tag on local/debian:bookworm's image (never local/debian:bookworm itself),
 * moved by pointing the tag at another image, as a registry moves `ubuntu:22.04` to a patched build.
 */
const RUN = `${process.pid}-${Date.now()}`;
const BASE_TAG = `fresh-e2e/base:${RUN}`;
const SHORT = (id: string) => `sha256:${id.replace('sha256:', '').slice(0, 12)}…`;

const CONFIG = `version: 1
variables: { RUN: "${RUN}" }
targets:
  docker:
    base_image: ${BASE_TAG}
    repository: fresh-e2e
    tag: "${RUN}"
    run_args: ["--network=none"]
images:
  root: { provisioners: [mark] }
  child: { parent: root, provisioners: [mark] }
  leaf: { parent: child, provisioners: [mark] }
`;

type Json = Record<string, any>;

describe.skipIf(!E2E)(e2eTitle('fresh images: ages, max_age, provenance, moving bases, --detailed-exitcode'), () => {
  let dir: string;
  let baseId: string;
  let commit: string;
  let first: Json;
  const created = new Set<string>();
  const cli = (...args: string[]) => runCli(dir, args);
  const git = (...args: string[]) => execa('git', args, { cwd: dir });
  const plan = async (...args: string[]) => {
    const run = await cli('plan', ...args);
    return { code: run.exitCode, out: run.all ?? '' };
  };
  const planJson = async (...args: string[]): Promise<Json> => JSON.parse((await runCli(dir, ['plan', '--json', ...args])).stdout) as Json;
  const build = async (...args: string[]): Promise<Json> => {
    const run = await runCli(dir, ['build', '--json', ...args]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Json;
    for (const image of result.images as Json[]) if (image.id) created.add(image.id as string);
    return result;
  };

  beforeAll(async () => {
    await assertPrerequisites();
    baseId = (await docker('image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE)).trim();
    await docker('tag', BASE_IMAGE, BASE_TAG);
    dir = await makeProject({
      'images.yaml': CONFIG,
      'provisioners/mark.sh': '#!/bin/sh\nset -eu\necho "$PACKER_BUILD_NAME $RUN" >> /marks\n',
      '.gitignore': '.build-images/\nterraform/*/images.auto.tfvars.json\n',
    });
    // A committed project (templates included), so the images can name a clean commit.
    await git('init', '-q', '-b', 'main');
    expect((await cli('generate')).exitCode).toBe(0);
    await git('add', '-A');
    await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-qm', 'tree');
    commit = (await git('rev-parse', 'HEAD')).stdout.trim();
    first = await build();
  }, 600_000);

  afterAll(async () => {
    // Leaves first: the engine refuses to remove an image other images are built on, even with -f.
    await execa('docker', ['rmi', BASE_TAG], { reject: false });
    await execa('docker', ['rmi', '-f', ...[...created].reverse()], { reject: false });
    await execa('docker', ['rmi', BASE_TAG], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('labels every image and fills build --json with the provenance: base, fingerprint, tool, commit, clean tree', async () => {
    expect(schemaErrors('build-result.schema.json', first)).toBe('');
    const ids = Object.fromEntries((first.images as Json[]).map((i) => [i.image, i.id as string]));
    for (const entry of first.images as Json[]) {
      expect(entry.status).toBe('built');
      expect(entry.provenance).toEqual({
        base: { name: BASE_TAG, id: baseId },
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        toolVersion: expect.any(String),
        gitCommit: commit,
        gitDirty: false,
      });
      const labels = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config.Labels}}', ids[entry.image]!)) as Json;
      expect(labels).toMatchObject({
        'org.build-images.base': BASE_TAG,
        'org.build-images.base-id': baseId,
        'org.build-images.fingerprint': entry.provenance.fingerprint,
        'org.build-images.git-commit': commit,
        'org.build-images.git-dirty': 'false',
        'org.opencontainers.image.revision': commit,
      });
    }
  }, 180_000);

  it('plan: nothing to build (exit 0 with --detailed-exitcode), each reused image with its age from the engine', async () => {
    const { code, out } = await plan('--detailed-exitcode');
    expect(code, out).toBe(0);
    for (const image of ['root', 'child', 'leaf']) expect(out).toMatch(new RegExp(`${image}\\s+reuse .*built \\d+ (second|minute)s? ago`));
    const json = await planJson();
    for (const entry of json.images as Json[]) expect(Date.parse(entry.builtAt as string)).toBeLessThanOrEqual(Date.now());
    expect(schemaErrors('plan-result.schema.json', json)).toBe('');
  }, 180_000);

  it('max_age: an image older than it is rebuilt, with everything built on it (plan exits 2, then a real build)', async () => {
    await writeFile(join(dir, 'young.yaml'), 'max_age: 1s\n');
    await new Promise((r) => setTimeout(r, 2_100)); // Created has whole seconds: be surely older than 1s
    const { code, out } = await plan('--config', 'images.yaml', '--config', 'young.yaml', '--detailed-exitcode');
    expect(code, out).toBe(2);
    expect(out).toMatch(/root\s+build\s+\S+\s+built \d+ (second|minute)s? ago \(max_age 1s\)/);
    expect(out).toMatch(/child\s+build\s+root\s+parent root rebuilt/);
    expect(out).toMatch(/leaf\s+build\s+child\s+parent child rebuilt/);

    const again = await build('--config', 'images.yaml', '--config', 'young.yaml');
    expect((again.images as Json[]).map((i) => [i.image, i.status, i.reasons[0]])).toEqual([
      ['root', 'built', expect.stringMatching(/^built \d+ (second|minute)s? ago \(max_age 1s\)$/)],
      ['child', 'built', 'parent root rebuilt'],
      ['leaf', 'built', 'parent child rebuilt'],
    ]);
    // Same fingerprints (nothing else changed), new images.
    expect((again.images as Json[]).map((i) => i.provenance.fingerprint)).toEqual(
      (first.images as Json[]).map((i) => i.provenance.fingerprint),
    );
    expect((again.images as Json[]).map((i) => i.id)).not.toContain((first.images as Json[])[0]!.id);
    expect((await plan('--detailed-exitcode')).code).toBe(0);
  }, 300_000);

  it('a base that moves under its tag mid-build: the root is still built on the base the plan resolved', async () => {
    const other = (await docker('image', 'inspect', '--format', '{{.Id}}', `fresh-e2e/root:${RUN}`)).trim();
    // The tag moves the moment the run has resolved the base (its first note, before any Packer starts).
    // Roots are built from the resolved image ID (Packer 1.6.6 hands `image` to `docker run` as given,
    // hashicorp/packer v1.6.6 builder/docker/driver_docker.go StartContainer), so the tag no longer matters.
    const running = runCli(dir, ['build', '--json', '--force', 'root']);
    let moved: Promise<string> | undefined;
    running.stderr?.on('data', (chunk: Buffer) => {
      if (moved === undefined && chunk.toString().includes('Packer ')) moved = docker('tag', other, BASE_TAG);
    });
    const run = await running;
    expect(moved, run.all).toBeDefined();
    await moved;
    expect(run.exitCode, run.all).toBe(0);
    const raced = JSON.parse(run.stdout) as Json;
    for (const image of raced.images as Json[]) if (image.id) created.add(image.id as string);
    const root = (raced.images as Json[])[0]!;
    expect(root.status).toBe('built');
    expect(root.provenance.base).toEqual({ name: BASE_TAG, id: baseId });
    const [baseLayers, rootLayers, otherLayers] = await Promise.all([
      imageLayers(baseId),
      imageLayers(root.id as string),
      imageLayers(other),
    ]);
    expect(rootLayers.slice(0, baseLayers.length)).toEqual(baseLayers);
    expect(rootLayers.length).toBe(baseLayers.length + 1); // on the base itself, not on `other` (which is base + 1 layer)
    expect(otherLayers.length).toBe(baseLayers.length + 1);
    expect(rootLayers.at(-1)).not.toBe(otherLayers.at(-1));
    const label = (key: string) => docker('image', 'inspect', '--format', `{{index .Config.Labels "${key}"}}`, root.id as string);
    expect(await label('org.build-images.parent')).toBe(baseId);
    expect(await label('org.build-images.base-id')).toBe(baseId);
  }, 300_000);

  it('the moved base rebuilds the whole tree, naming the move (exit 2), also on a fresh runner without a manifest', async () => {
    const other = (await docker('image', 'inspect', '--format', '{{.Id}}', BASE_TAG)).trim();
    expect(other).not.toBe(baseId);
    const { code, out } = await plan('--detailed-exitcode');
    expect(code, out).toBe(2);
    expect(out).toContain(`base image ${BASE_TAG} moved (${SHORT(baseId)} → ${SHORT(other)})`);
    expect(out).toMatch(/child\s+build\s+root\s+parent root rebuilt/);
    expect(out).toMatch(/leaf\s+build\s+child\s+parent child rebuilt/);
    // A fresh CI runner has no manifest: the earlier builds in the engine still name the base they were built on.
    await rm(join(dir, '.build-images'), { recursive: true, force: true });
    const fresh = await plan('--detailed-exitcode');
    expect(fresh.code, fresh.out).toBe(2);
    expect(fresh.out).toContain(`base image ${BASE_TAG} moved (${SHORT(baseId)} → ${SHORT(other)})`);
    expect(fresh.out).toMatch(/child\s+build\s+root\s+parent root rebuilt/);
    expect(fresh.out).toMatch(/leaf\s+build\s+child\s+parent child rebuilt/);
    expect(fresh.out).not.toContain('new image');
  }, 180_000);

  it('a base that resolves nowhere stops plan and build before anything is built (exit 1, also with --detailed-exitcode)', async () => {
    await docker('rmi', BASE_TAG);
    const planned = await plan('--detailed-exitcode');
    expect(planned.code, planned.out).toBe(1);
    expect(planned.out).toContain(`base image ${BASE_TAG}`);
    const built = await cli('build');
    expect(built.exitCode, built.all).toBe(1);
    expect(built.all).toContain(`base image ${BASE_TAG}`);
    expect(built.all).not.toMatch(/\| building/);
  }, 180_000);

  it('--detailed-exitcode: a bad config is an error (1), not "something to build" (2)', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'max_age: soon\n');
    const { code, out } = await plan('--config', 'images.yaml', '--config', 'bad.yaml', '--detailed-exitcode');
    expect(out).toContain('bad.yaml:1:10');
    expect(code).toBe(1);
    expect((await plan('--config', 'images.yaml', '--config', 'bad.yaml')).code).toBe(2);
  });
});
