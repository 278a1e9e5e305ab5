import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { ImageNode } from '../../src/graph/tree.js';
import type { Packer } from '../../src/packer/run.js';
import { ok, type Result } from '../../src/result.js';
import type { Target, TargetBuildFailure } from '../../src/targets/target.js';
import { tempDir } from './temp-dir.js';

/** A project in a temp dir (removed by `removeTempDirs`) with a no-op provisioner `ok`, loaded as the CLI would. */
export async function loadProject(imagesYaml: string, files: Record<string, string> = {}): Promise<Config> {
  const root = await tempDir({ 'images.yaml': imagesYaml, 'provisioners/ok.sh': '#!/bin/sh\n', ...files });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

/** Packer 1.6.6 for the engine's version check; a stub target builds without it. */
export const VERSION_ONLY_PACKER: Packer = {
  version: async () => ok({ major: 1, minor: 6, patch: 6 }),
  init: async () => ok(undefined),
  build: async () => {
    throw new Error('not called: the target builds');
  },
};

export type StubArtifact = { readonly id: string };

/** An image ID made from the image's name, so results read back in tests. */
export const stubId = (image: string): string => `sha256:${image.padEnd(64, '0').slice(0, 64)}`;

/**
 * A real target's definition and settings (fingerprints, paths, tfvars file) with the engine-facing calls
 * stubbed: nothing is reused, and `build` is the test's. The engine sees it exactly as it sees a target.
 */
export function stubTarget(
  real: Target<unknown>,
  build: (node: ImageNode) => Promise<Result<StubArtifact, TargetBuildFailure>>,
  overrides: Partial<Target<StubArtifact, undefined>> = {},
): Target<StubArtifact, undefined> {
  return {
    definition: real.definition,
    concurrency: real.concurrency,
    settings: (image) => real.settings(image),
    preflight: async () => ok({ description: 'stub target', context: undefined }),
    findReusable: async () => ok(new Map()),
    beforeRoots: async () => undefined,
    build: (node) => build(node),
    adopt: async () => undefined,
    source: () => 'base',
    ids: (a) => ({ id: a.id }),
    builtAt: () => undefined,
    provenance: () => undefined,
    describe: (a) => a.id,
    logFile: (image) => join('/dev/null', image),
    tfvars: () => '{}\n',
    prune: { defaultKeep: 1, plan: () => Promise.reject(new Error('not called')) },
    ...overrides,
  };
}
