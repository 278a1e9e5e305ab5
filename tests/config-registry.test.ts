import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from './helpers/project.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const config = (registry: string): string => `version: 1
targets:
  docker:
    registry: ${registry}
images:
  base: { provisioners: [base] }
`;

describe('targets.docker.registry in the config', () => {
  it('a scheme, a tag or upper case is a located config error: exit 2, nothing written', async () => {
    const dir = await makeProject({ 'images.yaml': config('https://127.0.0.1:5000/Cortex:latest'), 'provisioners/base.sh': '#!/bin/sh\n' });
    dirs.push(dir);
    const run = await runCli(dir, ['plan', '--target', 'docker']);
    expect(run.exitCode).toBe(2);
    expect(run.all).toContain('images.yaml:4:15: error: the registry "https://127.0.0.1:5000/Cortex:latest" has a scheme (https://)');
    expect(run.all).toContain('hint: write the registry host and repository path without a scheme: "127.0.0.1:5000/Cortex:latest"');

    for (const [value, message] of [
      ['127.0.0.1:5000/cortex:latest', 'has a tag (:latest)'],
      ['127.0.0.1:5000/Cortex', 'has upper case in its repository path ("Cortex")'],
    ] as const) {
      const next = await makeProject({ 'images.yaml': config(value), 'provisioners/base.sh': '#!/bin/sh\n' });
      dirs.push(next);
      const again = await runCli(next, ['build', '--target', 'docker']);
      expect(again.exitCode).toBe(2);
      expect(again.all).toContain(`images.yaml:4:15: error: the registry ${JSON.stringify(value)} ${message}`);
    }
  });
});
