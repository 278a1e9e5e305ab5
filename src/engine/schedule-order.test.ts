import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import type { Config } from '../config/types.js';
import type { Packer } from '../packer/run.js';
import { ok } from '../result.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import type { Target } from '../targets/target.js';
import { runBuild } from './build.js';
import { manifestPath, type Manifest } from './manifest.js';

afterAll(removeTempDirs);

async function project(imagesYaml: string): Promise<Config> {
  const root = await tempDir({ 'images.yaml': `version: 1\nimages:\n${imagesYaml}`, 'provisioners/ok.sh': '#!/bin/sh\n' });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

const packer: Packer = {
  version: async () => ok({ major: 1, minor: 6, patch: 6 }),
  init: async () => ok(undefined),
  build: async () => {
    throw new Error('not called: the target builds');
  },
};

/** The real Docker target's settings, with builds that record their start order and fail when asked. */
function recording(config: Config, failing: ReadonlySet<string> = new Set()) {
  const real = dockerDefinition({ engine: () => ({}) as never }).open(config);
  const started: string[] = [];
  const target: Target<{ id: string }, undefined> = {
    definition: real.definition,
    concurrency: real.concurrency,
    settings: (image) => real.settings(image),
    preflight: async () => ok({ description: 'recording', context: undefined }),
    findReusable: async () => ok(new Map()),
    beforeRoots: async () => undefined,
    async build(node) {
      started.push(node.name);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failing.has(node.name)) return { ok: false, error: { message: `${node.name} failed`, logFile: undefined, interrupted: false } };
      return ok({ id: `sha256:${node.name.padEnd(64, '0').slice(0, 64)}` });
    },
    adopt: async () => undefined,
    source: () => 'base',
    ids: (a) => ({ id: a.id }),
    builtAt: () => undefined,
    provenance: () => undefined,
    describe: (a) => a.id,
    logFile: (image) => `/dev/null/${image}`,
    tfvars: () => '{}\n',
    prune: { defaultKeep: 1, plan: () => Promise.reject(new Error('not called')) },
  };
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
