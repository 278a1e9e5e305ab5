import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCli, removeProjects } from './helpers/project.js';
import { itNeeds, probeTools } from './helpers/tools.js';

afterAll(removeProjects);

const tools = await probeTools();

const SMALL = {
  'images.yaml': 'version: 1\ntargets: { docker: { base_image: "local/debian:bookworm" } }\nimages:\n  solo: { provisioners: [ok] }\n',
  'provisioners/ok.sh': '#!/bin/sh\ntrue\n',
};

/** A directory with a fake `packer` executable, for faults real Packer will not produce on demand. */
async function fakePacker(dir: string, script: string): Promise<string> {
  const bin = join(dir, 'fake-bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'packer'), `#!/bin/sh\n${script}\n`);
  await chmod(join(bin, 'packer'), 0o755);
  return `${bin}:/usr/bin:/bin`;
}

describe('faults before any build starts', () => {
  it('refuses a second run in the same directory while the first holds the lock', async () => {
    const dir = await makeProject({
      ...SMALL,
      '.build-images/lock': JSON.stringify({
        pid: process.pid,
        host: hostname(),
        startedAt: '2026-11-21T10:00:00Z',
        command: 'build --target docker',
      }),
    });
    const run = await runCli(dir, ['--target', 'docker']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `error: another build-images run holds ${join(dir, '.build-images/lock')} (pid ${process.pid} on ${hostname()}, started 2026-11-21T10:00:00Z: build --target docker).`,
    );
    expect(run.stderr).toContain('Nothing was built or written.');
  });

  it('names the fix when Packer is missing', async () => {
    const dir = await makeProject(SMALL);
    const run = await runCli(dir, ['--target', 'docker'], { PATH: '/nonexistent' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'error: `packer` was not found on PATH. Install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer) and try again.',
    );
    expect(run.stderr).toContain('Nothing was built or written.');
  });

  it('refuses a Packer that is too old', async () => {
    const dir = await makeProject(SMALL);
    const run = await runCli(dir, ['--target', 'docker'], { PATH: await fakePacker(dir, 'echo "Packer v1.5.6"') });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('error: Packer 1.5.6 is too old: build-images needs >= 1.6.0 (HCL2 templates).');
  });

  itNeeds(tools, 'packer')('says so when the Docker engine cannot be reached, before building anything', async () => {
    const dir = await makeProject(SMALL);
    const run = await runCli(dir, ['--target', 'docker'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /error: cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock: .*\. Start it \(e\.g\. `systemctl start docker`\) or set DOCKER_HOST\./,
    );
    expect(run.stderr).not.toContain('    at ');
  });

  itNeeds(tools, 'docker')('fails the image, never writes an empty ID, when Packer ends without artifact lines', async () => {
    const dir = await makeProject(SMALL);
    const path = await fakePacker(
      dir,
      'case "$1" in version) echo "Packer v1.6.6";; build) echo "1,,ui,say,pretending to build"; exit 0;; esac',
    );
    const run = await runCli(dir, ['--target', 'docker', '--force'], { PATH: path });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('solo | FAILED after');
    expect(run.stderr).toContain('packer finished but reported no Docker image ID (artifacts: none)');
    expect(run.stderr).not.toMatch(/undefined/);
  });
});
