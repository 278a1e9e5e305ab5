import { describe, expect, it } from 'vitest';
import type { Config, ImageConfig } from '../config/types.js';
import { runInputs } from './run-inputs.js';

const image = (name: string, parent?: string): ImageConfig => ({
  name,
  parent,
  provisioners: ['x'],
  variables: {},
  location: { file: 'images.yaml', line: 1, column: 1 },
});
const config = { files: ['images.yaml'], secrets: ['TOKEN'], images: [image('base'), image('app', 'base')] } as unknown as Config;

describe('runInputs (the prologue of build and rehearse)', () => {
  it('the selection and the secrets’ values', () => {
    expect(runInputs(config, { only: ['app'] }, { TOKEN: 's3cret' })).toEqual({
      ok: true,
      value: { selection: { force: new Set(), only: new Set(['app']) }, secrets: { TOKEN: 's3cret' } },
    });
  });

  it('every problem at once, a line each: the selection’s, then the unset secret', () => {
    expect(runInputs(config, { only: ['ap'] }, {})).toEqual({
      ok: false,
      error:
        'error: --only names unknown image "ap"; did you mean "app"? (images: base, app)\n' +
        'error: secret TOKEN listed under `secrets` in images.yaml is not set in the environment\n' +
        '  hint: export TOKEN=… before running build-images (the value is passed to provisioners and never written or logged)\n',
    });
  });
});
