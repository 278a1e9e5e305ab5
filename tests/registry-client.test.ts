import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { execa } from 'execa';
import { registryClient, type RegistryClient } from '../src/targets/docker/registry/client.js';
import { registryTransfer } from '../src/targets/docker/registry/transfer.js';
import { findCredentials } from '../src/targets/docker/registry/credentials.js';
import { describeRegistryFailure } from '../src/targets/docker/registry/failure.js';
import { registryLocation } from '../src/targets/docker/registry/location.js';
import {
  CI,
  haveRegistry,
  pushTinyImage,
  removeRegistry,
  startRegistry,
  startSecondEngine,
  type SecondEngine,
  type TestRegistry,
} from './helpers/registry.js';

/**
 * The registry client against Debian's docker-registry (CNCF distribution 2.8) on loopback: open, with
 * htpasswd basic auth, with delete disabled, with a self-signed certificate, and stopped. Images are
 * tiny (one file) and pushed by the real engine, so digests are the ones `docker push` reports.
 */
const available = CI || (await haveRegistry());
if (!available)
  console.log('registry client tests skipped: docker-registry is not installed (apt-get install docker-registry apache2-utils)');

const client = (registry: string, env: NodeJS.ProcessEnv, apiBase?: string): RegistryClient =>
  registryClient({
    location: { ...registryLocation(registry), ...(apiBase ? { apiBase } : {}) },
    credentials: () => findCredentials(registry.split('/')[0]!, env),
    timeoutMs: 5_000,
  });
const noConfig = (dir: string): NodeJS.ProcessEnv => ({ DOCKER_CONFIG: join(dir, 'none') });

