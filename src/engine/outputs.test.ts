/**
 * Issue 13, findings 14 and 15: outputs that cannot be written were found only after every build had run,
 * and the manifest then said "succeeded"; a Ctrl-C between the last build and the writes ended with exit 0
 * or with tfvars rewritten under an "interrupted" manifest; temp files of killed runs stayed forever.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';
import { loadProject, stubId, stubTarget, VERSION_ONLY_PACKER as packer } from '../../tests/helpers/stub-target.js';
import type { Config } from '../config/types.js';
import { ok } from '../result.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import { runBuild } from './build.js';

afterAll(removeTempDirs);

const CONFIG = 'version: 1\nimages:\n  root: { provisioners: [ok] }\n  child: { parent: root, provisioners: [ok] }\n';
const TFVARS = 'terraform/docker/images.auto.tfvars.json';
const MANIFEST = '.build-images/docker/manifest.json';

const project = (files: Record<string, string> = {}): Promise<Config> => loadProject(CONFIG, files);

/** The Docker target's definition (paths, tfvars rendering) with builds that only record they ran. */
function stand_in(config: Config, onBuild: (image: string) => Promise<void> = async () => undefined) {
  const real = dockerDefinition({ engine: () => ({}) as never }).open(config);
  const built: string[] = [];
  const target = stubTarget(
    real,
    async (node) => {
      built.push(node.name);
      await onBuild(node.name);
      return ok({ id: stubId(node.name) });
    },
    {
      concurrency: 1,
      logFile: (image) => join(config.root, '.build-images', 'logs', 'docker', `${image}.log`),
      tfvars: (ids) => `${JSON.stringify({ images: Object.fromEntries(ids.map(([n, a]) => [n, a.id])) })}\n`,
    },
  );
  return { target, built };
}

const files = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

describe('finding 14: outputs are checked before building', () => {
  it('an output location that cannot be written is named before anything is built', async () => {
    // .build-images/docker is a file: the manifest cannot be written below it (as a full disk or a read-only
    // mount would refuse); it used to be found after every build had run.
    const config = await project({ '.build-images/docker': 'not a directory\n' });
    const { target, built } = stand_in(config);
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome).toMatchObject({ status: 'not-started' });
    expect(outcome.status === 'not-started' ? outcome.message : '').toMatchInlineSnapshot(
      `"cannot write .build-images/docker/manifest.json: .build-images/docker is a file, not a directory"`,
    );
    expect(built).toEqual([]);
    expect(await files(config.root)).not.toContain('packer/docker/root.pkr.hcl');
  });

  it('when the tfvars cannot be written after the builds, the run fails and the manifest says so', async () => {
    const config = await project();
    // The last build turns the tfvars path into a directory: the write after the builds fails.
    const { target } = stand_in(config, async (image) => {
      if (image === 'child') await mkdir(join(config.root, TFVARS), { recursive: true });
    });
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' ? outcome.error : '').toContain(`could not write ${TFVARS}`);
    const manifest = JSON.parse(await readFile(join(config.root, MANIFEST), 'utf8'));
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toContain(`could not write ${TFVARS}`);
  });
});

