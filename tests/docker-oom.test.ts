/**
 * Issue 13 #8, the out-of-memory half: the kernel's OOM killer usually stops only the provisioner's process
 * (Packer runs it with `docker exec`), so the container runs on, State.OOMKilled stays false, Packer removes the
 * container, and all it says is `Script exited with non-zero exit status: 137`. The engine's `oom` event is what
 * remains. Real engine (the default one: a container of this test's own, named for it, removed by the code under
 * test or afterwards), real dockerode adapter; about 5 s.
 */
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { explainBuildFailure } from '../src/targets/docker/build-failure.js';
import { dockerEngine } from '../src/targets/docker/engine.js';
import { BASE_IMAGE } from './helpers/e2e.js';

const ready = await execa('docker', ['image', 'inspect', BASE_IMAGE], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
const RUN = ready || process.env.CI === 'true';
if (!RUN) console.log(`docker OOM test skipped: needs a Docker engine holding ${BASE_IMAGE} (examples/offline/prepare)`);

const NAME = `bi-oom-test-${process.pid}`;
afterAll(async () => {
  await execa('docker', ['rm', '-f', NAME], { reject: false });
});

describe.skipIf(!RUN)('a provisioner killed for memory (real engine)', () => {
  it("is named from the engine's oom event, and the container still running is removed", { timeout: 60_000 }, async () => {
    const startedAt = new Date(Date.now() - 1000);
    await execa('docker', ['run', '-d', '--name', NAME, '--network=none', '--memory=32m', '--memory-swap=32m', BASE_IMAGE, 'sleep', '120']);
    // What a provisioner that needs more memory than the container has does: `tail` keeps the whole line.
    const exec = await execa('docker', ['exec', NAME, 'sh', '-c', 'head -c 300m /dev/zero | tail'], { reject: false });
    expect(exec.exitCode).toBe(137);
    const packerSaid = 'Script exited with non-zero exit status: 137.Allowed exit codes are: [0]';
    const text = await explainBuildFailure(dockerEngine(), NAME, 'root', packerSaid, startedAt);
    expect(text).toBe(
      "a process in the build container of root ran out of memory: the kernel's OOM killer stopped it (the engine reported an oom event). " +
        `Give the build more memory (targets.docker.run_args --memory) or build fewer images at once (--concurrency). Packer said: ${packerSaid}`,
    );
    expect((await execa('docker', ['ps', '-a', '-q', '--filter', `name=^/${NAME}$`])).stdout).toBe('');
  });
});
