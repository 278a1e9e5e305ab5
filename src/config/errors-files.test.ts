/** What users see when a config file cannot be read or parsed. */
import { afterAll, describe, expect, test } from 'vitest';
import { problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

const GOOD = `version: 1
images:
  base: { provisioners: [base] }
`;

describe('config files', () => {
  test('a --config file that does not exist', async () => {
    expect(await problems({}, ['images.yaml'])).toMatchInlineSnapshot(`
      "error: config file images.yaml does not exist
        hint: looked for <tmp>/images.yaml"
    `);
  });

  test('a --config path outside cwd is shown absolute', async () => {
    expect(await problems({ 'sub/': '' }, ['../elsewhere.yaml'], { cwd: 'sub' })).toMatchInlineSnapshot(
      `"error: config file <tmp>/elsewhere.yaml does not exist"`,
    );
  });

  test('a --config path that is a directory', async () => {
    expect(await problems({ 'conf/': '' }, ['conf'])).toMatchInlineSnapshot(`
      "error: config file conf is a directory
        hint: pass the path of a YAML file with --config"
    `);
  });

  test('an empty file shows a minimal config', async () => {
    expect(await problems({ 'images.yaml': '# nothing yet\n' })).toMatchInlineSnapshot(`
      "images.yaml:1:1: error: images.yaml is empty
        hint: a minimal config is:
              version: 1
              images:
                base:
                  provisioners: [base]"
    `);
  });

  test('a top level that is not a map', async () => {
    expect(await problems({ 'images.yaml': '- base\n- cortex\n' })).toMatchInlineSnapshot(`
      "images.yaml:1:1: error: images.yaml must be a map of settings (version, variables, targets, images), got a list
          1 | - base
            | ^^^^^^
        hint: a minimal config is:
              version: 1
              images:
                base:
                  provisioners: [base]"
    `);
  });
});

describe('YAML syntax', () => {
  test('malformed YAML is reported at its position', async () => {
    expect(await problems({ 'images.yaml': 'version: 1\nimages:\n  base: { provisioners: [base]\n' })).toMatchInlineSnapshot(`
      "images.yaml:4:1: error: invalid YAML: flow map in block collection must be sufficiently indented and end with a }
          4 |
            | ^"
    `);
  });

  test('tabs as indentation', async () => {
    expect(await problems({ 'images.yaml': 'version: 1\nimages:\n\tbase: {}\n' })).toMatchInlineSnapshot(`
      "images.yaml:3:1: error: invalid YAML: tabs are not allowed as indentation
          3 | 	base: {}
            | ^
        hint: indent with spaces"
    `);
  });

  test('more than one document', async () => {
    expect(await problems({ 'images.yaml': `${GOOD}---\nversion: 1\n` })).toMatchInlineSnapshot(`
      "images.yaml:4:1: error: images.yaml holds more than one YAML document
          4 | ---
            | ^^^
        hint: remove the "---" separator: a config file is a single document; use several --config files to overlay"
    `);
  });

  test('a syntax error stops checks of that file, but the other files are still parsed and reported', async () => {
    const files = {
      'images.yaml': 'version: 1\nimages: [\n',
      'local.yaml': 'images:\n  base: { provisioners: [a] }\n  base: { provisioners: [b] }\n',
      'more.yaml': 'images: {\n',
    };
    expect(await problems(files, ['images.yaml', 'local.yaml', 'more.yaml'])).toMatchInlineSnapshot(`
      "images.yaml:3:1: error: invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]
          3 |
            | ^

      local.yaml:3:3: error: duplicate key "base"
          3 |   base: { provisioners: [b] }
            |   ^^^^
        hint: it is already set on line 2; a key may appear only once in a map (the later one would silently win)

      more.yaml:2:1: error: invalid YAML: flow map in block collection must be sufficiently indented and end with a }
          2 |
            | ^"
    `);
  });

  test('duplicate keys, at any depth', async () => {
    const yaml = `version: 1
images:
  base:
    provisioners: [base]
    provisioners: [consul]
  base: { provisioners: [base] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:5:5: error: duplicate key "provisioners"
          5 |     provisioners: [consul]
            |     ^^^^^^^^^^^^
        hint: it is already set on line 4; a key may appear only once in a map (the later one would silently win)

      images.yaml:6:3: error: duplicate key "base"
          6 |   base: { provisioners: [base] }
            |   ^^^^
        hint: it is already set on line 3; a key may appear only once in a map (the later one would silently win)"
    `);
  });

  test('map keys that are not names', async () => {
    expect(await problems({ 'images.yaml': `${GOOD}? [a, b]\n: c\n` })).toMatchInlineSnapshot(`
      "images.yaml:4:3: error: map keys must be plain names, not lists, maps or empty values
          4 | ? [a, b]
            |   ^^^^^^"
    `);
  });
});