describe('finding 15: an interrupted run wrote nothing or everything; temp files are cleaned', () => {
  const OLD_TFVARS = '{"images": {"root": "sha256:old"}}\n';
  const OLD_MANIFEST = '{"version": 1, "status": "succeeded", "images": {}}\n';
  const NEW_TFVARS = `${JSON.stringify({ images: { root: stubId('root'), child: stubId('child') } })}\n`;

  /** The pair as the next reader sees it: both old, both new, or a mix (the bug). */
  async function pair(root: string): Promise<'old' | 'new' | string> {
    const tfvars = await readFile(join(root, TFVARS), 'utf8');
    const manifest = await readFile(join(root, MANIFEST), 'utf8');
    if (tfvars === OLD_TFVARS && manifest === OLD_MANIFEST) return 'old';
    if (tfvars === NEW_TFVARS && JSON.parse(manifest).status === 'succeeded') return 'new';
    return `mixed: tfvars ${tfvars === OLD_TFVARS ? 'old' : 'new'}, manifest ${manifest === OLD_MANIFEST ? 'old' : 'new'}`;
  }
  const leftovers = async (root: string) => (await files(root)).filter((f) => f.endsWith('.tmp') || f.includes('journal'));

  it('a manifest that cannot be written after the builds: the tfvars stay as they were too (was: tfvars rewritten, then an unexpected EISDIR)', async () => {
    const config = await project({ [TFVARS]: OLD_TFVARS });
    const { target } = stand_in(config, async (image) => {
      if (image === 'child') await mkdir(join(config.root, MANIFEST), { recursive: true });
    });
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' ? outcome.error : '').toBe(
      `could not write ${MANIFEST}: ${MANIFEST} is a directory; nothing was written (the tfvars were left as they were)`,
    );
    expect(await readFile(join(config.root, TFVARS), 'utf8')).toBe(OLD_TFVARS);
    expect(await leftovers(config.root)).toEqual([]);
  });

  // A signal at each phase boundary, injected where the phase ends (stand-in builds: what is under test is the
  // tool's own behaviour around them). Before the decision point nothing is written; after it, everything.
  it.each<{ at: string; outcome: string; pair: 'old' | 'new' }>([
    { at: 'before the run starts', outcome: 'not-started', pair: 'old' },
    { at: 'during the first build', outcome: 'interrupted', pair: 'old' },
    { at: 'after the last build, before the write phase', outcome: 'interrupted', pair: 'old' },
    { at: 'commit: staged (durable, not yet decided)', outcome: 'interrupted', pair: 'old' },
    { at: 'commit: decided', outcome: 'succeeded', pair: 'new' },
    { at: 'commit: the first file replaced', outcome: 'succeeded', pair: 'new' },
    { at: 'commit: done', outcome: 'succeeded', pair: 'new' },
  ])('a signal $at (stand-in builds): $outcome, outputs all $pair', async ({ at, outcome, pair: expected }) => {
    const config = await project({ [TFVARS]: OLD_TFVARS, [MANIFEST]: OLD_MANIFEST });
    const controller = new AbortController();
    if (at === 'before the run starts') controller.abort();
    const { target } = stand_in(config, async (image) => {
      if (at === 'during the first build' && image === 'root') controller.abort();
      if (at.startsWith('after the last build') && image === 'child') controller.abort();
    });
    const steps: string[] = [];
    const result = await runBuild({
      config,
      packer,
      target,
      emit: () => undefined,
      signal: controller.signal,
      onCommitStep: (step) => {
        steps.push(step);
        if (at === `commit: ${step}` || at.startsWith(`commit: ${step} `)) controller.abort();
        if (at === 'commit: the first file replaced' && step === 'replaced' && steps.filter((s) => s === 'replaced').length === 1)
          controller.abort();
      },
    });
    expect(result.status).toBe(expected === 'new' ? 'succeeded' : outcome);
    expect(await pair(config.root)).toBe(expected);
    expect(await leftovers(config.root)).toEqual([]);
  });

  it('temp files and env files left by killed runs are removed by the next run; a live writer’s temp file is kept', async () => {
    // A pid that is gone: a child that has exited.
    const gone = await new Promise<number>((resolve) => {
      const child = spawn('true');
      child.on('exit', () => resolve(child.pid!));
    });
    const live = `.build-images/docker/.manifest.json.${process.ppid}-0a1b2c3d4e5f.tmp`;
    const config = await project({
      '.build-images/docker/.manifest.json.0a1b2c3d4e5f.tmp': '',
      [`.build-images/docker/.manifest.json.${gone}-0a1b2c3d4e5f.tmp`]: '',
      [`terraform/docker/.images.auto.tfvars.json.${gone}-0a1b2c3d4e5f.tmp`]: '',
      [live]: '',
      '.build-images/docker/env/root.env': "export S='secret'\n",
      'packer/docker/.root.pkr.hcl.0a1b2c3d4e5f.tmp': '',
    });
    const { target } = stand_in(config);
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('succeeded');
    expect((await files(config.root)).filter((f) => f.endsWith('.tmp') || f.endsWith('.env'))).toEqual([live]);
  });

  it('a commit a killed run had decided is completed by the next run before it reads anything', async () => {
    const config = await project({ [TFVARS]: OLD_TFVARS, [MANIFEST]: OLD_MANIFEST });
    // The writer is stopped for good once the journal is in place (as kill -9 would stop it) ...
    // Waits for the step itself, not a fixed time: under CI load the first run reached it after more than 2 s.
    const { target } = stand_in(config);
    let decided!: () => void;
    const reached = new Promise<void>((resolve) => (decided = resolve));
    void runBuild({
      config,
      packer,
      target,
      emit: () => undefined,
      signal: new AbortController().signal,
      onCommitStep: (step) => {
        if (step !== 'decided') return undefined;
        decided();
        return new Promise<void>(() => undefined);
      },
    });
    await reached;
    expect(await files(config.root)).toContain('.build-images/docker/outputs.journal.json');
    expect(await pair(config.root)).toBe('old');
    // ... and the next run finishes its commit first: a failing build does not matter, the recovered pair is new.
    const next = stand_in(config, () => Promise.reject(new Error('not reached')));
    const controller = new AbortController();
    controller.abort();
    await runBuild({ config, packer, target: next.target, emit: () => undefined, signal: controller.signal });
    expect(await pair(config.root)).toBe('new');
    expect(await leftovers(config.root)).toEqual([]);
  });
});
