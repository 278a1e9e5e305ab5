import type { Config } from '../../config/types.js';
import { err, ok } from '../../result.js';
import { dockerTemplatePath } from '../../packer/render-docker.js';
import { DOCKER_TFVARS_PATH, renderDockerTfvars } from '../../terraform/tfvars.js';
import { dockerTemplates, DOCKER_TEMPLATE_DIR } from '../../engine/generate.js';
import { shortId } from '../../ui/format.js';
import type { Target } from '../target.js';
import { buildDockerImage, dockerLogFile, FINGERPRINT_LABEL } from './build-image.js';
import type { DockerEngine } from './engine.js';

export interface DockerArtifact {
  readonly id: string;
}

export function dockerTarget(config: Config, docker: DockerEngine, emitNote: (message: string) => void): Target<DockerArtifact> {
  const settings = config.targets.docker;
  /** Image IDs by fingerprint, newest first; read once per run. */
  let index: Promise<Map<string, string[]>> | undefined;
  return {
    name: 'docker',
    templateDir: DOCKER_TEMPLATE_DIR,
    templatePath: dockerTemplatePath,
    templates: dockerTemplates,
    // Repository and tag do not shape content: a reused image is re-tagged instead.
    settings: (image) => ({
      ...(image.parent === undefined ? { 'targets.docker.base_image': settings.baseImage } : {}),
      'targets.docker.run_args': settings.runArgs,
      // The runtime config (entrypoint, cmd, ports) is part of the image too.
      [`images.${image.name}.docker`]: config.images.find((i) => i.name === image.name)?.docker ?? {},
    }),
    preflight: () => docker.ping(),
    async findReusable(_image, fingerprint, recorded) {
      // One query for the whole tree (1,000 images: one engine call instead of 1,000).
      index ??= docker.listByLabel(FINGERPRINT_LABEL).then((all) => {
        const byFingerprint = new Map<string, string[]>();
        for (const image of all)
          byFingerprint.set(image.labels[FINGERPRINT_LABEL]!, [...(byFingerprint.get(image.labels[FINGERPRINT_LABEL]!) ?? []), image.id]);
        return byFingerprint;
      });
      const found = (await index).get(fingerprint) ?? [];
      const id = found.find((candidate) => recorded.includes(candidate)) ?? found[0];
      return id === undefined ? undefined : { id };
    },
    async beforeRoots() {
      if (await docker.inspectImage(settings.baseImage)) return undefined;
      emitNote(`pulling base image ${settings.baseImage} (the engine does not have it)`);
      const pulled = await docker.pull(settings.baseImage);
      if (pulled.ok) return undefined;
      return `base image ${settings.baseImage} is not in the Docker engine and could not be pulled: ${pulled.error}. Offline? Make a local base image and point targets.docker.base_image at it (see examples/offline/).`;
    },
    async build(node, parent, fingerprint, ctx) {
      const built = await buildDockerImage(node, parent?.id ?? settings.baseImage, fingerprint, { config, docker, ...ctx });
      return built.ok ? ok({ id: built.value.id }) : err(built.error);
    },
    adopt: (image, artifact) => docker.tag(artifact.id, `${settings.repository}/${image}`, settings.tag),
    source: (parent) => parent?.id ?? settings.baseImage,
    ids: (artifact) => ({ id: artifact.id }),
    describe: (artifact) => shortId(artifact.id),
    logFile: (image) => dockerLogFile(config.root, image),
    tfvars: (artifacts) => ({
      path: DOCKER_TFVARS_PATH,
      content: renderDockerTfvars(artifacts.map(([image, a]) => [image, a.id] as const)),
    }),
    tfvarsPath: DOCKER_TFVARS_PATH,
    recordedInTfvars(parsed) {
      const images = (parsed as { images?: Record<string, unknown> } | undefined)?.images ?? {};
      return new Map(Object.entries(images).flatMap(([image, id]) => (typeof id === 'string' ? [[image, [id]] as const] : [])));
    },
  };
}
