import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from './config-reference.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/config-reference.md', () => {
  it('is generated from the schema (regenerate: npm run docs)', () => {
    expect(read('docs/config-reference.md')).toBe(renderConfigReference(JSON.parse(read('schema/images.schema.json'))));
  });

  it('documents every key, each with a description', () => {
    const text = renderConfigReference(JSON.parse(read('schema/images.schema.json')));
    for (const key of [
      'version',
      'variables',
      'targets.docker.base_image',
      'targets.docker.run_args',
      'images.<name>.parent',
      'images.<name>.provisioners',
    ]) {
      expect(text).toMatch(new RegExp(`\\| \`${key.replaceAll('.', '\\.')}\` \\| [^|]+ \\| \\S`));
    }
  });
});
