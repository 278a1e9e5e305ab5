import { describe, expect, it } from 'vitest';
import type { Config } from '../config/types.js';
import { applyVariableOverrides, parseVarFlags } from './cli-variables.js';

const location = { file: 'images.yaml', line: 1, column: 1 };
const config: Config = {
  root: '/project',
  files: ['images.yaml'],
  version: 1,
  variables: { MIRROR: 'https:/', REGION: 'eu' },
  targets: { docker: { baseImage: 'ubuntu:22.04', repository: 'cortex', tag: 'latest', runArgs: [], concurrency: undefined } },
  images: [
    { name: 'base', parent: undefined, provisioners: ['consul'], variables: { MIRROR: 'https:/', REGION: 'eu' }, location },
    {
      name: 'cortex',
      parent: 'base',
      provisioners: ['cortex'],
      variables: { MIRROR: 'file:///mirror', REGION: 'eu', CORTEX_VERSION: '1.20.0' },
      location,
    },
  ],
};

describe('parseVarFlags', () => {
  it.each([
    [[], {}],
    [['FOO=bar'], { FOO: 'bar' }],
    [['FOO='], { FOO: '' }],
    [['URL=http://x/?a=b=c'], { URL: 'http://x/?a=b=c' }],
    [['_x1=  spaced  '], { _x1: '  spaced  ' }],
    [['A=1', 'A=2'], { A: '2' }],
  ])('%j → %j', (args, expected) => {
    expect(parseVarFlags(args)).toEqual({ ok: true, value: expected });
  });

  it('reports every malformed argument, naming it', () => {
    expect(parseVarFlags(['FOO', 'OK=1', '1X=y', '=y', 'A-B=c'])).toEqual({
      ok: false,
      error: [
        'error: --var "FOO" is not KEY=VALUE: write --var FOO=<value> (--var FOO= for an empty value)',
        'error: --var "1X=y": "1X" is not a variable name (a letter or _, then letters, digits or _)',
        'error: --var "=y" has no variable name before "="',
        'error: --var "A-B=c": "A-B" is not a variable name (a letter or _, then letters, digits or _)',
      ],
    });
  });
});

describe('applyVariableOverrides', () => {
  it('sets the variable for every image, over global and per-image values, and leaves the rest alone', () => {
    const out = applyVariableOverrides(config, { MIRROR: 'file:///cli', NEW: 'x' });
    expect(out.variables).toEqual({ MIRROR: 'file:///cli', REGION: 'eu', NEW: 'x' });
    expect(out.images.map((i) => i.variables)).toEqual([
      { MIRROR: 'file:///cli', REGION: 'eu', NEW: 'x' },
      { MIRROR: 'file:///cli', REGION: 'eu', CORTEX_VERSION: '1.20.0', NEW: 'x' },
    ]);
    expect(out.images.map((i) => [i.name, i.parent, i.provisioners])).toEqual(config.images.map((i) => [i.name, i.parent, i.provisioners]));
    expect(out.targets).toBe(config.targets);
  });

  it('does not change the config it was given', () => {
    applyVariableOverrides(config, { REGION: 'us' });
    expect(config.images[1]?.variables.REGION).toBe('eu');
    expect(config.variables.REGION).toBe('eu');
  });

  it('returns the same config when there is nothing to override', () => {
    expect(applyVariableOverrides(config, {})).toBe(config);
  });
});
