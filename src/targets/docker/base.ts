import type { ResolvedBase } from '../../cache/fingerprint.js';
import { err, ok, type Result } from '../../result.js';
import type { DockerEngine } from './engine.js';

/** A Docker image reference split as distribution/reference does: repository, tag, digest. */
export interface ParsedReference {
  /** Fully qualified: docker.io/library/ubuntu for "ubuntu". */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/**
 * Splits `name[:tag][@digest]`. A ':' after the last '/' starts the tag (a ':' before it is a registry
 * port); Docker Hub names get their implied `docker.io/` and `library/` (distribution/reference normalize.go).
 */
export function parseReference(ref: string): ParsedReference {
  const [nameTag = '', digest] = ref.split('@', 2);
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  const name = colon > slash ? nameTag.slice(0, colon) : nameTag;
  const tag = colon > slash ? nameTag.slice(colon + 1) : undefined;
  const first = name.split('/')[0] ?? '';
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const qualified = hasRegistry ? name : `docker.io/${name}`;
  // index.docker.io is Docker Hub's legacy name; single-component Hub names live under library/.
  const hub = qualified.replace(/^index\.docker\.io\//, 'docker.io/');
  const repository = hub.startsWith('docker.io/') && hub.split('/').length === 2 ? hub.replace('docker.io/', 'docker.io/library/') : hub;
  return { repository, tag, digest };
}

/**
 * What `base_image` resolves to in the engine. A digest-pinned name is its digest. An image pulled from a
 * registry is known by its repository digest (the manifest digest, which the registry also answers for a
 * tag without a pull, so engine and registry agree); an image made locally (docker import, a build) has
 * none and is known by its image ID.
 */
export function resolveInEngine(name: string, image: { readonly id: string; readonly repoDigests: readonly string[] }): ResolvedBase {
  const wanted = parseReference(name);
  if (wanted.digest !== undefined) return { name, id: wanted.digest };
  const digest = image.repoDigests.map(parseReference).find((d) => d.repository === wanted.repository && d.digest !== undefined)?.digest;
  return { name, id: digest ?? image.id };
}

/**
 * `name` pinned to `digest`: `ubuntu:22.04` and `sha256:…` give `ubuntu@sha256:…`. A tag next to a digest
 * is ignored by the engine anyway; leaving it out keeps the reference one the engine can pull and run.
 */
export function pinnedReference(name: string, digest: string): string {
  const [nameTag = ''] = name.split('@', 1);
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  return `${colon > slash ? nameTag.slice(0, colon) : nameTag}@${digest}`;
}

/** The roots' base for one run: what goes into their fingerprints, and what they are built from. */
export interface DockerBase {
  readonly resolved: ResolvedBase;
  /**
   * The exact image the fingerprint names, never the tag (which may move between plan and build): the
   * image ID when the engine has the image, else `repository@digest`, which beforeRoots pulls by digest.
   * Packer 1.6.6's docker builder with `pull = false` passes `image` to `docker run` untouched
   * (hashicorp/packer v1.6.6 builder/docker/step_pull.go returns early when !config.Pull;
   * step_run.go and driver_docker.go StartContainer put config.Image into `{{.Image}}` of run_command).
   */
  readonly source: string;
  /** Whether the engine has `source` already (false: it must be pulled before the first root builds). */
  readonly local: boolean;
}

/**
 * The base as the engine has it, else as its registry serves it (a manifest digest, without pulling: the
 * same digest the engine records once it pulls). Neither: an error that stops the run before any build.
 */
export async function resolveDockerBase(
  docker: Pick<DockerEngine, 'inspectImage' | 'registryDigest'>,
  name: string,
  /** Registry credentials (X-Registry-Auth) when the base lives in a registry that needs them. */
  auth?: Record<string, string>,
): Promise<Result<DockerBase, string>> {
  const local = await docker.inspectImage(name);
  if (local) return ok({ resolved: resolveInEngine(name, local), source: local.id, local: true });
  const pinned = parseReference(name).digest;
  if (pinned !== undefined) return ok({ resolved: { name, id: pinned }, source: pinnedReference(name, pinned), local: false });
  const remote = await docker.registryDigest(name, auth);
  if (remote.ok) return ok({ resolved: { name, id: remote.value }, source: pinnedReference(name, remote.value), local: false });
  return err(
    `base image ${name} cannot be resolved: the Docker engine does not have it, and asking its registry failed (${remote.error}). ` +
      'Offline? Make a local base image and point targets.docker.base_image at it (see examples/offline/).',
  );
}
