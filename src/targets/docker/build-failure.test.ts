import { describe, expect, it } from 'vitest';
import { ok } from '../../result.js';
import { explainBuildFailure } from './build-failure.js';
import type { ContainerState } from './engine.js';

const PACKER = 'Script exited with non-zero exit status: 137';
const state = (s: Partial<ContainerState>): ContainerState => ({
  id: 'c1',
  running: false,
  exitCode: 0,
  oomKilled: false,
  error: '',
  ...s,
});

const START = new Date('2026-11-30T17:00:00Z');

function engine(answer: () => Promise<ContainerState | undefined>, events: string[] = []) {
  const removed: string[] = [];
  return {
    removed,
    docker: {
      inspectContainer: answer,
      containerEvents: async () => events,
      removeContainer: async (name: string) => {
        removed.push(name);
        return ok(undefined);
      },
    },
  };
}

describe('a failed Docker build is explained by the engine (issue 13 #8)', () => {
  it("an engine that stopped answering is the error, in the engine's words", async () => {
    const e = engine(() => Promise.reject(new Error('connect ECONNREFUSED /tmp/b/docker.sock')));
    const text = await explainBuildFailure(e.docker, 'build-images-x', 'root', PACKER, START);
    expect(text).toMatch(
      /^the Docker engine at \S+ stopped answering during the build of root: connect ECONNREFUSED \/tmp\/b\/docker.sock\./,
    );
    expect(text).toContain('the next build removes it once the engine is back');
    expect(text).toContain(`Packer said: ${PACKER}`);
  });

  it('an engine that hangs is named within the limit', async () => {
    const e = engine(() => new Promise(() => undefined));
    const started = Date.now();
    const text = await explainBuildFailure(e.docker, 'build-images-x', 'root', PACKER, START, 200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(text).toContain('stopped answering during the build of root: it did not answer within 0.2s');
  });

  it('a container the kernel killed for memory is named, and removed (Packer leaves a stopped one behind)', async () => {
    const e = engine(async () => state({ oomKilled: true, exitCode: 137 }));
    const text = await explainBuildFailure(e.docker, 'build-images-x', 'root', PACKER, START);
    expect(text).toMatch(/^the build container of root ran out of memory: the kernel killed it \(OOMKilled, exit 137\)/);
    expect(e.removed).toEqual(['build-images-x']);
  });

  it('a container killed from outside says so', async () => {
    const e = engine(async () => state({ exitCode: 137 }));
    expect(await explainBuildFailure(e.docker, 'build-images-x', 'root', PACKER, START)).toBe(
      `the build container of root stopped during the build, not by Packer (exit 137: killed with SIGKILL). Packer said: ${PACKER}`,
    );
  });

  it('a provisioner the OOM killer stopped, in a container that ran on and Packer removed, is named by the oom event', async () => {
    const e = engine(async () => undefined, ['oom']);
    expect(await explainBuildFailure(e.docker, 'build-images-x', 'root', PACKER, START)).toMatch(
      /^a process in the build container of root ran out of memory: the kernel's OOM killer stopped it \(the engine reported an oom event\)/,
    );
  });

  it("an ordinary failure (Packer removed its container) keeps Packer's message", async () => {
    const e = engine(async () => undefined);
    expect(await explainBuildFailure(e.docker, 'build-images-x', 'root', 'provisioner failed', START)).toBe('provisioner failed');
    expect(e.removed).toEqual([]);
  });
});
