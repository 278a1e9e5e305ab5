import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild, type BuildOutcome } from '../src/engine/build.js';
import { targetDefinition } from '../src/targets/registry.js';
import { TARGET_NAMES, type TargetName } from '../src/targets/target.js';
import { fakePacker, fakeTarget, recorder, rigProject, type Behaviour, type Store } from './helpers/rig.js';
import { removeTempDirs } from './helpers/temp-dir.js';
import { formatDuration } from '../src/text.js';

afterAll(removeTempDirs);

/**
 * runBuild, in process, for every target: the real engine (planning, fingerprints, scheduler, manifest,
 * tfvars) around a fake target built on that target's real definition and a fake Packer. Each case takes
 * milliseconds; the same paths end to end take minutes (tests/e2e/).
 */
const IMAGES = `  base: { provisioners: [a] }
  app: { parent: base, provisioners: [b] }
  app-debug: { parent: app, provisioners: [c] }
  tool: { parent: base, provisioners: [c] }
`;

interface Run {
  readonly outcome: BuildOutcome;
  readonly statuses: Record<string, string>;
  readonly errors: Record<string, string>;
  readonly built: string[];
  readonly events: ReturnType<typeof recorder>['events'];
}

async function run(
  name: TargetName,
  options: {
    behaviour?: Record<string, Behaviour>;
    /** Abort (Ctrl-C) when this image's build starts. */
    interruptAt?: string;
    timeoutMs?: number;
    store?: Store;
    root?: Awaited<ReturnType<typeof rigProject>>;
    runNumber?: number;
    /** Like `--only`: build (or reuse) just these images. */
    only?: readonly string[];
  } = {},
): Promise<Run & { config: Awaited<ReturnType<typeof rigProject>>; store: Store }> {
  const config = options.root ?? (await rigProject(name, IMAGES, ['a', 'b', 'c']));
  const store = options.store ?? new Map();
  const definition = await targetDefinition(name);
  const target = fakeTarget(definition, config, store, options.runNumber ?? 1);
  const packer = fakePacker((image) => options.behaviour?.[image] ?? 'ok');
  const controller = new AbortController();
  const { events, emit } = recorder((event) => {
    if (event.type === 'started' && event.image === options.interruptAt) controller.abort();
  });
  const outcome = await runBuild({
    config,
    packer,
    target,
    emit,
    signal: controller.signal,
    // One at a time: which sibling has started when a build is interrupted is then fixed.
    concurrency: 1,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.only === undefined ? {} : { selection: { force: new Set<string>(), only: new Set(options.only) } }),
  });
  const images = 'images' in outcome ? outcome.images : {};
  return {
    config,
    store,
    outcome,
    statuses: Object.fromEntries(Object.entries(images).map(([image, entry]) => [image, entry.status])),
    errors: Object.fromEntries(Object.entries(images).flatMap(([image, entry]) => (entry.error ? [[image, entry.error]] : []))),
    built: packer.builds,
    events,
  };
}

/** The engine's paths, as data: what Packer does per image, and what the run must come to. */
const CASES: ReadonlyArray<{
  readonly path: string;
  readonly behaviour?: Record<string, Behaviour>;
  readonly interruptAt?: string;
  readonly timeoutMs?: number;
  readonly status: BuildOutcome['status'];
  readonly statuses: Record<string, string>;
  /** Errors per image; TIMEOUT stands for the target's timeout wording. */
  readonly errors: Record<string, string>;
  /** The images Packer was asked to build, in order. */
  readonly built: readonly string[];
}> = [
  {
    path: 'success',
    status: 'succeeded',
    statuses: { base: 'built', app: 'built', 'app-debug': 'built', tool: 'built' },
    errors: {},
    built: ['base', 'app', 'tool', 'app-debug'],
  },
  {
    path: "failure (the failed image's descendants are skipped, the unrelated branch builds)",
    behaviour: { app: 'fail' },
    status: 'failed',
    statuses: { base: 'built', app: 'failed', 'app-debug': 'skipped', tool: 'built' },
    errors: { app: 'Script exited with non-zero exit status: 1 (app)', 'app-debug': 'skipped: app did not build' },
    built: ['base', 'app', 'tool'],
  },
  {
    path: 'skip (a failed root skips the tree; Packer is never asked for those)',
    behaviour: { base: 'fail' },
    status: 'failed',
    statuses: { base: 'failed', app: 'skipped', 'app-debug': 'skipped', tool: 'skipped' },
    errors: {
      base: 'Script exited with non-zero exit status: 1 (base)',
      app: 'skipped: base did not build',
      'app-debug': 'skipped: app did not build',
      tool: 'skipped: base did not build',
    },
    built: ['base'],
  },
  {
    // app-debug waited on app, which did not build; tool had not started when the run was stopped.
    path: 'interrupt (the running build stops, nothing else starts)',
    behaviour: { app: 'hang' },
    interruptAt: 'app',
    status: 'interrupted',
    statuses: { base: 'built', app: 'failed', 'app-debug': 'skipped', tool: 'skipped' },
    errors: { app: 'interrupted', 'app-debug': 'skipped: app did not build', tool: 'skipped: interrupted' },
    built: ['base', 'app'],
  },
  {
    path: "timeout (the build is stopped and fails in the target's words; the rest goes on)",
    behaviour: { app: 'hang' },
    timeoutMs: 30,
    status: 'failed',
    statuses: { base: 'built', app: 'failed', 'app-debug': 'skipped', tool: 'built' },
    errors: { app: 'TIMEOUT', 'app-debug': 'skipped: app did not build' },
    built: ['base', 'app', 'tool'],
  },
];

