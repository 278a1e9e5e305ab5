import { dirname, join, relative } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/types.js';
import { schedule } from '../graph/scheduler.js';
import { commitStaged, discardStaged, recoverCommit, stageFile, type CommitOptions, type StagedFile } from '../fs/commit.js';
import { formatVersion, usesPlugins } from '../packer/version.js';
import type { Packer } from '../packer/run.js';
import type { Target } from '../targets/target.js';
import { TOOL_VERSION } from '../version.js';
import { readGitState } from '../provenance/git.js';
import { provenanceJson, type Provenance } from '../provenance/provenance.js';
import type { EmitEvent } from './events.js';
import { writeGenerated } from './generate.js';
import { manifestPath, relativeLog, renderManifest, type Manifest, type ManifestImage } from './manifest.js';
import { prepareRun, SELECT_ALL, type Selection } from './prepare.js';
import { describeRunFailure, type RunFailure } from './failure.js';
import { checkOutputsWritable, outputsJournal, removeLeftovers } from './outputs.js';
import { describeSchedule, planRunSchedule, slotsFor } from './schedule.js';

const notStarted = (failure: RunFailure): BuildOutcome => ({ status: 'not-started', failure, message: describeRunFailure(failure) });
const LOG_DIR = join('.build-images', 'logs');

export interface BuildOptions<A, C = unknown> {
  readonly config: Config;
  readonly packer: Packer;
  readonly target: Target<A, C>;
  readonly emit: EmitEvent;
  readonly signal: AbortSignal;
  /** From the command line; overrides the target's (targets.<name>.concurrency). */
  readonly concurrency?: number;
  readonly selection?: Selection;
  /** Per image build; a build that takes longer is stopped and cleaned up like Ctrl-C, and fails. */
  readonly timeoutMs?: number;
  /** The config's secrets, resolved from the environment by the caller. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Test seam: called at each step of the outputs' commit (src/fs/commit.ts). */
  readonly onCommitStep?: CommitOptions['at'];
}

export type BuildOutcome =
  /** The manifest was written, and the tfvars when every image has an ID; together, at one decision point. */
  | { readonly status: 'succeeded'; readonly images: Manifest['images']; readonly tfvars: string | undefined }
  /** The manifest was written (unless `error` says it could not be); the tfvars were left as they were. */
  | { readonly status: 'failed'; readonly images: Manifest['images']; readonly error?: string; readonly tfvars?: string }
  /** A signal came before the decision point: nothing was written, neither the tfvars nor the manifest. */
  | { readonly status: 'interrupted'; readonly images: Manifest['images'] }
  /** The run could not start (Packer, the engine or the account unusable): nothing was built or written. */
  | { readonly status: 'not-started'; readonly failure: RunFailure; readonly message: string };

