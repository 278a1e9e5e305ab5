import { describe, expect, it } from 'vitest';
import type { Config, ImageConfig } from '../config/types.js';
import { runInputs } from './run-inputs.js';
import { parseSelection } from './selection.js';

const image = (name: string, parent?: string): ImageConfig => ({
  name,
  parent,
  provisioners: ['x'],
  variables: {},
  location: { file: 'images.yaml', line: 1, column: 1 },
});
const config = {
  images: [image('base'), image('consul', 'base'), image('cortex', 'base'), image('cortex-debug', 'cortex')],
} as unknown as Config;

describe('parseSelection', () => {
  it('accepts --force alone, named, and with --only', () => {
    expect(parseSelection(config, { force: true })).toEqual({ ok: true, value: { force: 'all', only: undefined } });
    expect(parseSelection(config, { force: ['base'], only: ['cortex-debug'] })).toEqual({
      ok: true,
      value: { force: new Set(['base']), only: new Set(['cortex-debug']) },
    });
  });

  it('names unknown images with a suggestion', () => {
    expect(parseSelection(config, { only: ['cortx'], force: ['nope'] })).toEqual({
      ok: false,
      errors: [
        'error: --force names unknown image "nope" (images: base, consul, cortex, cortex-debug)',
        'error: --only names unknown image "cortx"; did you mean "cortex"? (images: base, consul, cortex, cortex-debug)',
      ],
    });
  });

  it('refuses --force of an image that --only leaves out', () => {
    expect(parseSelection(config, { force: ['consul'], only: ['cortex-debug'] })).toEqual({
      ok: false,
      errors: [
        'error: conflicting flags: --force consul, but --only cortex-debug leaves consul out (it is neither named nor an ancestor of a named image)',
      ],
    });
  });

  it('--except leaves the images and everything built on them out, and conflicts with --only', () => {
    expect(parseSelection(config, { except: ['cortex'] })).toEqual({
      ok: true,
      value: { force: new Set(), only: new Set(['base', 'consul']) },
    });
    expect(parseSelection(config, { except: ['cortex'], only: ['consul'] })).toEqual({
      ok: false,
      errors: ['error: conflicting flags: --only and --except; name what to build with one of them'],
    });
    expect(parseSelection(config, { except: ['cortex'], force: ['cortex-debug'] })).toEqual({
      ok: false,
      errors: [
        'error: conflicting flags: --force cortex-debug, but --except cortex leaves cortex-debug out (it is neither named nor an ancestor of a named image)',
      ],
    });
  });
});

const withSecret = { files: ['images.yaml'], secrets: ['TOKEN'], images: [image('base'), image('app', 'base')] } as unknown as Config;

describe('runInputs (the prologue of build and rehearse)', () => {
  it('the selection and the secrets’ values', () => {
    expect(runInputs(withSecret, { only: ['app'] }, { TOKEN: 's3cret' })).toEqual({
      ok: true,
      value: { selection: { force: new Set(), only: new Set(['app']) }, secrets: { TOKEN: 's3cret' } },
    });
  });

  it('every problem at once, a line each: the selection’s, then the unset secret', () => {
    expect(runInputs(withSecret, { only: ['ap'] }, {})).toEqual({
      ok: false,
      error:
        'error: --only names unknown image "ap"; did you mean "app"? (images: base, app)\n' +
        'error: secret TOKEN listed under `secrets` in images.yaml is not set in the environment\n' +
        '  hint: export TOKEN=… before running build-images (the value is passed to provisioners and never written or logged)\n',
    });
  });
});
