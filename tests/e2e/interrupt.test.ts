import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeProject, runCli, removeProjects } from '../helpers/project.js';
import { assertPrerequisites, BASE_IMAGE, docker, E2E, e2eTitle } from '../helpers/e2e.js';

afterAll(removeProjects);

/** This file's build containers carry a label (through run_args), so other work on the engine is not counted. */
const RUN_LABEL = `build-images-e2e=interrupt-${process.pid}`;
async function buildContainers(): Promise<string[]> {
  return (await docker('ps', '-a', '--filter', `label=${RUN_LABEL}`, '--format', '{{.ID}}')).split('\n').filter(Boolean);
}

const SLOW = (marker: string) => ({
  'images.yaml': `version: 1
targets: { docker: { base_image: "${BASE_IMAGE}", repository: bi-e2e, run_args: ["--network=none", "--label=${RUN_LABEL}"] } }
images:
  slow: { provisioners: [slow] }
  after: { parent: slow, provisioners: [slow] }
`,
  // The marker makes the fingerprint unique to this test run, so nothing is reused.
  'provisioners/slow.sh': `#!/bin/sh\necho "${marker}: sleeping"\nsleep 120\n`,
});

describe.skipIf(!E2E)(e2eTitle('interrupts and timeouts on the real Docker engine'), () => {
  const dirs: string[] = [];
  const previousTfvars = '{"images": {"slow": "sha256:from-the-last-good-run"}}\n';

  beforeAll(assertPrerequisites);
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('Ctrl-C stops Packer, which removes its container; exit 130; tfvars and manifest untouched; lock released', async () => {
    const dir = await makeProject(SLOW(`interrupt-${Date.now()}`));
    dirs.push(dir);
    await mkdir(join(dir, 'terraform/docker'), { recursive: true });
    await writeFile(join(dir, 'terraform/docker/images.auto.tfvars.json'), previousTfvars);
    const child = execa(process.execPath, [BIN, '--target', 'docker'], { cwd: dir, reject: false, all: true });
    let output = '';
    await new Promise<void>((resolve) => {
      child.all?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('slow  | building')) resolve();
      });
    });
    // Give Packer time to start its container and the provisioner.
    for (let i = 0; i < 60 && (await buildContainers()).length === 0; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await buildContainers()).toHaveLength(1);
    const stoppedAt = Date.now();
    child.kill('SIGINT');
    const run = await child;
    expect(run.exitCode, run.all).toBe(130);
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    expect(run.all).toContain('SIGINT: stopping builds; Packer is removing its build containers...');
    expect(run.all).toContain(
      'Interrupted before the outputs were written: the Terraform variables file and the manifest were left as they were.',
    );
    expect(await buildContainers()).toEqual([]);
    // Nothing written (issue 13 #15): the tfvars as they were, and no manifest where there was none.
    expect(await readFile(join(dir, 'terraform/docker/images.auto.tfvars.json'), 'utf8')).toBe(previousTfvars);
    await expect(readFile(join(dir, '.build-images/docker/manifest.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(dir, '.build-images/lock'), 'utf8')).rejects.toThrow(/ENOENT/);
  }, 180_000);

  it('--timeout stops a build that runs too long, cleans it up and fails the image', async () => {
    const dir = await makeProject(SLOW(`timeout-${Date.now()}`));
    dirs.push(dir);
    const started = Date.now();
    const run = await runCli(dir, ['--target', 'docker', '--timeout', '5s']);
    expect(run.exitCode, run.all).toBe(1);
    expect(Date.now() - started).toBeLessThan(90_000);
    expect(run.all).toMatch(
      /slow {2}\| FAILED after .*: timed out after 5.0s \(--timeout\); Packer stopped the build and removed its container/,
    );
    expect(run.all).toMatch(/after \| skipped: slow did not build/);
    expect(await buildContainers()).toEqual([]);
  }, 180_000);
});