export async function runBuild<A, C>(options: BuildOptions<A, C>): Promise<BuildOutcome> {
  const { config, packer, target, emit, signal } = options;
  const { root } = config;
  const startedAt = new Date();

  const { definition } = target;
  const manifestFile = relative(root, manifestPath(root, definition.name));
  const outputs = [
    definition.terraform.tfvars,
    manifestFile,
    join(definition.templates.dir, '.probe'),
    join(LOG_DIR, definition.name, '.probe'),
  ];
  // What a killed run (kill -9) left is dealt with first, this run holding the project's lock: outputs it had
  // decided to write are completed, then temp files of writers that are gone are removed.
  const journal = outputsJournal(definition.name);
  await recoverCommit(root, journal);
  await removeLeftovers(root, [...new Set(outputs.map((f) => dirname(f)))], join('.build-images', definition.name, 'env'));
  const unwritable = await checkOutputsWritable(root, outputs);
  if (unwritable !== undefined) return notStarted({ reason: 'outputs-unwritable', message: unwritable });

  // A signal while the engine, Packer or AWS are asked what exists is obeyed at once (a hung engine never answers).
  const prepared = await untilAborted(prepareRun(config, { packer, target }, options.selection ?? SELECT_ALL), signal);
  if (prepared === undefined) return notStarted({ reason: 'interrupted' });
  if (!prepared.ok) return notStarted(prepared.error);
  const { tree, decisions, fingerprints } = prepared.value;
  emit({ type: 'note', message: `Packer ${formatVersion(prepared.value.packer)}, ${prepared.value.engine}` });
  // What a killed run (kill -9, an engine that died mid-build) left in the target: under the lock, nobody else's.
  for (const line of (await target.removeLeftovers?.(prepared.value.context)) ?? []) emit({ type: 'note', message: line });

  const { context } = prepared.value;
  await writeGenerated(root, definition.templates.dir, prepared.value.templates);
  const toBuild = tree.order.filter((n) => decisions.get(n.name)?.action === 'build');
  if (usesPlugins(prepared.value.packer)) {
    // Templates come in tree order, one per image.
    const templatePath = new Map(tree.order.map((node, i) => [node.name, prepared.value.templates[i]!.path]));
    for (const node of toBuild) {
      const path = templatePath.get(node.name)!;
      const init = await packer.init(root, path);
      if (!init.ok) return notStarted({ reason: 'packer-init', template: path, message: init.error });
    }
  }
  const rootProblem = toBuild.some((n) => n.parent === undefined) ? await target.beforeRoots(context) : undefined;
  // Read once, before any build writes a file: what every image built in this run records.
  const provenance: Omit<Provenance, 'fingerprint'> = {
    base: prepared.value.base,
    toolVersion: TOOL_VERSION,
    git: toBuild.length > 0 ? await readGitState(root) : undefined,
  };

  const previous = prepared.value.manifest?.images ?? {};
  const records = new Map<string, ManifestImage>();
  const record = (name: string, entry: Omit<ManifestImage, 'parent' | 'fingerprint' | 'inputs'>, good: boolean): void => {
    const fp = fingerprints.get(name)!;
    // Inputs and build time describe the last good build: carried over when this run did not build it.
    const inputs = good ? fp.inputs : previous[name]?.inputs;
    const built = entry.status === 'built' ? entry.durationMs : undefined;
    const lastBuildMs = built ?? previous[name]?.lastBuildMs ?? previous[name]?.durationMs;
    records.set(name, {
      ...entry,
      parent: tree.byName.get(name)!.parent ?? null,
      fingerprint: fp.fingerprint,
      ...(inputs ? { inputs } : {}),
      ...(lastBuildMs === undefined ? {} : { lastBuildMs }),
    });
  };

  const scheduled = tree.order.filter((n) => decisions.get(n.name)?.action !== 'absent');
  for (const node of tree.order) {
    if (decisions.get(node.name)?.action === 'absent') record(node.name, { status: 'absent' }, false);
    else emit({ type: 'queued', image: node.name, parent: node.parent });
  }
  const concurrency = slotsFor(options.concurrency, target.concurrency);
  // The order: the best of several priority rules, each simulated on the last recorded build times (reused images
  // count 0, never-built ones the median); src/graph/pick-order.ts. The note says which and the makespan expected.
  const plan = planRunSchedule(prepared.value, concurrency);
  if (plan.building > 0) emit({ type: 'note', message: describeSchedule(plan) });

  const result = await schedule<A>(scheduled, {
    concurrency,
    signal,
    priority: plan.choice.priority,
    onSkip: (image, because) => {
      record(
        image,
        { status: 'skipped', error: `skipped: ${because === 'interrupt' ? 'interrupted' : `${because} did not build`}` },
        false,
      );
      emit({ type: 'skipped', image, because });
    },
    run: async (name, parent) => {
      const node = tree.byName.get(name)!;
      const decision = decisions.get(name)!;
      if (decision.action === 'reuse') {
        await target.adopt(name, decision.artifact);
        const recorded = target.provenance(decision.artifact);
        record(
          name,
          { status: 'reused', ...target.ids(decision.artifact), ...(recorded ? { provenance: provenanceJson(recorded) } : {}) },
          true,
        );
        emit({ type: 'reused', image: name, id: target.describe(decision.artifact) });
        return { ok: true, value: decision.artifact };
      }
      const reasons = decision.action === 'build' ? decision.reasons : [];
      const source = target.source(parent, context);
      const started = Date.now();
      const startedAt = new Date(started).toISOString();
      emit({ type: 'started', image: name, reasons });
      if (parent === undefined && rootProblem !== undefined) {
        record(name, { status: 'failed', source, durationMs: 0, error: rootProblem, reasons }, false);
        emit({ type: 'failed', image: name, message: rootProblem, logFile: undefined, logTail: [], durationMs: 0 });
        return { ok: false };
      }
      const built = await target.build(node, parent, fingerprints.get(name)!.fingerprint, {
        context,
        packer,
        packerVersion: prepared.value.packer,
        secrets: options.secrets ?? {},
        signal,
        timeoutMs: options.timeoutMs,
        onLine: (line) => emit({ type: 'log', image: name, line }),
        provenance,
      });
      const durationMs = Date.now() - started;
      if (built.ok) {
        record(
          name,
          {
            status: 'built',
            ...target.ids(built.value),
            source,
            startedAt,
            durationMs,
            log: relativeLog(root, target.logFile(name)),
            reasons,
            provenance: provenanceJson({ ...provenance, fingerprint: fingerprints.get(name)!.fingerprint }),
          },
          true,
        );
        emit({ type: 'done', image: name, id: target.describe(built.value), durationMs });
        return { ok: true, value: built.value };
      }
      const log = built.error.logFile;
      record(
        name,
        {
          status: 'failed',
          source,
          startedAt,
          durationMs,
          ...(log ? { log: relativeLog(root, log) } : {}),
          error: built.error.message,
          reasons,
        },
        false,
      );
      emit({
        type: 'failed',
        image: name,
        message: built.error.message,
        logFile: log && relativeLog(root, log),
        logTail: log ? await tail(log, 15) : [],
        durationMs,
      });
      return { ok: false };
    },
  });

  const images = Object.fromEntries(
    tree.order.map((n) => [
      n.name,
      records.get(n.name) ?? { status: 'skipped' as const, parent: n.parent ?? null, error: 'skipped: interrupted' },
    ]),
  );
  // The write phase (issue 13 #15): the outputs are staged (durable, invisible) and then made visible together at
  // one decision point (commitStaged), where the signal is looked at for the last time. A signal before it: nothing
  // is written, neither the tfvars nor the manifest (the run's record is its output, --json and the logs; the
  // images it built are reused by fingerprint). A signal after it: everything is written, and the command says so.
  if (signal.aborted) return { status: 'interrupted', images };
  // Every image this run was asked for built or was reused (with --only, a subset); only the whole tree makes a tfvars file.
  const allDone = scheduled.every((n) => result.states.get(n.name) === 'completed');
  const complete = allDone && scheduled.length === tree.order.length;
  const staged: StagedFile[] = [];
  // Only a complete tree reaches Terraform: a partial file would roll out a mix of old and new images.
  let tfvars: string | undefined;
  let error: string | undefined;
  if (complete) {
    try {
      const text = target.tfvars(tree.order.map((n) => [n.name, result.values.get(n.name)!] as const));
      staged.push(await stageFile(root, definition.terraform.tfvars, text));
      tfvars = definition.terraform.tfvars;
    } catch (e: unknown) {
      error = `could not write ${definition.terraform.tfvars}: ${message(e)}; the images were built and are reused by the next run`;
    }
  }
  const status = error === undefined && allDone ? 'succeeded' : 'failed';
  try {
    const manifest = renderManifest({
      version: 1,
      target: definition.name,
      tool: TOOL_VERSION,
      packer: formatVersion(prepared.value.packer),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      status,
      ...(error === undefined ? {} : { error }),
      images,
    });
    staged.push(await stageFile(root, manifestFile, manifest));
  } catch (e: unknown) {
    await discardStaged(root, staged);
    const why = `could not write ${manifestFile}: ${message(e)}; nothing was written (the tfvars were left as they were)`;
    return { status: 'failed', images, error: error === undefined ? why : `${error}; ${why}` };
  }
  const committed = await commitStaged(root, journal, staged, {
    proceed: () => !signal.aborted,
    ...(options.onCommitStep ? { at: options.onCommitStep } : {}),
  });
  if (!committed) return { status: 'interrupted', images };
  if (status === 'succeeded') return { status, images, tfvars };
  return { status, images, ...(error === undefined ? {} : { error }) };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function tail(file: string, lines: number): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines);
}
