import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCli, removeProjects } from './helpers/project.js';
import { itNeeds, probeTools } from './helpers/tools.js';

afterAll(removeProjects);

const tools = await probeTools();

const PROJECT = {
  'images.yaml':
    'version: 1\nvariables: { A: "global" }\ntargets: { docker: { base_image: "local/debian:bookworm" } }\nimages:\n  root: { provisioners: [ok], variables: { A: "root" } }\n  leaf: { parent: root, provisioners: [ok] }\n',
  'provisioners/ok.sh': '#!/bin/sh\ntrue\n',
};

describe('--var KEY=VALUE (real binary)', () => {
  it.each([
    { name: 'build', command: ['build'] },
    { name: 'plan', command: ['plan'] },
    { name: 'the default command', command: [] },
  ])('rejects malformed arguments with exit 2, naming each ($name)', async ({ command }) => {
    const dir = await makeProject(PROJECT);
    const run = await runCli(dir, [...command, '--var', 'FOO', '--var', 'OK=1', '--var', '1X=y', '--var', '=y']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      [
        'error: --var "FOO" is not KEY=VALUE: write --var FOO=<value> (--var FOO= for an empty value)',
        'error: --var "1X=y": "1X" is not a variable name (a letter or _, then letters, digits or _)',
        'error: --var "=y" has no variable name before "="',
      ].join('\n'),
    );
    expect((await readdir(dir)).sort()).toEqual(['images.yaml', 'provisioners']);
  });

  it('reports a malformed --var and the config problems together', async () => {
    const dir = await makeProject({ ...PROJECT, 'images.yaml': 'version: 1\nimages:\n  a: { parent: b, provisioners: [ok] }\n' });
    const run = await runCli(dir, ['plan', '--var', 'X']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: --var "X" is not KEY=VALUE');
    expect(run.stderr).toContain('images.yaml:3:16: error: unknown parent "b" of image "a"');
  });

  itNeeds(
    tools,
    'packer',
    'docker',
  )('overrides the variable for every image, above per-image values (plan --json fingerprints)', async () => {
    const dir = await makeProject(PROJECT);
    const fingerprints = async (...vars: string[]): Promise<string[]> => {
      const run = await runCli(dir, ['plan', '--json', ...vars.flatMap((v) => ['--var', v])]);
      expect(run.stderr).toBe('');
      return (JSON.parse(run.stdout) as { images: { fingerprint: string }[] }).images.map((i) => i.fingerprint);
    };
    const [root, leaf] = await fingerprints();
    // leaf inherits A=global and root sets A=root: one --var A=root changes leaf only, A=x changes both.
    const [rootSame, leafChanged] = await fingerprints('A=root');
    expect(rootSame).toBe(root);
    expect(leafChanged).not.toBe(leaf);
    const [rootX, leafX] = await fingerprints('A=global', 'A=x');
    expect(rootX).not.toBe(root);
    expect(leafX).not.toBe(leaf);
    expect(leafX).not.toBe(leafChanged);
  });
});
