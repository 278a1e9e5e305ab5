import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import type { Config } from '../config/types.js';
import type { Packer } from '../packer/run.js';
import { ok } from '../result.js';
import { amiDefinition } from '../targets/ami/definition.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import type { Target } from '../targets/target.js';
import { runBuild } from './build.js';

afterAll(removeTempDirs);

// targets.ami.concurrency is 3 and targets.docker.concurrency 5: each target must use its own.
const CONFIG = `version: 1
targets:
  docker: { concurrency: 5 }
  ami: { region: eu-central-1, concurrency: 3 }
images:
${Array.from({ length: 8 }, (_, i) => `  leaf${i}: { provisioners: [ok] }`).join('\n')}
`;

async function project(): Promise<Config> {
  const root = await tempDir({ 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

/** Packer 1.6.6 for the version check; the builds below never call it. */
const packer: Packer = {
  version: async () => ok({ major: 1, minor: 6, patch: 6 }),
  init: async () => ok(undefined),
  build: async () => {
    throw new Error('not called: the target builds');
  },
};

/** The real target's settings and concurrency, with builds that only count how many run at once. */
function counting(real: Target<unknown>): { target: Target<{ id: string }, undefined>; max: () => number } {
  let running = 0;
  let max = 0;
  const target: Target<{ id: string }, undefined> = {
    definition: real.definition,
    concurrency: real.concurrency,
    settings: (image) => real.settings(image),
    preflight: async () => ok({ description: 'counting', context: undefined }),
    findReusable: async () => ok(new Map()),
    beforeRoots: async () => undefined,
    async build(node) {
      running += 1;
      max = Math.max(max, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return ok({ id: `sha256:${node.name.padEnd(64, '0').slice(0, 64)}` });
    },
    adopt: async () => undefined,
    source: () => 'base',
    ids: (a) => ({ id: a.id }),
    describe: (a) => a.id,
    builtAt: () => undefined,
    provenance: () => undefined,
    logFile: (image) => `/dev/null/${image}`,
    tfvars: () => '{}\n',
    prune: { defaultKeep: 1, plan: () => Promise.reject(new Error('not called')) },
  };
  return { target, max: () => max };
}

describe('concurrency comes from the target being built', () => {
  it('targets.ami.concurrency limits AMI builds (it used to be ignored for targets.docker.concurrency)', async () => {
    const config = await project();
    const ami = amiDefinition({ ec2: () => ({}) as never }).open(config);
    expect(ami.concurrency).toBe(3);
    const { target, max } = counting(ami);
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('succeeded');
    expect(max()).toBe(3);
  });

  it('targets.docker.concurrency limits Docker builds, and --concurrency overrides either', async () => {
    const config = await project();
    const docker = dockerDefinition({ engine: () => ({}) as never }).open(config);
    expect(docker.concurrency).toBe(5);
    const first = counting(docker);
    const signal = new AbortController().signal;
    expect((await runBuild({ config, packer, target: first.target, emit: () => undefined, signal })).status).toBe('succeeded');
    expect(first.max()).toBe(5);
    // A fresh project: the first run's tfvars (this stand-in's `{}`) is not a file the Docker target reads.
    const again = await project();
    const second = counting(docker);
    const outcome = await runBuild({ config: again, packer, target: second.target, concurrency: 2, emit: () => undefined, signal });
    expect(outcome.status).toBe('succeeded');
    expect(second.max()).toBe(2);
  });
});
