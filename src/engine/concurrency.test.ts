import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';
import { loadProject, stubId, stubTarget, VERSION_ONLY_PACKER as packer } from '../../tests/helpers/stub-target.js';
import type { Config } from '../config/types.js';
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

const project = (): Promise<Config> => loadProject(CONFIG);

/** The real target's settings and concurrency, with builds that only count how many run at once. */
function counting(real: Target<unknown>): { target: Target<{ id: string }, undefined>; max: () => number } {
  let running = 0;
  let max = 0;
  const target = stubTarget(real, async (node) => {
    running += 1;
    max = Math.max(max, running);
    await new Promise((resolve) => setTimeout(resolve, 20));
    running -= 1;
    return ok({ id: stubId(node.name) });
  });
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
