import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Config, DockerImageSettings } from '../../config/types.js';
import type { ImageNode } from '../../graph/tree.js';
import { err, ok, type Result } from '../../result.js';
import { renderEnvFile } from '../../packer/env-file.js';
import { dockerImageId } from '../../packer/machine-readable.js';
import { dockerTemplatePath, type DockerTemplateVariables } from '../../packer/render-docker.js';
import type { Packer } from '../../packer/run.js';
import { provenanceLabels, type Provenance } from '../../provenance/provenance.js';
import type { DockerEngine } from './engine.js';
import { projectIdentity } from '../project.js';
import { formatDuration } from '../../text.js';
import { buildContainerName, type BuildContainerOwner } from './build-container.js';
import { explainBuildFailure } from './build-failure.js';

export interface BuiltImage {
  readonly id: string;
  readonly layers: readonly string[];
  /** The engine's Created time (ISO 8601): when the image was committed. */
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface DockerBuildContext {
  readonly config: Config;
  /** Secret values by name: in the env file only, and redacted from Packer's output. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly packer: Packer;
  readonly docker: DockerEngine;
  readonly signal: AbortSignal;
  readonly timeoutMs: number | undefined;
  readonly onLine: (line: string) => void;
  /** Whose build containers these are: their names say so (build-container.ts). */
  readonly owner: BuildContainerOwner;
}

export type DockerBuildFailure = { readonly message: string; readonly logFile: string; readonly interrupted: boolean };

export const dockerLogFile = (root: string, image: string): string => join(root, '.build-images', 'logs', 'docker', `${image}.log`);
/**
 * Packer's docker builder keeps a temp dir per build (bind-mounted into the container as /packer-files; uploads
 * pass through it) under PACKER_TMP_DIR, else ~/.packer.d (Packer 1.6.6 builder/docker/step_temp_dir.go,
 * ConfigTmpDir; the same in packer-plugin-docker). A killed Packer leaves it there; inside the project, under the
 * lock, the next run removes it. Not for a root holding ":", which `docker run -v host:guest` cannot mount.
 */
export const packerTmpDir = (root: string): string | undefined =>
  root.includes(':') ? undefined : join(root, '.build-images', 'docker', 'packer-tmp');

const workFile = (root: string, image: string, kind: string): string =>
  join(root, '.build-images', 'docker', kind, `${image}.${kind === 'vars' ? 'pkrvars.json' : 'env'}`);

/** Labels every built image carries; the parent is the exact image it was built from. */
export const FINGERPRINT_LABEL = 'org.build-images.fingerprint';

/**
 * The image config the commit records. Packer runs the build container with `--entrypoint=/bin/sh`, and
 * a commit keeps that unless told otherwise, so ENTRYPOINT and CMD are always given: the config's, else
 * the source image's (`[""]` is Docker's "no entrypoint"). (`docker commit --change` takes no STOPSIGNAL.)
 */
export function imageConfigChanges(
  settings: DockerImageSettings | undefined,
  source: { entrypoint: readonly string[] | null; cmd: readonly string[] | null },
): string[] {
  const entrypoint = settings?.entrypoint ?? source.entrypoint ?? [];
  const cmd = settings?.cmd ?? source.cmd ?? [];
  return [
    `ENTRYPOINT ${JSON.stringify(entrypoint.length === 0 ? [''] : entrypoint)}`,
    `CMD ${JSON.stringify(cmd)}`,
    ...(settings?.expose ?? []).map((port) => `EXPOSE ${port}`),
  ];
}

/**
 * Labels every built image carries: its name, the exact image it was built from, whose project it is
 * (prune removes only its own project's: src/targets/project.ts), and its provenance (the fingerprint
 * that makes it findable for reuse, the tree's resolved base, the tool version, the git state).
 */
export function imageLabels(image: string, parent: string, provenance: Provenance, project: string): Record<string, string> {
  return {
    'org.build-images.image': image,
    'org.build-images.parent': parent,
    'org.build-images.project': project,
    ...provenanceLabels(provenance),
  };
}

/** Builds one image with Packer from `source` (the parent's ID, or the base image for a root). */
export async function buildDockerImage(
  node: ImageNode,
  source: string,
  provenance: Provenance,
  ctx: DockerBuildContext,
): Promise<Result<BuiltImage, DockerBuildFailure>> {
  const { root, targets } = ctx.config;
  const logFile = dockerLogFile(root, node.name);
  const varFile = workFile(root, node.name, 'vars');
  const envFile = workFile(root, node.name, 'env');
  const fail = (message: string): { ok: false; error: DockerBuildFailure } => err({ message, logFile, interrupted: false });
  const container = buildContainerName(ctx.owner, node.name);
  const tmp = packerTmpDir(root);

  await mkdir(join(root, '.build-images', 'docker', 'env'), { recursive: true, mode: 0o700 });
  await mkdir(join(root, '.build-images', 'docker', 'vars'), { recursive: true });
  if (tmp !== undefined) await mkdir(tmp, { recursive: true, mode: 0o700 });
  // The environment may hold values users would rather not see in files: it lives only for the build.
  await writeFile(envFile, renderEnvFile({ ...node.image.variables, ...ctx.secrets }), { mode: 0o600 });
  const from = await ctx.docker.inspectImage(source);
  if (!from) {
    await rm(envFile, { force: true });
    return fail(`the source image ${source} is not in the Docker engine`);
  }
  const variables: DockerTemplateVariables = {
    source_image: source,
    // The container's name says whose it is, so the next run and doctor find it if this run is killed.
    run_args: [`--name=${container}`, ...targets.docker.runArgs],
    // Relative to the project root, where Packer runs: Packer 1.6.6's file provisioner renders its source
    // through the Go template engine (twice), and an absolute path would carry the project directory's name
    // into it, e.g. a directory named `dir{{uuid}}x` (issue 13 #13; see tests/e2e/template-path.test.ts).
    env_file: relative(root, envFile),
    repository: `${targets.docker.repository}/${node.name}`,
    tags: [targets.docker.tag],
    labels: imageLabels(node.name, source, provenance, projectIdentity(ctx.config).id),
    changes: imageConfigChanges(node.image.docker, from),
  };
  await writeFile(varFile, `${JSON.stringify(variables, null, 2)}\n`);

  const startedAt = new Date();
  const timeout = ctx.timeoutMs === undefined ? undefined : AbortSignal.timeout(ctx.timeoutMs);
  const signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;
  try {
    const result = await ctx.packer.build({
      cwd: root,
      template: dockerTemplatePath(node.name),
      varFile: relative(root, varFile),
      target: `docker.${node.name}`,
      logFile,
      signal,
      redact: Object.values(ctx.secrets),
      onLine: ctx.onLine,
      ...(tmp === undefined ? {} : { env: { PACKER_TMP_DIR: tmp } }),
    });
    if (!result.ok) {
      const failure = result.error;
      if (failure.reason === 'interrupted' && timeout?.aborted && !ctx.signal.aborted) {
        return fail(
          `timed out after ${formatDuration(ctx.timeoutMs ?? 0)} (--timeout); Packer stopped the build and removed its container`,
        );
      }
      if (failure.reason === 'interrupted') return err({ message: 'interrupted', logFile, interrupted: true });
      if (failure.reason === 'not-found') return fail(failure.message);
      return fail(await explainBuildFailure(ctx.docker, container, node.name, failure.message, startedAt));
    }
    const id = dockerImageId(result.value);
    if (id === undefined) {
      const seen = result.value.map((a) => `${a.builderId}=${a.id}`).join(', ') || 'none';
      return fail(`packer finished but reported no Docker image ID (artifacts: ${seen})`);
    }
    const info = await ctx.docker.inspectImage(id);
    if (!info) return fail(`packer reported image ${id}, but the Docker engine does not have it`);
    return ok({ id: info.id, layers: info.layers, created: info.created, labels: info.labels });
  } finally {
    await rm(envFile, { force: true });
  }
}
