import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/types.js';
import { schedule } from '../graph/scheduler.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { formatVersion, usesPlugins } from '../packer/version.js';
import type { Packer } from '../packer/run.js';
import { dockerTemplatePath } from '../packer/render-docker.js';
import { DOCKER_TFVARS_PATH, renderDockerTfvars } from '../terraform/tfvars.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { buildDockerImage, dockerLogFile } from '../targets/docker/build-image.js';
import { TOOL_VERSION } from '../version.js';
import type { EmitEvent } from './events.js';
import { DOCKER_TEMPLATE_DIR, writeGenerated } from './generate.js';
import { manifestPath, readManifest, relativeLog, renderManifest, type Manifest, type ManifestImage } from './manifest.js';
import { prepareDockerRun, SELECT_ALL, type Selection } from './prepare.js';

export interface BuildOptions {
  readonly config: Config;
  readonly packer: Packer;
  readonly docker: DockerEngine;
  readonly emit: EmitEvent;
  readonly signal: AbortSignal;
  /** From the command line; overrides the config's. */
  readonly concurrency?: number;
  readonly selection?: Selection;
  /** Per image build; a build that takes longer is stopped and cleaned up like Ctrl-C, and fails. */
  readonly timeoutMs?: number;
}

export type BuildOutcome =
  | { readonly status: 'succeeded'; readonly images: Manifest['images']; readonly tfvars: string | undefined }
  | { readonly status: 'failed' | 'interrupted'; readonly images: Manifest['images'] }
  /** The run could not start (Packer or Docker missing): nothing was built or written. */
  | { readonly status: 'not-started'; readonly message: string };

export async function runDockerBuild(options: BuildOptions): Promise<BuildOutcome> {
  const { config, packer, docker, emit, signal } = options;
  const { root } = config;
  const startedAt = new Date();

  const prepared = await prepareDockerRun(config, { packer, docker }, options.selection ?? SELECT_ALL);
  if (!prepared.ok) return { status: 'not-started', message: prepared.message };
  const { tree, decisions, fingerprints } = prepared.value;
  emit({ type: 'note', message: `Packer ${formatVersion(prepared.value.packer)}, ${prepared.value.engine}` });

  await writeGenerated(root, DOCKER_TEMPLATE_DIR, prepared.value.templates);
  const toBuild = tree.order.filter((n) => decisions.get(n.name)?.action === 'build');
  if (usesPlugins(prepared.value.packer)) {
    for (const node of toBuild) {
      const init = await packer.init(root, dockerTemplatePath(node.name));
      if (!init.ok) return { status: 'not-started', message: `packer init failed for ${dockerTemplatePath(node.name)}: ${init.error}` };
    }
  }

  const baseImage = config.targets.docker.baseImage;
  const needsBase = toBuild.some((n) => n.parent === undefined);
  const baseProblem = needsBase ? await ensureBaseImage(docker, baseImage, emit) : undefined;

  const previous = (await readManifest(root, 'docker'))?.images ?? {};
  const records = new Map<string, ManifestImage>();
  const record = (name: string, entry: Omit<ManifestImage, 'parent' | 'fingerprint' | 'inputs'>, built: boolean): void => {
    const node = tree.byName.get(name)!;
    const fp = fingerprints.get(name)!;
    // Inputs describe the last good build: carried over when this run did not produce one.
    const inputs = built ? fp.inputs : previous[name]?.inputs;
    records.set(name, { ...entry, parent: node.parent ?? null, fingerprint: fp.fingerprint, ...(inputs ? { inputs } : {}) });
  };

  const scheduled = tree.order.filter((n) => decisions.get(n.name)?.action !== 'absent');
  for (const node of tree.order) {
    const decision = decisions.get(node.name)!;
    if (decision.action === 'absent') record(node.name, { status: 'absent' }, false);
    else emit({ type: 'queued', image: node.name, parent: node.parent });
  }
  const concurrency = options.concurrency ?? config.targets.docker.concurrency ?? Math.max(1, availableParallelism());
  const repository = (name: string): string => `${config.targets.docker.repository}/${name}`;

  const result = await schedule<{ id: string }>(scheduled, {
    concurrency,
    signal,
    onSkip: (image, because) => {
      record(image, { status: 'skipped', error: `skipped: ${because === 'interrupt' ? 'interrupted' : `${because} did not build`}` }, false);
      emit({ type: 'skipped', image, because });
    },
    run: async (name, parent) => {
      const node = tree.byName.get(name)!;
      const decision = decisions.get(name)!;
      const source = parent?.id ?? baseImage;
      if (decision.action === 'reuse') {
        await docker.tag(decision.id, repository(name), config.targets.docker.tag);
        record(name, { status: 'reused', id: decision.id }, true);
        emit({ type: 'reused', image: name, id: decision.id });
        return { ok: true, value: { id: decision.id } };
      }
      const reasons = decision.action === 'build' ? decision.reasons : [];
      const started = Date.now();
      emit({ type: 'started', image: name, reasons });
      if (parent === undefined && baseProblem !== undefined) {
        record(name, { status: 'failed', source, durationMs: 0, error: baseProblem, reasons }, false);
        emit({ type: 'failed', image: name, message: baseProblem, logFile: undefined, logTail: [], durationMs: 0 });
        return { ok: false };
      }
      const built = await buildDockerImage(node, source, fingerprints.get(name)!.fingerprint, {
        config,
        packer,
        docker,
        signal,
        timeoutMs: options.timeoutMs,
        onLine: (line) => emit({ type: 'log', image: name, line }),
      });
      const durationMs = Date.now() - started;
      const log = relativeLog(root, dockerLogFile(root, name));
      if (built.ok) {
        record(name, { status: 'built', id: built.value.id, source, durationMs, log, reasons }, true);
        emit({ type: 'done', image: name, id: built.value.id, durationMs });
        return { ok: true, value: built.value };
      }
      record(name, { status: 'failed', source, durationMs, log, error: built.error.message, reasons }, false);
      emit({ type: 'failed', image: name, message: built.error.message, logFile: log, logTail: await tail(built.error.logFile, 15), durationMs });
      return { ok: false };
    },
  });

  const interrupted = signal.aborted;
  const allDone = scheduled.every((n) => result.states.get(n.name) === 'completed');
  const status = allDone ? 'succeeded' : interrupted ? 'interrupted' : 'failed';
  const images = Object.fromEntries(tree.order.map((n) => [n.name, records.get(n.name) ?? { status: 'skipped' as const, parent: n.parent ?? null, error: 'skipped: interrupted' }]));
  await writeFileAtomic(
    manifestPath(root, 'docker'),
    renderManifest({ version: 1, target: 'docker', tool: TOOL_VERSION, packer: formatVersion(prepared.value.packer), startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), status, images }),
  );
  if (!allDone) return { status: interrupted ? 'interrupted' : 'failed', images };

  const ids = new Map(scheduled.map((n) => [n.name, result.values.get(n.name)!.id]));
  // Only a complete tree reaches Terraform: a partial file would roll out a mix of old and new images.
  if (ids.size !== tree.order.length) return { status: 'succeeded', images, tfvars: undefined };
  await writeFileAtomic(join(root, DOCKER_TFVARS_PATH), renderDockerTfvars(tree.order.map((n) => [n.name, ids.get(n.name)!] as const)));
  return { status: 'succeeded', images, tfvars: DOCKER_TFVARS_PATH };
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
