import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from './helpers/project.js';
import { CI, freePort, haveRegistry, removeRegistry, startRegistry, type TestRegistry } from './helpers/registry.js';

/**
 * A registry that refuses or is unreachable stops plan and build before anything is built or written,
 * and doctor says so with the fix. Real registry (htpasswd), real Packer and engine for the other checks.
 */
const ready =
  CI ||
  ((await haveRegistry()) &&
    (await execa('packer', ['version'], { reject: false }).then(
      (r) => r.exitCode === 0,
      () => false,
    )) &&
    (await execa('docker', ['info'], { reject: false }).then(
      (r) => r.exitCode === 0,
      () => false,
    )));
if (!ready) console.log('registry preflight tests skipped: needs docker-registry, packer and a Docker engine');

describe.skipIf(!ready)('registry preflight (real registry)', () => {
  let registry: TestRegistry;
  const dirs: string[] = [];
  const project = async (host: string): Promise<string> => {
    const dir = await makeProject({
      'images.yaml': `version: 1\ntargets:\n  docker:\n    base_image: local/debian:bookworm\n    registry: ${host}/cortex\nimages:\n  solo: { provisioners: [ok] }\n`,
      'provisioners/ok.sh': '#!/bin/sh\ntrue\n',
    });
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    registry = await startRegistry({ user: { name: 'ci', password: 'preflight-canary-pw' } });
  });
  afterAll(async () => {
    await removeRegistry(registry);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('no credentials: build stops before any build with the reason (401) and the fix; nothing written', async () => {
    const dir = await project(registry.host);
    const run = await runCli(dir, ['build', '--target', 'docker'], { DOCKER_CONFIG: join(dir, 'no-docker-config') });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `error: the registry ${registry.host} refused anonymous access (401): the registry asks for a user name and password. Log in with \`docker login ${registry.host}\``,
    );
    expect(run.stderr).toContain(`Log in with \`docker login ${registry.host}\``);
    expect(run.stderr).toContain('Nothing was built or written.');
    // The lock directory is all there is: no templates, no manifest, no tfvars.
    expect(await readdir(dir)).not.toContain('packer');
    expect(await readdir(join(dir, '.build-images')).catch(() => [])).toEqual([]);
  });

  it('with the credentials from DOCKER_CONFIG: plan goes ahead; they appear nowhere in the output', async () => {
    const dir = await project(registry.host);
    const run = await runCli(dir, ['plan', '--target', 'docker'], { DOCKER_CONFIG: registry.dockerConfig! });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('1 to build');
    expect(run.all).not.toContain('preflight-canary-pw');
  });

  it('unreachable: plan and build stop with the reason; doctor fails the registry check with the fix', async () => {
    const port = await freePort(); // nothing listens there
    const dir = await project(`127.0.0.1:${port}`);
    const plan = await runCli(dir, ['plan', '--target', 'docker']);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain(`error: cannot reach the registry 127.0.0.1:${port}: ECONNREFUSED`);
    const doctor = await runCli(dir, ['doctor', '--target', 'docker']);
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toContain(`FAIL  registry: cannot reach the registry 127.0.0.1:${port}: ECONNREFUSED`);
    expect(doctor.stdout).toContain('fix: Check the address in targets.docker.registry');
  });
});
