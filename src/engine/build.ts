import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/types.js';
import { buildTree } from '../graph/tree.js';
import { schedule } from '../graph/scheduler.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { formatVersion, MINIMUM_PACKER, atLeast, usesPlugins, type PackerVersion } from '../packer/version.js';
import type { Packer } from '../packer/run.js';
import { dockerTemplatePath } from '../packer/render-docker.js';
import { DOCKER_TFVARS_PATH, renderDockerTfvars } from '../terraform/tfvars.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { buildDockerImage, type BuiltImage } from '../targets/docker/build-image.js';
import { TOOL_VERSION } from '../version.js';
import type { EmitEvent } from './events.js';
import { DOCKER_TEMPLATE_DIR, dockerTemplates, hasProvisionerLib, writeGenerated } from './generate.js';
import { manifestPath, relativeLog, renderManifest, type ManifestImage } from './manifest.js';

export interface BuildOptions {
  readonly config: Config;
  readonly packer: Packer;
  readonly docker: DockerEngine;
  readonly emit: EmitEvent;
  readonly signal: AbortSignal;
  /** From the command line; overrides the config's. */
  readonly concurrency?: number;
}

export type BuildOutcome =
  | { readonly status: 'succeeded'; readonly ids: ReadonlyMap<string, string>; readonly tfvars: string }
  | { readonly status: 'failed' | 'interrupted' }
  /** The run could not start (Packer or Docker missing): nothing was built or written. */
  | { readonly status: 'not-started'; readonly message: string };

/** Checks Packer before anything is written: missing or too old stops the run with the fix. */
export async function detectPacker(packer: Packer): Promise<{ ok: true; version: PackerVersion } | { ok: false; message: string }> {
  const version = await packer.version();
  if (!version.ok) return { ok: false, message: version.error };
  if (!atLeast(version.value, MINIMUM_PACKER.major, MINIMUM_PACKER.minor)) {
    return { ok: false, message: `Packer ${formatVersion(version.value)} is too old: build-images needs >= ${formatVersion(MINIMUM_PACKER)} (HCL2 templates).` };
  }
  return { ok: true, version: version.value };
}

export async function runDockerBuild(options: BuildOptions): Promise<BuildOutcome> {
  const { config, packer, docker, emit, signal } = options;
  const { root } = config;
  const tree = buildTree(config.images);
  const startedAt = new Date();

  const packerVersion = await detectPacker(packer);
  if (!packerVersion.ok) return { status: 'not-started', message: packerVersion.message };
  const engine = await docker.ping();
  if (!engine.ok) return { status: 'not-started', message: engine.error };
  emit({ type: 'note', message: `Packer ${formatVersion(packerVersion.version)}, ${engine.value}` });

  const files = dockerTemplates(tree, packerVersion.version, await hasProvisionerLib(root));
  await writeGenerated(root, DOCKER_TEMPLATE_DIR, files);
  if (usesPlugins(packerVersion.version)) {
    for (const node of tree.order) {
      const init = await packer.init(root, dockerTemplatePath(node.name));
      if (!init.ok) return { status: 'not-started', message: `packer init failed for ${dockerTemplatePath(node.name)}: ${init.error}` };
    }
  }

  const baseImage = config.targets.docker.baseImage;
  const baseProblem = tree.levels[0]!.length > 0 ? await ensureBaseImage(docker, baseImage, emit) : undefined;

  const records = new Map<string, ManifestImage>();
  for (const node of tree.order) emit({ type: 'queued', image: node.name, parent: node.parent });
  const concurrency = options.concurrency ?? config.targets.docker.concurrency ?? Math.max(1, availableParallelism());

  const result = await schedule<BuiltImage>(tree.order, {
    concurrency,
    signal,
    onSkip: (image, because) => {
      records.set(image, { status: 'skipped', parent: tree.byName.get(image)?.parent ?? null, error: `skipped: ${because === 'interrupt' ? 'interrupted' : `${because} did not build`}` });
      emit({ type: 'skipped', image, because });
    },
    run: async (name, parent) => {
      const node = tree.byName.get(name)!;
      const source = parent?.id ?? baseImage;
      const started = Date.now();
      emit({ type: 'started', image: name });
      if (parent === undefined && baseProblem !== undefined) {
        records.set(name, { status: 'failed', parent: null, source, durationMs: 0, error: baseProblem });
        emit({ type: 'failed', image: name, message: baseProblem, logFile: undefined, logTail: [], durationMs: 0 });
        return { ok: false };
      }
      const built = await buildDockerImage(node, source, { config, packer, docker, signal, onLine: (line) => emit({ type: 'log', image: name, line }) });
      const durationMs = Date.now() - started;
      const log = built.ok ? undefined : built.error.logFile;
      if (built.ok) {
        records.set(name, { status: 'built', id: built.value.id, parent: node.parent ?? null, source, durationMs, log: relativeLog(root, join(root, '.build-images', 'logs', 'docker', `${name}.log`)) });
        emit({ type: 'done', image: name, id: built.value.id, durationMs });
        return { ok: true, value: built.value };
      }
      records.set(name, { status: 'failed', parent: node.parent ?? null, source, durationMs, log: log && relativeLog(root, log), error: built.error.message });
      emit({ type: 'failed', image: name, message: built.error.message, logFile: log, logTail: log ? await tail(log, 15) : [], durationMs });
      return { ok: false };
    },
  });

  const interrupted = signal.aborted;
  const allBuilt = tree.order.every((n) => result.states.get(n.name) === 'completed');
  const status = allBuilt ? 'succeeded' : interrupted ? 'interrupted' : 'failed';
  const images = Object.fromEntries(tree.order.map((n) => [n.name, records.get(n.name) ?? { status: 'skipped' as const, parent: n.parent ?? null, error: 'skipped: interrupted' }]));
  await writeFileAtomic(
    manifestPath(root, 'docker'),
    renderManifest({ version: 1, target: 'docker', tool: TOOL_VERSION, packer: formatVersion(packerVersion.version), startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), status, images }),
  );
  if (!allBuilt) return { status: interrupted ? 'interrupted' : 'failed' };

  const ids = new Map(tree.order.map((n) => [n.name, result.values.get(n.name)!.id]));
  // Only a complete tree reaches Terraform: a partial file would roll out a mix of old and new images.
  await writeFileAtomic(join(root, DOCKER_TFVARS_PATH), renderDockerTfvars([...ids]));
  return { status: 'succeeded', ids, tfvars: DOCKER_TFVARS_PATH };
}

/** Returns why the base image is unusable, or undefined once the engine has it. */
async function ensureBaseImage(docker: DockerEngine, ref: string, emit: EmitEvent): Promise<string | undefined> {
  if (await docker.inspectImage(ref)) return undefined;
  emit({ type: 'note', message: `pulling base image ${ref} (the engine does not have it)` });
  const pulled = await docker.pull(ref);
  if (pulled.ok) return undefined;
  return `base image ${ref} is not in the Docker engine and could not be pulled: ${pulled.error}. Offline? Make a local base image and point targets.docker.base_image at it (see examples/offline/).`;
}

async function tail(file: string, lines: number): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines);
}

