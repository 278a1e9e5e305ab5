import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';
import { loadProject, stubId, stubTarget, VERSION_ONLY_PACKER as packer } from '../../tests/helpers/stub-target.js';
import type { Config } from '../config/types.js';
import { ok } from '../result.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import { runBuild } from './build.js';
import { manifestPath, type Manifest } from './manifest.js';

afterAll(removeTempDirs);

const project = (imagesYaml: string): Promise<Config> => loadProject(`version: 1\nimages:\n${imagesYaml}`);

/** The real Docker target's settings, with builds that record their start order and fail when asked. */
function recording(config: Config, failing: ReadonlySet<string> = new Set()) {
  const real = dockerDefinition({ engine: () => ({}) as never }).open(config);
  const started: string[] = [];
  const target = stubTarget(real, async (node) => {
    started.push(node.name);
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (failing.has(node.name)) return { ok: false, error: { message: `${node.name} failed`, logFile: undefined, interrupted: false } };
    return ok({ id: stubId(node.name) });
  });
  return { target, started };
}

describe('the engine schedules by the longest remaining path, from the last recorded build times', () => {
  // base → runtime → app → variant beside two slow leaves; recorded times in seconds.
  const YAML = [
    'base: {}',
    'leaf1: { parent: base }',
    'leaf2: { parent: base }',
    'runtime: { parent: base }',
    'app: { parent: runtime }',
    'variant: { parent: app }',
  ]
    .map((l) => `  ${l.replace(/}$/, `${l === 'base: {}' ? '' : ', '}provisioners: [ok] }`).replace('{ ,', '{')}`)
    .join('\n');
  const recordedSeconds: Record<string, number> = { base: 10, leaf1: 15, leaf2: 15, runtime: 8, app: 12, variant: 15 };

  it.each([
    // Longest first would start leaf1 and leaf2 (15 s each) before runtime (8 s, but 35 s with the chain below it).
    { manifest: recordedSeconds, order: ['base', 'runtime', 'app', 'leaf1', 'leaf2', 'variant'] },
    // Leaves longer than the whole chain go first.
    { manifest: { ...recordedSeconds, leaf1: 50, leaf2: 40 }, order: ['base', 'leaf1', 'leaf2', 'runtime', 'app', 'variant'] },
    // No record: every image counts the same, so the longest chain (in images) goes first.
    { manifest: undefined, order: ['base', 'runtime', 'app', 'leaf1', 'leaf2', 'variant'] },
  ])('with recorded times $manifest, one slot starts $order', async ({ manifest, order }) => {
    const config = await project(YAML);
    if (manifest) {
      const images = Object.fromEntries(
        Object.entries(manifest).map(([name, s]) => [name, { status: 'built', parent: null, lastBuildMs: s * 1000 }]),
      );
      const record = {
        version: 1,
        target: 'docker',
        tool: 't',
        packer: '1.6.6',
        startedAt: '',
        finishedAt: '',
        status: 'succeeded',
        images,
      };
      await mkdir(join(config.root, '.build-images', 'docker'), { recursive: true });
      await writeFile(manifestPath(config.root, 'docker'), JSON.stringify(record));
    }
    const { target, started } = recording(config);
    const outcome = await runBuild({ config, packer, target, concurrency: 1, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('succeeded');
    // With one slot the order is the priority order among what is ready: the chain's head before the slow leaves.
    expect(started).toEqual(order);
  });
});

describe('the engine runs with the best of several rules, simulated on the recorded times, and says which', () => {
  it('a tree where config order is best (src/graph/pick-order.test.ts): the note names it and its expected makespan', async () => {
    // a 1 s → b 7 s, c 7 s, d 9 s on 2 slots: config order 14 s, critical path first and longest first 15 s.
    const config = await project(
      ['a: { provisioners: [ok] }', 'b: { parent: a, provisioners: [ok] }', 'c: { provisioners: [ok] }', 'd: { provisioners: [ok] }']
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    const seconds: Record<string, number> = { a: 1, b: 7, c: 7, d: 9 };
    const images = Object.fromEntries(
      Object.entries(seconds).map(([name, s]) => [name, { status: 'built', parent: null, lastBuildMs: s * 1000 }]),
    );
    await mkdir(join(config.root, '.build-images', 'docker'), { recursive: true });
    const record = { version: 1, target: 'docker', tool: 't', packer: '1.6.6', startedAt: '', finishedAt: '', status: 'succeeded', images };
    await writeFile(manifestPath(config.root, 'docker'), JSON.stringify(record));
    const { target } = recording(config);
    const notes: string[] = [];
    const outcome = await runBuild({
      config,
      packer,
      target,
      concurrency: 2,
      emit: (event) => {
        if (event.type === 'note') notes.push(event.message);
      },
      signal: new AbortController().signal,
    });
    expect(outcome.status).toBe('succeeded');
    expect(notes.filter((n) => n.startsWith('schedule:'))).toEqual([
      'schedule: config order, best of 5 rules simulated on the expected times: expected makespan 14.0 s on 2 slots (lower bound 12.0 s, longest first 15.0 s); from the last recorded builds',
    ]);
  });
});

describe('a 10,000-deep chain whose root fails (issue 13, finding 10)', () => {
  it(
    'skips the 9,999 below it, exits as failed with a manifest for every image, without overflowing the stack',
    { timeout: 180_000 },
    async () => {
      const yaml = Array.from({ length: 10_000 }, (_, i) => `  c${i}: { ${i === 0 ? '' : `parent: c${i - 1}, `}provisioners: [ok] }`).join(
        '\n',
      );
      const config = await project(yaml);
      const { target, started } = recording(config, new Set(['c0']));
      let skipped = 0;
      const outcome = await runBuild({
        config,
        packer,
        target,
        emit: (event) => {
          if (event.type === 'skipped') skipped++;
        },
        signal: new AbortController().signal,
      });
      expect(outcome.status).toBe('failed');
      expect(started).toEqual(['c0']);
      expect(skipped).toBe(9_999);
      const manifest = JSON.parse(await readFile(manifestPath(config.root, 'docker'), 'utf8')) as Manifest;
      expect(manifest.status).toBe('failed');
      expect(Object.keys(manifest.images)).toHaveLength(10_000);
      expect(manifest.images['c9999']).toMatchObject({ status: 'skipped', error: 'skipped: c9998 did not build' });
    },
  );
});