describe.each(TARGET_NAMES)('the engine with a fake %s target', (name) => {
  // Loading a target's modules (the AWS SDK for ami) takes seconds on a busy machine; the cases below take milliseconds.
  beforeAll(async () => {
    await targetDefinition(name);
  });

  it.each(CASES)('$path', async ({ behaviour, interruptAt, timeoutMs, status, statuses, errors, built }) => {
    const definition = await targetDefinition(name);
    const r = await run(name, {
      ...(behaviour ? { behaviour } : {}),
      ...(interruptAt ? { interruptAt } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    expect(r.outcome.status).toBe(status);
    expect(r.statuses).toEqual(statuses);
    const timeout = `timed out after ${formatDuration(timeoutMs ?? 0)} (--timeout); Packer stopped the build and removed its ${definition.wording.cleanup}`;
    expect(r.errors).toEqual(Object.fromEntries(Object.entries(errors).map(([image, e]) => [image, e === 'TIMEOUT' ? timeout : e])));
    expect(r.built).toEqual(built);
    // An interrupted run writes nothing, not even the manifest (issue 13 #15): its record is the outcome.
    const manifest = readFile(join(r.config.root, '.build-images', name, 'manifest.json'), 'utf8');
    if (status === 'interrupted') await expect(manifest).rejects.toThrow(/ENOENT/);
    else expect(JSON.parse(await manifest)).toMatchObject({ target: name, status });
    // Terraform gets a file only for a complete tree.
    const tfvars = readFile(join(r.config.root, definition.terraform.tfvars), 'utf8');
    if (status === 'succeeded') expect(r.outcome.status === 'succeeded' && r.outcome.tfvars).toBe(definition.terraform.tfvars);
    else await expect(tfvars).rejects.toThrow(/ENOENT/);
  });

  it('success writes tfvars the target reads back, in tree order', async () => {
    const definition = await targetDefinition(name);
    const r = await run(name);
    const read = definition.terraform.read(await readFile(join(r.config.root, definition.terraform.tfvars), 'utf8'));
    expect(read.ok && [...read.value.keys()]).toEqual(['base', 'app', 'tool', 'app-debug']);
    expect(r.events.filter((e) => e.type === 'done')).toHaveLength(4);
  });

  it('--only one image that builds: the run succeeds (exit 0) and writes a manifest but no tfvars (found by the registry fan-out e2e)', async () => {
    const definition = await targetDefinition(name);
    const r = await run(name, { only: ['base'] });
    expect(r.outcome).toMatchObject({ status: 'succeeded', tfvars: undefined });
    expect(r.built).toEqual(['base']);
    expect(JSON.parse(await readFile(join(r.config.root, '.build-images', name, 'manifest.json'), 'utf8'))).toMatchObject({
      status: 'succeeded',
    });
    await expect(readFile(join(r.config.root, definition.terraform.tfvars), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it("a failure's event carries the log file and its tail", async () => {
    const r = await run(name, { behaviour: { app: 'fail' } });
    const failed = r.events.find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ image: 'app', logFile: `.build-images/logs/${name}/app.log` });
    expect(failed?.type === 'failed' && failed.logTail.at(-1)).toContain('non-zero exit status');
  });

  it('reuse: a second run of the unchanged tree builds nothing and writes the same tfvars', async () => {
    const definition = await targetDefinition(name);
    const first = await run(name);
    const tfvars = await readFile(join(first.config.root, definition.terraform.tfvars), 'utf8');
    const second = await run(name, { root: first.config, store: first.store, runNumber: 2 });
    expect(second.outcome.status).toBe('succeeded');
    expect(second.statuses).toEqual({ base: 'reused', app: 'reused', 'app-debug': 'reused', tool: 'reused' });
    expect(second.built).toEqual([]);
    expect(await readFile(join(first.config.root, definition.terraform.tfvars), 'utf8')).toBe(tfvars);
    // An artifact removed since (pruned, deregistered): only that image and what is below it build again.
    const images = 'images' in second.outcome ? second.outcome.images : {};
    first.store.delete(images.app!.fingerprint!);
    const third = await run(name, { root: first.config, store: first.store, runNumber: 3 });
    expect(third.statuses).toEqual({ base: 'reused', app: 'built', 'app-debug': 'built', tool: 'reused' });
    expect(third.built).toEqual(['app', 'app-debug']);
  });
});
