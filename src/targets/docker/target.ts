import type { Config } from '../../config/types.js';
import { err, ok } from '../../result.js';
import { renderDockerTfvars } from '../../terraform/tfvars.js';
import { shortId } from '../../text.js';
import type { Target, TargetDefinition } from '../target.js';
import { buildDockerImage, dockerLogFile, FINGERPRINT_LABEL } from './build-image.js';
import type { DockerEngine } from './engine.js';
import { dockerPrune } from './prune.js';
import { resolveDockerBase } from './base.js';
import { readProvenance } from '../../provenance/provenance.js';

export interface DockerArtifact {
  readonly id: string;
  /** The engine's Created time (ISO 8601): the image's age for max_age, the same on any machine sharing it. */
  readonly created?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Docker images built by Packer's docker builder in one engine, tagged <repository>/<image>:<tag>. */
export function dockerTarget(
  definition: TargetDefinition,
  config: Config,
  docker: DockerEngine,
  emitNote: (message: string) => void,
): Target<DockerArtifact, undefined> {
  const settings = config.targets.docker;
  return {
    definition,
    concurrency: settings.concurrency,
    // Repository and tag do not shape content: a reused image is re-tagged instead.
    settings: (image) => ({
      ...(image.parent === undefined ? { 'targets.docker.base_image': settings.baseImage } : {}),
      'targets.docker.run_args': settings.runArgs,
      // The runtime config (entrypoint, cmd, ports) is part of the image too.
      [`images.${image.name}.docker`]: config.images.find((i) => i.name === image.name)?.docker ?? {},
    }),
    async preflight() {
      const pinged = await docker.ping();
      if (!pinged.ok) return err(pinged.error);
      // Every root starts from base_image: what it points at now is part of their fingerprints.
      const base = await resolveDockerBase(docker, settings.baseImage);
      return base.ok ? ok({ description: pinged.value, context: undefined, base: base.value }) : err(base.error);
    },
    async findReusable(queries) {
      // One query for the whole tree (1,000 images: one engine call instead of 1,000).
      const byFingerprint = new Map<string, DockerArtifact[]>();
      for (const image of await docker.listByLabel(FINGERPRINT_LABEL)) {
        const fingerprint = image.labels[FINGERPRINT_LABEL]!;
        byFingerprint.set(fingerprint, [...(byFingerprint.get(fingerprint) ?? []), image]);
      }
      const found = new Map<string, DockerArtifact>();
      for (const query of queries) {
        const candidates = byFingerprint.get(query.fingerprint) ?? [];
        const artifact = candidates.find((candidate) => query.recorded.includes(candidate.id)) ?? candidates[0];
        if (artifact !== undefined) found.set(query.image, artifact);
      }
      return ok(found);
    },
    async beforeRoots() {
      if (await docker.inspectImage(settings.baseImage)) return undefined;
      emitNote(`pulling base image ${settings.baseImage} (the engine does not have it)`);
      const pulled = await docker.pull(settings.baseImage);
      if (pulled.ok) return undefined;
      return `base image ${settings.baseImage} is not in the Docker engine and could not be pulled: ${pulled.error}. Offline? Make a local base image and point targets.docker.base_image at it (see examples/offline/).`;
    },
    async build(node, parent, fingerprint, ctx) {
      const built = await buildDockerImage(
        node,
        parent?.id ?? settings.baseImage,
        { ...ctx.provenance, fingerprint },
        {
          config,
          docker,
          packer: ctx.packer,
          secrets: ctx.secrets,
          signal: ctx.signal,
          timeoutMs: ctx.timeoutMs,
          onLine: ctx.onLine,
        },
      );
      return built.ok ? ok({ id: built.value.id, created: built.value.created, labels: built.value.labels }) : err(built.error);
    },
    adopt: (image, artifact) => docker.tag(artifact.id, `${settings.repository}/${image}`, settings.tag),
    source: (parent) => parent?.id ?? settings.baseImage,
    ids: (artifact) => ({ id: artifact.id }),
    describe: (artifact) => shortId(artifact.id),
    builtAt: (artifact) => (artifact.created === undefined ? undefined : new Date(artifact.created)),
    provenance: (artifact) => readProvenance(artifact.labels ?? {}, 'org.build-images.'),
    logFile: (image) => dockerLogFile(config.root, image),
    tfvars: (artifacts) => renderDockerTfvars(artifacts.map(([image, a]) => [image, a.id] as const)),
    prune: { defaultKeep: 3, plan: (keep, referenced) => dockerPrune(docker, config, keep, referenced) },
  };
}