describe.skipIf(!available)('registry client (real distribution registry)', () => {
  const started: TestRegistry[] = [];
  const temp: string[] = [];
  afterAll(async () => {
    await Promise.all(started.map(removeRegistry));
    await Promise.all(temp.map((d) => rm(d, { recursive: true, force: true })));
  });
  const start = async (...args: Parameters<typeof startRegistry>): Promise<TestRegistry> => {
    const r = await startRegistry(...args);
    started.push(r);
    return r;
  };

  describe('open registry', () => {
    let reg: TestRegistry;
    let digest: string;
    beforeAll(async () => {
      reg = await start();
      digest = await pushTinyImage(`${reg.host}/team/app:fp-1`, { 'org.build-images.fingerprint': 'f1' });
    });

    it('answers anonymously; HEAD by tag gives the digest docker push reported, without a body', async () => {
      const c = client(`${reg.host}/team`, noConfig(reg.dir));
      expect(await c.ping()).toEqual({ ok: true, value: `registry ${reg.host} answers (registry/2.0), anonymous access` });
      expect(await c.headManifest('team/app', 'fp-1')).toEqual({
        ok: true,
        value: { digest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(await c.headManifest('team/app', 'fp-missing')).toEqual({ ok: true, value: undefined });
      expect(await c.headManifest('team/nothing', 'x')).toEqual({ ok: true, value: undefined });
    });

    it('reads the image config (labels) through the manifest, lists tags, deletes by digest', async () => {
      const c = client(`${reg.host}/team`, noConfig(reg.dir));
      const manifest = await c.getManifest('team/app', digest);
      expect(manifest.ok && manifest.value?.digest).toBe(digest);
      const configDigest = (manifest.ok && (manifest.value?.body as { config: { digest: string } }).config.digest) || '';
      const config = await c.getJsonBlob('team/app', configDigest);
      expect(config.ok && (config.value as { config: { Labels: Record<string, string> } }).config.Labels).toEqual({
        'org.build-images.fingerprint': 'f1',
      });
      expect(await c.listTags('team/app')).toEqual({ ok: true, value: ['fp-1'] });
      expect(await c.listTags('team/nothing')).toEqual({ ok: true, value: [] });
      expect(await c.deleteManifest('team/app', digest)).toEqual({ ok: true, value: 'deleted' });
      expect(await c.headManifest('team/app', 'fp-1')).toEqual({ ok: true, value: undefined });
      expect(await c.deleteManifest('team/app', digest)).toEqual({ ok: true, value: 'absent' });
    });
  });

  it('a registry with delete disabled: deleting is "unsupported", not an error', async () => {
    const reg = await start({ noDelete: true });
    const digest = await pushTinyImage(`${reg.host}/app:t`, {});
    expect(await client(reg.host, noConfig(reg.dir)).deleteManifest('app', digest)).toEqual({ ok: true, value: 'unsupported' });
  });

  describe('htpasswd basic auth', () => {
    let reg: TestRegistry;
    const password = 'pa55-word-not-in-output';
    beforeAll(async () => {
      reg = await start({ user: { name: 'builder', password } });
      await pushTinyImage(`${reg.host}/app:t`, {}, reg.dockerConfig);
    });

    it('uses the auths entry of DOCKER_CONFIG/config.json', async () => {
      const c = client(reg.host, { DOCKER_CONFIG: reg.dockerConfig });
      expect(await c.ping()).toEqual({ ok: true, value: `registry ${reg.host} answers (registry/2.0), credentials accepted` });
      expect((await c.headManifest('app', 't')).ok).toBe(true);
      expect(await c.engineAuth()).toEqual({ ok: true, value: { username: 'builder', password, serveraddress: reg.host } });
    });

    it('the engine pushes with those credentials; a second, empty engine pulls by digest; refusals are errors', async () => {
      const c = client(reg.host, { DOCKER_CONFIG: reg.dockerConfig });
      const auth = await c.engineAuth();
      if (!auth.ok) throw new Error('no engine auth');
      const ref = `${reg.host}/pushed`;
      const dir = await mkdtemp('/tmp/bi-img-');
      temp.push(dir);
      await writeFile(join(dir, 'f'), 'x\n');
      const tar = await execa('tar', ['-C', dir, '-c', 'f'], { encoding: 'buffer' });
      await execa('docker', ['import', '-', `${ref}:t1`], { input: tar.stdout });
      let second: SecondEngine | undefined;
      try {
        const pushed = await registryTransfer(new Docker()).push(ref, 't1', auth.value);
        expect(pushed.ok).toBe(true);
        const head = await c.headManifest('pushed', 't1');
        expect(head.ok && pushed.ok && head.value?.digest).toBe(pushed.ok && pushed.value);
        const refused = await registryTransfer(new Docker()).push(ref, 't1', {
          username: 'builder',
          password: 'nope',
          serveraddress: reg.host,
        });
        expect(refused.ok).toBe(false);
        expect(!refused.ok && refused.error).not.toContain('nope');

        second = await startSecondEngine();
        const b = new Docker({ socketPath: second.host.replace('unix://', '') });
        const byDigest = `${ref}@${pushed.ok ? pushed.value : ''}`;
        expect(await registryTransfer(b).pull(byDigest, undefined)).toMatchObject({ ok: false });
        expect(await registryTransfer(b).pull(byDigest, auth.value)).toEqual({ ok: true, value: undefined });
        expect((await b.getImage(byDigest).inspect()).RepoDigests).toEqual([byDigest]);
      } finally {
        await execa('docker', ['image', 'rm', `${ref}:t1`], { reject: false });
        await second?.wipe();
      }
    });

    it('no credentials, wrong ones: 401 with the reason and the fix, never the password', async () => {
      const anonymous = await client(reg.host, noConfig(reg.dir)).ping();
      expect(anonymous.ok).toBe(false);
      if (!anonymous.ok) {
        expect(anonymous.error).toMatchObject({ reason: 'unauthorized', status: 401, anonymous: true });
        expect(describeRegistryFailure(anonymous.error)).toContain(`Log in with \`docker login ${reg.host}\``);
      }
      const dir = await mkdtemp('/tmp/bi-cfg-');
      temp.push(dir);
      const auth = Buffer.from('builder:wrong-password').toString('base64');
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${reg.host}/v2/`]: { auth } } }));
      const wrong = await client(reg.host, { DOCKER_CONFIG: dir }).headManifest('app', 't');
      expect(wrong.ok).toBe(false);
      if (!wrong.ok) {
        expect(wrong.error).toMatchObject({ reason: 'unauthorized', status: 401, anonymous: false });
        const text = describeRegistryFailure(wrong.error);
        expect(text).toContain('refused the credentials (401)');
        expect(text).not.toContain('wrong-password');
        expect(text).not.toContain(auth);
      }
    });

    it('a credential helper (credHelpers), by the docker-credential-helpers protocol', async () => {
      const dir = await mkdtemp('/tmp/bi-cfg-');
      temp.push(dir);
      // The helper reads the server URL on stdin and answers for exactly that server.
      await writeFile(
        join(dir, 'docker-credential-bitest'),
        `#!/bin/sh\n[ "$1" = get ] || exit 1\nread -r server\n[ "$server" = "${reg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"builder","Secret":"${password}"}' "$server"\n`,
      );
      await chmod(join(dir, 'docker-credential-bitest'), 0o755);
      await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'bitest' } }));
      const path = process.env.PATH;
      process.env.PATH = `${dir}:${path}`;
      try {
        expect((await client(reg.host, { DOCKER_CONFIG: dir }).ping()).ok).toBe(true);
        await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'missing-helper' }));
        const missing = await client(reg.host, { DOCKER_CONFIG: dir }).ping();
        expect(missing.ok).toBe(false);
        if (!missing.ok)
          expect(describeRegistryFailure(missing.error)).toContain(
            `cannot get credentials for the registry ${reg.host}: the Docker client config names the credential helper docker-credential-missing-helper, which is not on PATH: install it, or remove it from the config`,
          );
      } finally {
        process.env.PATH = path;
      }
    });
  });

  it('TLS the client does not trust, and a registry that is not running: reason and fix', async () => {
    const reg = await start({ tls: true });
    const tls = await client(reg.host, noConfig(reg.dir), `https://${reg.host}`).ping();
    expect(tls.ok).toBe(false);
    if (!tls.ok) {
      expect(tls.error).toMatchObject({ reason: 'tls', detail: expect.stringMatching(/^DEPTH_ZERO_SELF_SIGNED_CERT: /) });
      expect(describeRegistryFailure(tls.error)).toContain('add its CA to the system store');
    }
    await reg.stop();
    const down = await client(reg.host, noConfig(reg.dir)).ping();
    expect(down.ok).toBe(false);
    if (!down.ok) {
      expect(down.error).toMatchObject({ reason: 'unreachable', detail: expect.stringMatching(/^ECONNREFUSED/) });
      expect(describeRegistryFailure(down.error)).toMatch(/^cannot reach the registry 127\.0\.0\.1:\d+: ECONNREFUSED/);
    }
  });
});
