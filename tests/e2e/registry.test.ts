import { appendFile, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrerequisites, BASE_IMAGE, docker, E2E, e2eTitle, imageLayers } from '../helpers/e2e.js';
import { makeProject, runCli } from '../helpers/project.js';
import { removeRegistry, startRegistry, startSecondEngine, type SecondEngine, type TestRegistry } from '../helpers/registry.js';
import { schemaErrors } from '../helpers/json-schema.js';

/**
 * The Docker target across machines, for real: a distribution registry with htpasswd auth on loopback,
 * the default engine as runner A and a second engine (own socket, data root, exec root) as runner B,
 * real Packer, the reference tree with the offline overlay. The five cases of issue 15, once each.
 * Runner B's engine is wiped at the end; the default engine is never stopped or wiped (only the
 * tags this test made are removed).
 */
const IMAGES = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];
const LEAF = 'cortex';
const TFVARS = 'terraform/docker/images.auto.tfvars.json';

describe.skipIf(!E2E)(e2eTitle('registry: two runners, one registry'), () => {
  let registry: TestRegistry;
  let engineB: SecondEngine;
  let projectA: string;
  let projectB: string;
  let envA: Record<string, string>;
  let envB: Record<string, string>;
  let first: Awaited<ReturnType<typeof runCli>>;
  const password = 'e2e-registry-password-canary';
  const config = (): string[] => ['--config', 'images.yaml', '--config', 'examples/offline/images.yaml', '--config', 'registry.yaml'];
  const tfvars = (dir: string): Promise<string> => readFile(join(dir, TFVARS), 'utf8');
  const statuses = (stdout: string): Record<string, string> =>
    Object.fromEntries((JSON.parse(stdout) as { images: { image: string; status: string }[] }).images.map((i) => [i.image, i.status]));
  // Unique IDs: `docker images -q` prints a line per tag, and a built image has two (repository:tag, fp-<fingerprint>).
  const imagesIn = async (env: Record<string, string>): Promise<string[]> => [
    ...new Set((await execa('docker', ['images', '-q', '--no-trunc'], { env })).stdout.split('\n').filter(Boolean)),
  ];

  beforeAll(async () => {
    await assertPrerequisites();
    registry = await startRegistry({ user: { name: 'ci', password } });
    engineB = await startSecondEngine();
    envA = { DOCKER_CONFIG: registry.dockerConfig! };
    envB = { DOCKER_CONFIG: registry.dockerConfig!, DOCKER_HOST: engineB.host };
    // The base comes from the registry, as a real base would: pushed there once, named from there.
    const base = `${registry.host}/debian:bookworm`;
    await docker('tag', BASE_IMAGE, base);
    await execa('docker', ['push', base], { env: envA });
    const overlay = `targets:\n  docker:\n    base_image: ${base}\n    repository: bi-reg-e2e\n    registry: ${registry.host}/cortex\n`;
    const parts = ['images.yaml', 'provisioners', 'examples', 'schema', 'terraform'];
    projectA = await makeProject({ 'registry.yaml': overlay }, parts);
    projectB = await makeProject({ 'registry.yaml': overlay }, parts);
    first = await runCli(projectA, ['build', '--target', 'docker', '--json', '--plain', ...config()], envA);
  }, 900_000);

  afterAll(async () => {
    const tags = (await docker('images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n');
    const ours = tags.filter((t) => t.startsWith(`${registry?.host}/`) || t.startsWith('bi-reg-e2e/'));
    if (ours.length > 0) await execa('docker', ['image', 'rm', ...ours], { reject: false });
    await engineB?.wipe();
    await removeRegistry(registry);
    for (const dir of [projectA, projectB]) if (dir) await rm(dir, { recursive: true, force: true });
  }, 300_000);

  it('1. runner A builds the tree on a base from the registry, pushes it, and pins every image by digest', async () => {
    expect(first.exitCode, first.stderr).toBe(0);
    expect(schemaErrors('build-result.schema.json', JSON.parse(first.stdout))).toBe('');
    expect(statuses(first.stdout)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, 'built'])));
    const refs = (JSON.parse(await tfvars(projectA)) as { images: Record<string, string> }).images;
    expect(Object.keys(refs)).toEqual(IMAGES);
    for (const image of IMAGES) {
      expect(refs[image]).toMatch(new RegExp(`^${registry.host.replace(/\./g, '\\.')}/cortex/${image}@sha256:[0-9a-f]{64}$`));
      // The digest is the registry's: the engine that built it knows the image under that reference.
      expect(await docker('image', 'inspect', '--format', '{{.Id}}', refs[image]!)).toMatch(/^sha256:/);
    }
    // Nothing secret in the output or the files build-images wrote.
    expect(first.all).not.toContain(password);
    for (const file of await readdir(join(projectA, '.build-images'), { recursive: true }))
      expect(await readFile(join(projectA, '.build-images', file), 'utf8').catch(() => '')).not.toContain(password);
  }, 120_000);

  it('2. runner B, with an empty engine, plans reuse for all five and writes byte-identical tfvars, building and pulling nothing', async () => {
    expect(await imagesIn(envB)).toEqual([]);
    const plan = await runCli(projectB, ['plan', '--target', 'docker', '--json', ...config()], envB);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as { images: { image: string; action: string; builtAt?: string }[]; builds: string[][] };
    expect(schemaErrors('plan-result.schema.json', planned)).toBe('');
    expect(planned.images.map((i) => i.action)).toEqual(['reuse', 'reuse', 'reuse', 'reuse', 'reuse']);
    expect(planned.builds).toEqual([[], []]);
    // Each age comes from the image config blob in the registry (`created`), read without pulling: the same
    // moment runner A's engine reports as the image's Created.
    const refs = (JSON.parse(await tfvars(projectA)) as { images: Record<string, string> }).images;
    for (const entry of planned.images) {
      const createdOnA = await docker('image', 'inspect', '--format', '{{.Created}}', refs[entry.image]!);
      expect(entry.builtAt, entry.image).toBe(new Date(createdOnA.trim()).toISOString());
    }
    // max_age on an image only the registry has: too old, so it and everything built on it are rebuilt (exit 2).
    await writeFile(join(projectB, 'old.yaml'), 'max_age: 1s\n');
    const old = await runCli(projectB, ['plan', '--target', 'docker', '--detailed-exitcode', ...config(), '--config', 'old.yaml'], envB);
    expect(old.exitCode, old.all).toBe(2);
    expect(old.stdout).toMatch(/\bbase\s+build\s+\S+\s+built \d+ (second|minute)s? ago \(max_age 1s\)/);
    for (const image of IMAGES.slice(1)) expect(old.stdout).toMatch(new RegExp(`\\b${image}\\s+build\\s+base\\s+parent base rebuilt`));
    await rm(join(projectB, 'old.yaml'));
    const build = await runCli(projectB, ['build', '--target', 'docker', '--json', '--plain', ...config()], envB);
    expect(build.exitCode, build.stderr).toBe(0);
    expect(statuses(build.stdout)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, 'reused'])));
    expect(await tfvars(projectB)).toBe(await tfvars(projectA));
    expect(await imagesIn(envB)).toEqual([]);
  }, 300_000);

  it('3. a changed leaf on runner B rebuilds only that leaf, on its parent pulled by digest', async () => {
    const before = JSON.parse(await tfvars(projectB)).images as Record<string, string>;
    await appendFile(join(projectB, 'provisioners', `${LEAF}.sh`), '\n# changed on runner B\n');
    const build = await runCli(projectB, ['build', '--target', 'docker', '--json', '--plain', ...config()], envB);
    expect(build.exitCode, build.stderr).toBe(0);
    expect(statuses(build.stdout)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, i === LEAF ? 'built' : 'reused'])));
    const after = JSON.parse(await tfvars(projectB)).images as Record<string, string>;
    for (const image of IMAGES) {
      if (image === LEAF) expect(after[image]).not.toBe(before[image]);
      else expect(after[image]).toBe(before[image]);
    }
    // B pulled base by its digest (and nothing else), and the leaf sits on exactly those layers.
    const bImages = await execa('docker', ['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}'], { env: envB });
    expect(bImages.stdout).toContain(before.base);
    const baseLayers = JSON.parse(
      (await execa('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', before.base!], { env: envB })).stdout,
    ) as string[];
    const leafLayers = JSON.parse(
      (await execa('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', after[LEAF]!], { env: envB })).stdout,
    ) as string[];
    expect(leafLayers.slice(0, baseLayers.length)).toEqual(baseLayers);
    const held = await execa('docker', ['images', '-a', '--digests', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}@{{.Digest}}'], {
      env: envB,
    });
    expect((await imagesIn(envB)).length, held.stdout).toBe(2);
    // Runner A, with the same change, now reuses the leaf B pushed.
    await appendFile(join(projectA, 'provisioners', `${LEAF}.sh`), '\n# changed on runner B\n');
    const onA = await runCli(projectA, ['build', '--target', 'docker', '--json', '--plain', ...config()], envA);
    expect(statuses(onA.stdout)[LEAF]).toBe('reused');
    expect(await tfvars(projectA)).toBe(await tfvars(projectB));
  }, 900_000);

  it('4. fan-out: one build --only per image over both engines in level order ends with the tfvars of a single-machine run', async () => {
    // A change every image sees (a global variable): the whole tree is new, as after a base change.
    for (const dir of [projectA, projectB]) await appendFile(join(dir, 'registry.yaml'), 'variables:\n  FANOUT_RUN: "1"\n');
    const plan = await runCli(projectA, ['plan', '--target', 'docker', '--json', ...config()], envA);
    const builds = (JSON.parse(plan.stdout) as { builds: string[][] }).builds;
    expect(builds).toEqual([['base'], ['consul', 'cortex', 'nginx', 'monitoring']]);
    let turn = 1; // base on B: its engine pulls the base image from the registry first
    for (const level of builds) {
      for (const image of level) {
        const [dir, env] = turn++ % 2 === 1 ? [projectB, envB] : [projectA, envA];
        const one = await runCli(dir, ['build', '--target', 'docker', '--only', image, '--json', '--plain', ...config()], env);
        expect(one.exitCode, one.stderr).toBe(0);
        expect(statuses(one.stdout)[image]).toBe('built');
      }
    }
    // The last job: nothing left to build, on either runner, writes the same complete tfvars.
    const lastA = await runCli(projectA, ['build', '--target', 'docker', '--json', '--plain', ...config()], envA);
    const lastB = await runCli(projectB, ['build', '--target', 'docker', '--json', '--plain', ...config()], envB);
    expect(statuses(lastA.stdout)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, 'reused'])));
    expect(statuses(lastB.stdout)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, 'reused'])));
    expect(await tfvars(projectA)).toBe(await tfvars(projectB));
    const refs = JSON.parse(await tfvars(projectA)).images as Record<string, string>;
    // As one machine would have built it: every child on this base (its layers first).
    const baseLayers = await imageLayers(refs.base!).catch(async () => {
      await execa('docker', ['pull', refs.base!], { env: envA });
      return imageLayers(refs.base!);
    });
    for (const image of IMAGES.slice(1)) {
      const inspect = await execa('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', refs[image]!], {
        env: envA,
        reject: false,
      });
      const layers =
        inspect.exitCode === 0
          ? (JSON.parse(inspect.stdout) as string[])
          : (JSON.parse(
              (await execa('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', refs[image]!], { env: envB })).stdout,
            ) as string[]);
      expect(layers.slice(0, baseLayers.length), image).toEqual(baseLayers);
    }
  }, 1_800_000);

  it('5. the registry killed during a push: a clear error, exit 1, the tfvars untouched; a rerun pushes without rebuilding', async () => {
    const before = await tfvars(projectA);
    await appendFile(join(projectA, 'provisioners', 'nginx.sh'), '\n# changed before the registry dies\n');
    const uploads = join(registry.dir, 'data', 'docker', 'registry', 'v2', 'repositories', 'cortex', 'nginx', '_uploads');
    const log = join(projectA, '.build-images', 'logs', 'docker', 'nginx.log');
    await rm(log, { force: true }); // the last build's log says "Builds finished" too
    const build = runCli(projectA, ['build', '--target', 'docker', '--json', '--plain', ...config()], envA);
    // Kill -9 the moment the engine starts uploading nginx's new layer (an upload directory appears), or
    // at the latest when Packer reports the build finished: the push is what comes next.
    const pid = Number((await readFile(join(registry.dir, 'pid'), 'utf8')).trim());
    let killed = false;
    const watch = (async () => {
      for (let i = 0; i < 6000 && !killed; i++) {
        const uploading = (await readdir(uploads).catch(() => [])).length > 0;
        if (uploading || (await readFile(log, 'utf8').catch(() => '')).includes('Builds finished')) {
          process.kill(pid, 'SIGKILL');
          killed = true;
        } else await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const failed = await build;
    await watch;
    expect(killed).toBe(true);
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(
        `pushing ${registry.host.replace(/\./g, '\\.')}/cortex/nginx:fp-[0-9a-f]{64} to ${registry.host.replace(/\./g, '\\.')} failed: `,
      ),
    );
    expect(failed.stderr).toContain('a rerun pushes it without building it again');
    expect(failed.stderr).toContain('the Terraform variables file was left as it was');
    expect(await tfvars(projectA)).toBe(before);

    await registry.restart();
    const rerun = await runCli(projectA, ['build', '--target', 'docker', '--json', '--plain', ...config()], envA);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    // nginx was built before the registry died: the rerun pushes that image, Packer does not run again.
    expect(statuses(rerun.stdout)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, 'reused'])));
    const refs = JSON.parse(await tfvars(projectA)).images as Record<string, string>;
    expect(refs.nginx).not.toBe(JSON.parse(before).images.nginx);
    expect(refs.base).toBe(JSON.parse(before).images.base);
  }, 900_000);
});
