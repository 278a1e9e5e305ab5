/**
 * Issue 13, finding 8: the engine dying mid-build showed only Packer's `Script exited with non-zero exit status:
 * 137` (or `packer exited with code unknown`), and the build container stayed in the engine with
 * /tmp/build-images/env.sh (the secret) inside. Finding 6: nothing found it afterwards; doctor said all OK.
 *
 * One slow case against a SECOND Docker engine this test starts (scripts/second-engine: own socket, data root,
 * exec root, pid file; --bridge=none), never the default one: the build is started on it, the engine is killed
 * (SIGKILL, by its pid file) while a provisioner runs, then started again.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrerequisites, BASE_IMAGE, E2E, e2eTitle } from '../helpers/e2e.js';
import { BIN, makeProject, REPO, removeProjects } from '../helpers/project.js';

const RUN = E2E && process.getuid?.() === 0;
// Short: the engine's containerd socket lives under it, and a unix socket path may not exceed 107 bytes.
const ENGINE_DIR = `/tmp/bi-death-${process.pid}`;
const SECRET = `canary-${process.pid}-Zq7`;
let DOCKER_HOST = '';

const engine = async (command: 'start' | 'wipe'): Promise<string> =>
  (await execa(join(REPO, 'scripts/second-engine'), [command, '--dir', ENGINE_DIR])).stdout.trim();
const onSecond = async (...args: string[]): Promise<string> => (await execa('docker', args, { env: { DOCKER_HOST } })).stdout;
const buildContainers = async (): Promise<string[]> =>
  (await onSecond('ps', '-a', '--filter', 'name=^/build-images-', '--format', '{{.Names}} {{.State}}')).split('\n').filter(Boolean);

/** Every file under dir whose content holds the secret (relative paths). */
async function filesWithSecret(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await filesWithSecret(dir, rel)));
    else if (entry.isFile() && (await readFile(join(dir, rel), 'utf8')).includes(SECRET)) out.push(rel);
  }
  return out;
}

describe.skipIf(!RUN)(e2eTitle('the Docker engine dies mid-build (second engine, SIGKILL)'), () => {
  beforeAll(async () => {
    await assertPrerequisites();
    DOCKER_HOST = await engine('start');
    // The second engine starts empty: the base image comes from the default engine (read only).
    await execa('sh', ['-c', 'docker save "$1" | DOCKER_HOST="$2" docker load', 'sh', BASE_IMAGE, DOCKER_HOST], { env: {} });
  }, 180_000);

  afterAll(async () => {
    await engine('wipe').catch(() => undefined);
    await removeProjects();
  }, 120_000);

  it("names the engine's error, leaves no secret on disk, and the next run removes the build container", { timeout: 400_000 }, async () => {
    const dir = await makeProject({
      'images.yaml': `version: 1
targets: { docker: { base_image: "${BASE_IMAGE}", repository: bi-death, run_args: ["--network=none"] } }
secrets: [BI_DEATH_SECRET]
images:
  solo: { provisioners: [hold] }
`,
      'provisioners/hold.sh': `#!/bin/sh\necho "holding ${process.pid}"\nsleep 300\n`,
    });
    const env = { DOCKER_HOST, BI_DEATH_SECRET: SECRET, NO_COLOR: '1' };
    const child = execa(process.execPath, [BIN, 'build', '--plain', '--verbose'], { cwd: dir, env, reject: false, all: true });
    let output = '';
    await new Promise<void>((resolve) => {
      child.all?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`holding ${process.pid}`)) resolve();
      });
      void child.then(() => resolve());
    });
    expect(output, 'the provisioner never started').toContain(`holding ${process.pid}`);
    // The engine dies: SIGKILL by its pid file (what an OOM-killed or crashed dockerd looks like to a client).
    process.kill(Number(await readFile(join(ENGINE_DIR, 'pid'), 'utf8')), 'SIGKILL');
    const run = await child;

    expect(run.exitCode, run.all).toBe(1);
    // The engine's own error, not Packer's exit status.
    expect(run.all).toMatch(
      new RegExp(
        `the Docker engine at ${DOCKER_HOST.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} stopped answering during the build of solo: (connect )?(ECONNREFUSED|ENOENT)`,
      ),
    );
    expect(run.all).not.toContain(SECRET);
    // Nothing secret on disk: env file gone, Packer's temp dir (PACKER_TMP_DIR) holds nothing of it.
    expect(await readdir(join(dir, '.build-images/docker/env'))).toEqual([]);
    expect(await filesWithSecret(dir)).toEqual([]);

    // The engine comes back: the build container is still there, with the secret inside (what finding 8 found).
    await engine('start');
    const left = await buildContainers();
    expect(left).toHaveLength(1);
    const [leftName] = left[0]!.split(' ');
    expect(leftName).toMatch(/^build-images-[0-9a-f]{12}-[0-9a-f]{8}-[0-9]+-solo$/);
    const inside = await execa('docker', ['cp', `${leftName}:/tmp/build-images/env.sh`, '-'], { env: { DOCKER_HOST }, reject: false });
    expect(inside.stdout, 'the left container should hold the env file (else this test proves nothing)').toContain(SECRET);

    // doctor names it, with what to run.
    const doctor = await execa(process.execPath, [BIN, 'doctor'], { cwd: dir, env, reject: false });
    expect(doctor.stdout).toContain(
      `WARN  build containers: 1 left by killed runs, holding their builds' environment (variables, secrets): ${leftName}`,
    );

    // The next run removes it under the lock, then builds (the provisioner no longer holds).
    await writeFile(join(dir, 'provisioners/hold.sh'), '#!/bin/sh\necho done\n');
    const next = await execa(process.execPath, [BIN, 'build', '--plain'], { cwd: dir, env, reject: false, all: true });
    expect(next.exitCode, next.all).toBe(0);
    expect(next.all).toContain(`removed build container ${leftName} (exited) left by a killed run`);
    expect(await buildContainers()).toEqual([]);
    expect(await filesWithSecret(dir)).toEqual([]);
    // Packer's temp dirs were in the project, and are gone after a build that ended.
    expect(await readdir(join(dir, '.build-images/docker/packer-tmp'))).toEqual([]);
    expect((await stat(join(dir, '.build-images/docker/packer-tmp'))).mode & 0o777).toBe(0o700);
  });
});
