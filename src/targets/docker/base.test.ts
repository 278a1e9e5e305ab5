import { describe, expect, it } from 'vitest';
import { err, ok } from '../../result.js';
import { parseReference, pinnedReference, resolveDockerBase, resolveInEngine } from './base.js';
import type { ImageInfo } from './engine.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['ubuntu:22.04', { repository: 'docker.io/library/ubuntu', tag: '22.04', digest: undefined }],
    ['ubuntu', { repository: 'docker.io/library/ubuntu', tag: undefined, digest: undefined }],
    ['local/debian:bookworm', { repository: 'docker.io/local/debian', tag: 'bookworm', digest: undefined }],
    ['127.0.0.1:5000/team/base:v1', { repository: '127.0.0.1:5000/team/base', tag: 'v1', digest: undefined }],
    ['index.docker.io/ubuntu:22.04', { repository: 'docker.io/library/ubuntu', tag: '22.04', digest: undefined }],
    ['localhost/base', { repository: 'localhost/base', tag: undefined, digest: undefined }],
    [`ubuntu:22.04@${A}`, { repository: 'docker.io/library/ubuntu', tag: '22.04', digest: A }],
    [`ghcr.io/acme/base@${A}`, { repository: 'ghcr.io/acme/base', tag: undefined, digest: A }],
  ])('%s', (ref, parsed) => {
    expect(parseReference(ref)).toEqual(parsed);
  });
});

describe('pinnedReference', () => {
  it.each([
    ['ubuntu:22.04', `ubuntu@${A}`],
    ['ubuntu', `ubuntu@${A}`],
    ['127.0.0.1:5000/team/base:v1', `127.0.0.1:5000/team/base@${A}`],
    ['127.0.0.1:5000/team/base', `127.0.0.1:5000/team/base@${A}`],
    [`ubuntu:22.04@${B}`, `ubuntu@${A}`],
  ])('%s', (name, pinned) => {
    expect(pinnedReference(name, A)).toBe(pinned);
  });
});

describe('resolveInEngine', () => {
  it('a pulled image: its repository digest, matched by repository (familiar or qualified)', () => {
    const image = { id: B, repoDigests: [`other@${B}`, `ubuntu@${A}`] };
    expect(resolveInEngine('ubuntu:22.04', image)).toEqual({ name: 'ubuntu:22.04', id: A });
    expect(resolveInEngine('docker.io/library/ubuntu:22.04', image)).toEqual({ name: 'docker.io/library/ubuntu:22.04', id: A });
  });

  it('a locally made image (docker import): its image ID', () => {
    expect(resolveInEngine('local/debian:bookworm', { id: B, repoDigests: [] })).toEqual({ name: 'local/debian:bookworm', id: B });
  });

  it('a digest-pinned name: the pinned digest', () => {
    expect(resolveInEngine(`ubuntu:22.04@${A}`, { id: B, repoDigests: [] }).id).toBe(A);
  });
});

describe('resolveDockerBase', () => {
  const local = (repoDigests: string[] = []) => ({ id: B, repoDigests }) as unknown as ImageInfo;
  const asked: string[] = [];
  const credentials: Array<Record<string, string> | undefined> = [];
  const engine = (image: ImageInfo | undefined, registry: { ok: true; value: string } | { ok: false; error: string }) => ({
    inspectImage: async () => image,
    registryDigest: async (ref: string, auth?: Record<string, string>) => {
      asked.push(ref);
      credentials.push(auth);
      return registry;
    },
  });

  it('takes what the engine has, without asking a registry; roots are built from its image ID', async () => {
    asked.length = 0;
    expect(await resolveDockerBase(engine(local(), err('unreachable')), 'local/debian:bookworm')).toEqual(
      ok({ resolved: { name: 'local/debian:bookworm', id: B }, source: B, local: true }),
    );
    expect(asked).toEqual([]);
  });

  it('a pulled image: its repository digest in the fingerprint, and still built from its image ID', async () => {
    expect(await resolveDockerBase(engine(local([`ubuntu@${A}`]), err('unreachable')), 'ubuntu:22.04')).toEqual(
      ok({ resolved: { name: 'ubuntu:22.04', id: A }, source: B, local: true }),
    );
  });

  it('asks the registry (through the engine, without pulling) when the engine lacks it; roots pull and build that digest', async () => {
    expect(await resolveDockerBase(engine(undefined, ok(A)), 'ubuntu:22.04')).toEqual(
      ok({ resolved: { name: 'ubuntu:22.04', id: A }, source: `ubuntu@${A}`, local: false }),
    );
    expect(asked).toEqual(['ubuntu:22.04']);
  });

  it('a digest-pinned name the engine lacks: that digest, without asking', async () => {
    asked.length = 0;
    expect(await resolveDockerBase(engine(undefined, err('unreachable')), `ubuntu:22.04@${A}`)).toEqual(
      ok({ resolved: { name: `ubuntu:22.04@${A}`, id: A }, source: `ubuntu@${A}`, local: false }),
    );
    expect(asked).toEqual([]);
  });

  it('hands the registry credentials to the engine: a base in a private registry is resolved on an empty runner', async () => {
    // Without them the engine's GET /distribution/{name}/json answers 500 "no basic auth credentials"
    // (seen with distribution 2.8 and htpasswd); this broke the registry e2e's fresh runner.
    credentials.length = 0;
    const auth = { username: 'ci', password: 'secret', serveraddress: '127.0.0.1:5000' };
    expect(await resolveDockerBase(engine(undefined, ok(A)), '127.0.0.1:5000/debian:bookworm', auth)).toEqual(
      ok({ resolved: { name: '127.0.0.1:5000/debian:bookworm', id: A }, source: `127.0.0.1:5000/debian@${A}`, local: false }),
    );
    expect(credentials).toEqual([auth]);
  });

  it('neither: an error naming the base, the registry’s answer and what to do', async () => {
    const result = await resolveDockerBase(engine(undefined, err('no such image')), 'ubuntu:22.04');
    expect(result).toEqual(
      err(
        'base image ubuntu:22.04 cannot be resolved: the Docker engine does not have it, and asking its registry failed (no such image). ' +
          'Offline? Make a local base image and point targets.docker.base_image at it (see examples/offline/).',
      ),
    );
  });
});
