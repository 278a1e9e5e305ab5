import { err, ok, type Result } from '../../../result.js';
import type { DockerEngine } from '../engine.js';
import type { RegistryClient } from './client.js';
import { describeRegistryFailure, explainRegistryFailure } from './failure.js';
import { referenceOf, repositoryOf } from './location.js';
import { findByFingerprint, fingerprintTag, listPushed, readImage, type RegistryImage } from './lookup.js';

/**
 * What the Docker target does with `targets.docker.registry`: check it before anything is built, find
 * images by fingerprint there, push what it built, and pull a parent that this engine does not have.
 * Every failure is a message with the reason and the fix; none carries a credential.
 */
export interface RegistrySide {
  readonly host: string;
  /** Reachable, and the credentials are accepted (or anonymous access is): one line, or why not. */
  preflight(): Promise<Result<string, { problem: string; fix: string }>>;
  /** The engine's X-Registry-Auth for this registry (undefined: anonymous). */
  auth(): Promise<Result<Record<string, string> | undefined, string>>;
  find(image: string, fingerprint: string): Promise<Result<RegistryImage | undefined, string>>;
  /** Tags the local image `<registry>/<image>:fp-<fingerprint>` and pushes it: the digest-pinned reference. */
  publish(
    image: string,
    localId: string,
    fingerprint: string,
    signal?: AbortSignal,
  ): Promise<Result<{ ref: string; digest: string }, string>>;
  /** Makes sure the engine has `ref` (`<registry>/<image>@sha256:…`): pulls it by digest when it does not. */
  ensureLocal(ref: string, signal?: AbortSignal): Promise<Result<'present' | 'pulled', string>>;
  /** Every image build-images pushed for these names (for prune). */
  listPushed(images: readonly string[]): Promise<Result<RegistryImage[], string>>;
  /** The image a `<registry>/<image>@sha256:…` reference names, or undefined (gone, or another registry). */
  resolve(ref: string): Promise<Result<RegistryImage | undefined, string>>;
  /** Deletes a manifest by digest, with every tag on it; 'unsupported' where the registry does not allow deletion. */
  remove(image: string, digest: string): Promise<Result<'deleted' | 'absent' | 'unsupported', string>>;
}

export function registrySide(deps: {
  client: RegistryClient;
  engine: Pick<DockerEngine, 'inspectImage' | 'tag' | 'push' | 'pull'>;
  fingerprintLabel: string;
}): RegistrySide {
  const { client, engine } = deps;
  const host = client.location.host;
  const auth = async (): Promise<Result<Record<string, string> | undefined, string>> => {
    const got = await client.engineAuth();
    return got.ok ? got : err(describeRegistryFailure(got.error));
  };
  return {
    host,
    auth,
    async preflight() {
      const pinged = await client.ping();
      return pinged.ok ? pinged : err(explainRegistryFailure(pinged.error));
    },
    async find(image, fingerprint) {
      const found = await findByFingerprint(client, image, fingerprint, deps.fingerprintLabel);
      return found.ok ? found : err(describeRegistryFailure(found.error));
    },
    async publish(image, localId, fingerprint, signal) {
      const repository = referenceOf(client.location, image);
      const tag = fingerprintTag(fingerprint);
      const credentials = await auth();
      if (!credentials.ok) return credentials;
      await engine.tag(localId, repository, tag);
      const pushed = await engine.push(repository, tag, credentials.value, signal);
      if (!pushed.ok)
        return err(
          `pushing ${repository}:${tag} to ${host} failed: ${pushed.error}. The image is built and kept in this engine; a rerun pushes it without building it again.`,
        );
      return ok({ ref: `${repository}@${pushed.value}`, digest: pushed.value });
    },
    async listPushed(images) {
      const listed = await listPushed(client, images);
      return listed.ok ? listed : err(describeRegistryFailure(listed.error));
    },
    async resolve(ref) {
      const prefix = `${referenceOf(client.location, '')}`;
      const at = ref.lastIndexOf('@');
      if (!ref.startsWith(prefix) || at < 0) return ok(undefined);
      const found = await readImage(client, ref.slice(prefix.length, at), ref.slice(at + 1));
      return found.ok ? found : err(describeRegistryFailure(found.error));
    },
    async remove(image, digest) {
      const removed = await client.deleteManifest(repositoryOf(client.location, image), digest);
      return removed.ok ? removed : err(describeRegistryFailure(removed.error));
    },
    async ensureLocal(ref, signal) {
      if (await engine.inspectImage(ref)) return ok('present');
      const credentials = await auth();
      if (!credentials.ok) return credentials;
      const pulled = await engine.pull(ref, credentials.value, signal);
      return pulled.ok ? ok('pulled') : err(`pulling ${ref} from ${host} failed: ${pulled.error}`);
    },
  };
}
