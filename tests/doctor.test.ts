import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCli, removeProjects } from './helpers/project.js';
import { BASE_IMAGE, itNeeds, probeTools } from './helpers/tools.js';

afterAll(removeProjects);

const tools = await probeTools();

/** run_args gives the build containers a network on a `--bridge=none` engine, as on our machines. */
const SMALL = {
  'images.yaml': `version: 1\ntargets: { docker: { base_image: "${BASE_IMAGE}", run_args: ["--network=host"] } }\nimages:\n  solo: { provisioners: [ok] }\n`,
  'provisioners/ok.sh': '#!/bin/sh\ntrue\n',
};
const INSTALL =
  'install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer; elsewhere see https://developer.hashicorp.com/packer/install)';
const lines = (stdout: string): string[] => stdout.split('\n');

async function fakePacker(dir: string, script: string): Promise<{ path: string; packer: string }> {
  const bin = join(dir, 'fake-bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'packer'), `#!/bin/sh\n${script}\n`);
  await chmod(join(bin, 'packer'), 0o755);
  return { path: `${bin}:/usr/bin:/bin`, packer: join(bin, 'packer') };
}

describe('build-images doctor (real binary)', () => {
  it('FAILs with the fix when Packer is missing, and skips the plugin check', async () => {
    const dir = await makeProject(SMALL);
    const run = await runCli(dir, ['doctor'], { PATH: '/nonexistent' });
    expect(run.exitCode).toBe(1);
    expect(lines(run.stdout)).toContain(`FAIL  packer: not found on PATH; fix: ${INSTALL}`);
    expect(lines(run.stdout)).toContain('WARN  packer docker plugin: not checked: no usable Packer');
    expect(run.stdout).toMatch(/\n\n\d+ failed, \d+ warnings?, \d+ ok\.$/);
  });

  it('FAILs a Packer older than 1.6', async () => {
    const dir = await makeProject(SMALL);
    const fake = await fakePacker(dir, 'echo "Packer v1.5.6"');
    const run = await runCli(dir, ['doctor'], { PATH: fake.path });
    expect(run.exitCode).toBe(1);
    expect(lines(run.stdout)).toContain(
      `FAIL  packer: Packer 1.5.6 at ${fake.packer} is too old: build-images needs >= 1.6.0 (HCL2 templates); fix: ${INSTALL}`,
    );
  });

  it('handles a Packer >= 1.7 without `packer plugins installed`', async () => {
    const dir = await makeProject(SMALL);
    const fake = await fakePacker(
      dir,
      'case "$1" in version) echo "Packer v1.7.0";; *) echo "Usage: packer [--version] [--help] <command> [<args>]" >&2; exit 127;; esac',
    );
    const run = await runCli(dir, ['doctor'], { PATH: fake.path });
    expect(lines(run.stdout)).toContain(`OK    packer: Packer 1.7.0 at ${fake.packer}`);
    expect(lines(run.stdout)).toContain(
      'WARN  packer docker plugin: cannot tell: Packer 1.7.0 has no `packer plugins installed`; fix: the build runs `packer init`, which downloads github.com/hashicorp/docker (needs github.com); or install it now with `packer plugins install github.com/hashicorp/docker`',
    );
  });

  it('FAILs an unreachable Docker engine (DOCKER_HOST honoured) and skips what needs it', async () => {
    const dir = await makeProject(SMALL);
    const run = await runCli(dir, ['doctor'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(run.exitCode).toBe(1);
    const out = lines(run.stdout);
    expect(out).toContain(
      'FAIL  docker engine: cannot reach unix:///nonexistent/docker.sock: connect ENOENT /nonexistent/docker.sock; fix: start the engine (`systemctl start docker`, or scripts/start-docker where there is no systemd) or point DOCKER_HOST at a running one',
    );
    expect(out).toContain('WARN  build network: not checked: the Docker engine cannot be reached');
    expect(out).toContain('WARN  base image: not checked: the Docker engine cannot be reached');
    expect(run.stderr).toBe('');
  });

  it('FAILs a lock held by a live run', async () => {
    const owner = { pid: process.pid, host: hostname(), startedAt: '2026-11-21T10:00:00Z', command: 'build --target docker' };
    const dir = await makeProject({ ...SMALL, '.build-images/lock': JSON.stringify(owner) });
    const run = await runCli(dir, ['doctor']);
    expect(run.exitCode).toBe(1);
    expect(lines(run.stdout)).toContain(
      `FAIL  lock: a running build-images holds .build-images/lock (pid ${process.pid} on ${hostname()}, started 2026-11-21T10:00:00Z: build --target docker), so a build started now is refused; fix: wait for that run to finish; if it is gone, delete .build-images/lock`,
    );
  });

  it('FAILs an invalid config and lists its problems as build would', async () => {
    const dir = await makeProject({
      'images.yaml': 'version: 1\nimages:\n  solo: { parent: nope, provisioners: [ok] }\n',
      'provisioners/ok.sh': '#!/bin/sh\n',
    });
    const run = await runCli(dir, ['doctor']);
    expect(run.exitCode).toBe(1);
    expect(lines(run.stdout)).toContain('FAIL  config: 1 problem in images.yaml (listed below); fix: correct the problems listed below');
    expect(lines(run.stdout)).toContain('WARN  provisioner scripts: not checked: the config is not valid');
    expect(run.stdout).toContain(
      '\nimages.yaml:3:19: error: unknown parent "nope" of image "solo"\n    3 |   solo: { parent: nope, provisioners: [ok] }\n      |                   ^^^^\n',
    );
  });

  itNeeds(
    tools,
    'packer',
    'base',
  )('passes on a machine that can build (real Packer and engine)', async () => {
    const dir = await makeProject(SMALL);
    const run = await runCli(dir, ['doctor', '--target', 'docker']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const out = lines(run.stdout);
    expect(out.slice(0, 9).every((l) => /^(OK  |WARN)  [a-z ]+: /.test(l))).toBe(true);
    expect(out).toContain(`OK    config: images.yaml: 1 image in 1 level, root images from ${BASE_IMAGE}`);
    expect(out).toContain('OK    provisioner scripts: 1 script readable and executable');
    expect(out.find((l) => l.startsWith('OK    packer: '))).toMatch(/^OK    packer: Packer \d+\.\d+\.\d+ at \/\S+\/packer$/);
    expect(out.find((l) => l.startsWith('OK    docker engine: '))).toMatch(/^OK    docker engine: Docker \S+ at \S+, storage driver \S+$/);
    expect(out).toContain('OK    build network: build containers run with --network=host (targets.docker.run_args)');
    expect(out.find((l) => l.startsWith('OK    base image: '))).toMatch(
      new RegExp(`^OK    base image: ${BASE_IMAGE} is in the engine \\([0-9a-f]{12}\\)$`),
    );
    expect(out.some((l) => /^OK    disk space: \d+\.\d GiB free for /.test(l))).toBe(true);
    expect(out).toContain('OK    lock: no run holds .build-images/lock');
    expect(out.at(-1)).toMatch(/^0 failed, \d+ warnings?, \d+ ok\.$/);
  });
});
