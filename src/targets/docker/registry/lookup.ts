import { err, ok, type Result } from '../../../result.js';
import type { RegistryClient } from './client.js';
import type { RegistryFailure } from './failure.js';
import { referenceOf, repositoryOf } from './location.js';

/**
 * How an image's fingerprint is found in the registry without pulling a layer: every pushed image is
 * also tagged `fp-<fingerprint>`, so one HEAD on that tag says whether it exists and gives its digest.
 *
 * The alternative, reading the fingerprint label from each image config, needs the tag list and then a
 * manifest and a config blob per tag: requests grow with the registry's history, and tag listing is
 * paginated, rate-limited or disabled on some hosted registries (ECR needs a separate API for it). A
 * tag lookup costs the same for the first build and the thousandth, and works on every registry that
 * serves the v2 API. The tag is still checked against the label (manifest and config blob, a few KB)
 * so a tag someone moved by hand cannot pass off another image as this fingerprint.
 */
export const FINGERPRINT_TAG_PREFIX = 'fp-';
export const fingerprintTag = (fingerprint: string): string => `${FINGERPRINT_TAG_PREFIX}${fingerprint}`;

/** An image in the registry, found by fingerprint. */
export interface RegistryImage {
  /** `<registry>/<image>@sha256:…`: what the tfvars pins and a child is built from. */
  readonly ref: string;
  /** The manifest digest. */
  readonly digest: string;
  /** The config digest: the image ID an engine gives the image once pulled. */
  readonly imageId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** When the image was built (config `created`), ISO 8601. */
  readonly created: string;
}

const SCHEMA2_OR_OCI = new Set(['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json']);

/** The image a manifest reference (tag or digest) names, with its config; undefined when absent or not a single image. */
export async function readImage(
  client: RegistryClient,
  image: string,
  reference: string,
): Promise<Result<RegistryImage | undefined, RegistryFailure>> {
  const repository = repositoryOf(client.location, image);
  const manifest = await client.getManifest(repository, reference);
  if (!manifest.ok || manifest.value === undefined) return manifest.ok ? ok(undefined) : manifest;
  if (!SCHEMA2_OR_OCI.has(manifest.value.mediaType)) return ok(undefined);
  const configDigest = (manifest.value.body as { config?: { digest?: unknown } }).config?.digest;
  if (typeof configDigest !== 'string') return ok(undefined);
  const config = await client.getJsonBlob(repository, configDigest);
  if (!config.ok) return config;
  const body = config.value as { created?: unknown; config?: { Labels?: Record<string, string> | null } } | undefined;
  return ok({
    ref: `${referenceOf(client.location, image)}@${manifest.value.digest}`,
    digest: manifest.value.digest,
    imageId: configDigest,
    labels: body?.config?.Labels ?? {},
    created: typeof body?.created === 'string' ? body.created : '',
  });
}

/** The image pushed for this fingerprint, if the registry has one whose label agrees. */
export async function findByFingerprint(
  client: RegistryClient,
  image: string,
  fingerprint: string,
  fingerprintLabel: string,
): Promise<Result<RegistryImage | undefined, RegistryFailure>> {
  const repository = repositoryOf(client.location, image);
  // HEAD first: a miss (the common case for a changed image) costs one request and no body.
  const head = await client.headManifest(repository, fingerprintTag(fingerprint));
  if (!head.ok) return head;
  if (head.value === undefined) return ok(undefined);
  const found = await readImage(client, image, head.value.digest);
  if (!found.ok) return found;
  if (found.value === undefined || found.value.labels[fingerprintLabel] !== fingerprint) return ok(undefined);
  return found.value.digest === head.value.digest
    ? ok(found.value)
    : err({
        reason: 'protocol',
        registry: client.location.host,
        status: 200,
        detail: `the manifest of ${repository}:${fingerprintTag(fingerprint)} changed while it was read`,
      });
}

/**
 * Every image build-images pushed for these image names: the `fp-` tags of each repository, read back
 * (manifest and config, no layers). One image pushed under several fingerprint tags appears once.
 */
export async function listPushed(client: RegistryClient, images: readonly string[]): Promise<Result<RegistryImage[], RegistryFailure>> {
  const out: RegistryImage[] = [];
  const seen = new Set<string>();
  for (const image of images) {
    const tags = await client.listTags(repositoryOf(client.location, image));
    if (!tags.ok) return tags;
    for (const tag of tags.value.filter((t) => t.startsWith(FINGERPRINT_TAG_PREFIX)).sort()) {
      const found = await readImage(client, image, tag);
      if (!found.ok) return found;
      if (found.value === undefined || seen.has(found.value.ref)) continue;
      seen.add(found.value.ref);
      out.push(found.value);
    }
  }
  return ok(out);
}
