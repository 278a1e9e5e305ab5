import type { Config } from '../../config/types.js';
import { err, ok } from '../../result.js';
import { renderDockerTfvars } from '../../terraform/tfvars.js';
import { shortId } from '../../text.js';
import type { Target, TargetDefinition } from '../target.js';
import { buildDockerImage, dockerLogFile, FINGERPRINT_LABEL } from './build-image.js';
import type { DockerEngine } from './engine.js';
import { dockerPrune } from './prune.js';

/** The label every built image carries naming the exact image it was built from (see imageLabels). */
const PARENT_LABEL = 'org.build-images.parent';

export interface DockerArtifact {
  readonly id: string;
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
      return pinged.ok ? ok({ description: pinged.value, context: undefined }) : err(pinged.error);
    },
    async findReusable(queries) {
      // One query for the whole tree (1,000 images: one engine call instead of 1,000).
      const byFingerprint = new Map<string, { id: string; parent: string | undefined }[]>();
      for (const image of await docker.listByLabel(FINGERPRINT_LABEL)) {
        const fingerprint = image.labels[FINGERPRINT_LABEL]!;
        const entry = { id: image.id, parent: image.labels[PARENT_LABEL] };
        byFingerprint.set(fingerprint, [...(byFingerprint.get(fingerprint) ?? []), entry]);
      }
      // Queries come parent first. A child is reused only when it was built on the image chosen for its parent
      // (its org.build-images.parent label): two projects building the same fingerprints at once made two
      // roots and two children, and mixing them handed Terraform a child whose parent it did not have
      // (issue 13 #11). Among equal candidates, one that this project recorded, then one whose children can
      // be reused too, then the newest.
      const found = new Map<string, DockerArtifact>();
      for (const query of queries) {
        const parentId = query.parent === undefined ? undefined : found.get(query.parent)?.id;
        if (query.parent !== undefined && parentId === undefined) continue; // the parent is rebuilt: so is this
        const candidates = (byFingerprint.get(query.fingerprint) ?? []).filter((c) => parentId === undefined || c.parent === parentId);
        const childFingerprints = queries.filter((q) => q.parent === query.image).map((q) => q.fingerprint);
        const hasChild = (c: { id: string }): boolean =>
          childFingerprints.some((f) => (byFingerprint.get(f) ?? []).some((child) => child.parent === c.id));
        const chosen = candidates.find((c) => query.recorded.includes(c.id)) ?? candidates.find(hasChild) ?? candidates[0];
        if (chosen !== undefined) found.set(query.image, { id: chosen.id });
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
      const built = await buildDockerImage(node, parent?.id ?? settings.baseImage, fingerprint, {
        config,
        docker,
        packer: ctx.packer,
        secrets: ctx.secrets,
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
        onLine: ctx.onLine,
      });
      return built.ok ? ok({ id: built.value.id }) : err(built.error);
    },
    adopt: (image, artifact) => docker.tag(artifact.id, `${settings.repository}/${image}`, settings.tag),
    source: (parent) => parent?.id ?? settings.baseImage,
    ids: (artifact) => ({ id: artifact.id }),
    describe: (artifact) => shortId(artifact.id),
    logFile: (image) => dockerLogFile(config.root, image),
    tfvars: (artifacts) => renderDockerTfvars(artifacts.map(([image, a]) => [image, a.id] as const)),
    prune: { defaultKeep: 3, plan: (keep, referenced) => dockerPrune(docker, config, keep, referenced) },
  };
}
