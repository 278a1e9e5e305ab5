import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/project.js';
import { eventually } from '../helpers/provisioners.js';

/**
 * provisioners/lib/image-start, the process tini starts in every Docker image, run here directly with service
 * entries written by the test (small bash programs that log what happens to them).
 */
const IMAGE_START = join(REPO, 'provisioners/lib/image-start');

describe('image-start (the Docker images’ service starter)', () => {
  let dir: string;
  let child: ResultPromise | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** An entry like the ones install_service writes; `body` runs in the foreground. */
  async function entry(name: string, role: 'main' | 'sidecar', body: string, stopSignal = 'TERM'): Promise<void> {
    const path = join(dir, 'services', name);
    await writeFile(path, `#!/bin/bash\n# image-start-role: ${role}\n# image-start-stop-signal: ${stopSignal}\n${body}\n`);
    await chmod(path, 0o755);
  }

  /** A service that logs its start and the signal that stopped it, and exits on that signal. */
  const service = (name: string, signal = 'TERM') =>
    `echo start >> ${dir}/${name}.log; trap 'echo ${signal} >> ${dir}/${name}.log; exit 0' ${signal}; while :; do sleep 0.1; done`;

  /** Not async: awaiting execa's result would wait for image-start to exit. */
  function startImageStart(env: Record<string, string> = {}) {
    child = execa(IMAGE_START, [], {
      env: { IMAGE_START_DIR: join(dir, 'services'), ...env },
      reject: false,
      all: true,
      forceKillAfterDelay: false,
    });
    return child;
  }
  const logOf = (name: string) => readFile(join(dir, `${name}.log`), 'utf8').catch(() => '');

  async function setup(): Promise<void> {
    dir = await mkdtemp(join(tmpdir(), 'image-start-test-'));
    await execa('mkdir', [join(dir, 'services')]);
  }

  it('starts every entry and stops them all with their stop signal on SIGTERM, exiting 0', async () => {
    await setup();
    await entry('10-agent', 'sidecar', service('agent'));
    await entry('50-web', 'main', service('web', 'QUIT'), 'QUIT');
    const run = startImageStart();
    expect(await eventually(async () => (await logOf('agent')) === 'start\n' && (await logOf('web')) === 'start\n', 5000)).toBe(true);
    const t0 = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(result.exitCode).toBe(0);
    expect(await logOf('agent')).toBe('start\nTERM\n');
    expect(await logOf('web')).toBe('start\nQUIT\n');
    expect(result.all).toContain('image-start: got SIGTERM: stopping every service');
  });

  it('stops the container when a main service exits, with its status', async () => {
    await setup();
    await entry('10-agent', 'sidecar', service('agent'));
    await entry('50-main', 'main', 'sleep 0.5; exit 3');
    const result = await startImageStart();
    expect(result.exitCode).toBe(3);
    expect(result.all).toContain('50-main exited with status 3: stopping the container');
    expect(await logOf('agent')).toBe('start\nTERM\n');
  });

  it('restarts a sidecar that exits, with back-off, and keeps the main service running', async () => {
    await setup();
    await entry('10-flaky', 'sidecar', `echo start >> ${dir}/flaky.log; sleep 0.2; exit 1`);
    await entry('50-main', 'main', service('main'));
    const run = startImageStart();
    expect(await eventually(async () => (await logOf('flaky')).split('\n').length > 3, 8000)).toBe(true);
    expect(await logOf('main')).toBe('start\n');
    run.kill('SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(result.all).toMatch(/sidecar 10-flaky exited with status 1: restarting it in 1s/);
    expect(result.all).toMatch(/sidecar 10-flaky exited with status 1: restarting it in 2s/);
  }, 15_000);

  it('kills a service that ignores its stop signal after IMAGE_START_STOP_TIMEOUT', async () => {
    await setup();
    await entry('50-stubborn', 'main', `trap '' TERM; echo start >> ${dir}/stubborn.log; while :; do sleep 0.1; done`);
    const run = startImageStart({ IMAGE_START_STOP_TIMEOUT: '1' });
    expect(await eventually(async () => (await logOf('stubborn')) === 'start\n', 5000)).toBe(true);
    const t0 = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(result.all).toContain('50-stubborn did not stop within 1s: killing it');
  });

  it('runs its arguments instead when it has any, and fails when there is nothing to start', async () => {
    await setup();
    const direct = await execa(IMAGE_START, ['echo', 'hello'], { env: { IMAGE_START_DIR: join(dir, 'services') } });
    expect(direct.stdout).toBe('hello');
    const empty = await execa(IMAGE_START, [], { env: { IMAGE_START_DIR: join(dir, 'services') }, reject: false });
    expect(empty.exitCode).toBe(1);
    expect(empty.stderr).toContain('nothing to start');
  });
});
