import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEngine } from '../../src/targets/docker/engine.js';
import { resolveDockerBase } from '../../src/targets/docker/base.js';
import { assertPrerequisites, BASE_IMAGE, docker, E2E, e2eTitle } from '../helpers/e2e.js';

/**
 * A base the engine does not have is resolved from its registry without pulling: the real engine asks a
 * real registry (Debian's docker-registry, the CNCF distribution 2.8, on 127.0.0.1 only) through Engine API
 * GET /distribution/{name}/json, and the digest it answers is the one a push reported.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });

describe.skipIf(!E2E)(e2eTitle('a base resolved from a real registry without pulling'), () => {
  let dir: string;
  let registry: ResultPromise | undefined;
  let ref: string;
  let pushed: string;

  beforeAll(async () => {
    await assertPrerequisites();
    await execa('docker-registry', ['--version']).catch(() => {
      throw new Error('docker-registry is not installed (apt-get install docker-registry)');
    });
    dir = await mkdtemp(join(tmpdir(), 'fresh-registry-'));
    const port = await freePort();
    await writeFile(
      join(dir, 'config.yml'),
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    registry = execa('docker-registry', ['serve', join(dir, 'config.yml')], { reject: false });
    for (let i = 0; i < 50; i++) {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    ref = `127.0.0.1:${port}/fresh/base:${process.pid}`;
    await docker('tag', BASE_IMAGE, ref);
    const push = await docker('push', ref);
    pushed = /digest: (sha256:[0-9a-f]{64})/.exec(push)?.[1] ?? '';
    // The engine keeps the image (local/debian:bookworm) but no longer knows it by this name.
    await docker('rmi', ref);
  }, 300_000);

  afterAll(async () => {
    registry?.kill();
    await registry;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers the pushed manifest digest, and the engine still does not have the name', async () => {
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    const engine = dockerEngine();
    expect(await engine.inspectImage(ref)).toBeUndefined();
    expect(await resolveDockerBase(engine, ref)).toEqual({
      ok: true,
      value: { resolved: { name: ref, id: pushed }, source: `${ref.replace(/:[^:/]+$/, '')}@${pushed}`, local: false },
    });
    expect(await engine.inspectImage(ref)).toBeUndefined();
  });

  it('a tag the registry does not have: an error naming the base and what the registry said', async () => {
    const missing = ref.replace(/:\d+$/, ':no-such-tag');
    const resolved = await resolveDockerBase(dockerEngine(), missing);
    expect(resolved.ok).toBe(false);
    expect(resolved.ok ? '' : resolved.error).toMatch(new RegExp(`^base image ${missing.replace(/[.]/g, '\\.')} cannot be resolved: `));
  });
});
