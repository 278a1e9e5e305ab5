/**
 * Issue 13, finding 5: with the engine stopped (`kill -STOP dockerd`) the tool printed nothing for 10 minutes
 * and ignored SIGTERM and SIGINT. Reproduced against a SECOND Docker engine this test starts itself (own
 * socket, data-root, exec-root and pidfile under /tmp; recipe in ENVIRONMENT.md), never the default one.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeProject } from './helpers/project.js';

const isRoot = process.getuid?.() === 0;
const hasDockerd = await execa('dockerd', ['--version'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
const RUN = (hasDockerd && isRoot) || process.env.CI === 'true';
if (!RUN) console.log('engine-fault tests skipped: they start a second dockerd, which needs dockerd on PATH and root');

const base = join(tmpdir(), `build-images-engine-${process.pid}`);
const socket = join(base, 'docker.sock');
const DOCKER_HOST = `unix://${socket}`;
let dockerd: ResultPromise | undefined;
let pid: number | undefined;
const made: string[] = [];

describe.skipIf(!RUN)('a hung Docker engine (second engine, kill -STOP)', () => {
  beforeAll(async () => {
    await mkdir(base, { recursive: true });
    dockerd = execa(
      'dockerd',
      [
        '--host',
        DOCKER_HOST,
        '--data-root',
        join(base, 'data'),
        '--exec-root',
        join(base, 'exec'),
        '--pidfile',
        join(base, 'pid'),
        '--bridge=none',
        '--iptables=false',
        '--ip-forward=false',
      ],
      { reject: false, stdio: 'ignore' },
    );
    pid = dockerd.pid;
    for (let i = 0; i < 60; i++) {
      if ((await execa('docker', ['info'], { env: { DOCKER_HOST }, reject: false })).exitCode === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    process.kill(pid!, 'SIGSTOP');
  }, 60_000);

  afterAll(async () => {
    if (pid !== undefined) {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGTERM');
      await dockerd;
    }
    await rm(base, { recursive: true, force: true });
    for (const d of made) await rm(d, { recursive: true, force: true });
  }, 60_000);

  const run = async (timeoutSeconds: number, signalAfterMs?: number, signal: NodeJS.Signals = 'SIGTERM') => {
    const dir = await makeProject({
      'images.yaml': 'version: 1\ntargets: { docker: { base_image: "local/debian:bookworm" } }\nimages:\n  solo: { provisioners: [ok] }\n',
      'provisioners/ok.sh': '#!/bin/sh\ntrue\n',
    });
    made.push(dir);
    const started = Date.now();
    const child = execa(process.execPath, [BIN, 'build', '--plain'], {
      cwd: dir,
      reject: false,
      env: { DOCKER_HOST, BUILD_IMAGES_ENGINE_TIMEOUT: String(timeoutSeconds), NO_COLOR: '1' },
      all: true,
    });
    if (signalAfterMs !== undefined) setTimeout(() => child.kill(signal), signalAfterMs);
    const result = await child;
    return { result, seconds: (Date.now() - started) / 1000, dir };
  };

  it('an engine that does not answer is named within the time limit, exit 1, nothing written', { timeout: 60_000 }, async () => {
    const { result, seconds, dir } = await run(3);
    expect(seconds).toBeLessThan(20);
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain(`the Docker engine at ${DOCKER_HOST} did not answer within 3s (is it hung or stopped?)`);
    // Only the (released) lock's directory: no templates, manifest, tfvars or logs.
    expect((await readdir(dir)).sort()).toEqual(['.build-images', 'images.yaml', 'provisioners']);
    expect(await readdir(join(dir, '.build-images'))).toEqual([]);
  });

  it('SIGTERM is obeyed while the engine hangs: exit 130', { timeout: 60_000 }, async () => {
    // The engine call would wait 60 s; the signal comes while it hangs (startup takes a few seconds on a
    // loaded 2-core machine) and is obeyed at once.
    const { result, seconds } = await run(60, 8000);
    expect(seconds).toBeLessThan(20);
    expect(result.exitCode, `${result.signal ?? ''} ${result.all}`).toBe(130);
  });

  // Issue 13, finding 6: SIGHUP (a closed terminal) exited 129 at once with no message and orphaned Packer.
  it('SIGHUP is handled like SIGTERM: exit 130 with a message', { timeout: 60_000 }, async () => {
    const { result, seconds } = await run(60, 8000, 'SIGHUP');
    expect(seconds).toBeLessThan(20);
    expect(result.exitCode, `${result.signal ?? ''} ${result.all}`).toBe(130);
    expect(result.all).toContain('SIGHUP: stopping builds');
  });
});
