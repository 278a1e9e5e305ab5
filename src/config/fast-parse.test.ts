import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { quickParse } from './fast-parse.js';
import { loadConfig } from './load.js';
import { parseYaml } from './parse-yaml.js';
import { plainInfo } from './offsets.js';
import { SCRIPTS } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
// @ts-expect-error: a plain .mjs module of the bench, no types
import { syntheticConfig } from '../../bench/lib/scale.mjs';

afterAll(removeTempDirs);

const repoFile = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

/** What the exact path (parse-yaml.ts) reads: the values, and the text of each number and boolean. */
function exact(text: string) {
  const parsed = parseYaml(text, 'a.yaml');
  if (!parsed.ok || parsed.value.diagnostics.length > 0) return undefined;
  const sources = new Map<string, string>();
  for (const [pointer, info] of parsed.value.locations) if (info.source !== undefined) sources.set(pointer, info.source);
  return { value: parsed.value.value, sources };
}

/** The quick read either leaves the text alone or reads exactly what the exact path reads. */
function agrees(text: string): 'quick' | 'left to the exact path' {
  const quick = quickParse(text);
  if (quick === undefined) return 'left to the exact path';
  const reference = exact(text);
  expect(reference, 'the quick read accepted text the exact path rejects').toBeDefined();
  expect(quick.value).toEqual(reference?.value);
  expect(Object.keys(quick.value)).toEqual(Object.keys(reference?.value ?? {}));
  expect(Object.fromEntries(quick.sources)).toEqual(Object.fromEntries(reference?.sources ?? []));
  return 'quick';
}

/** Every plain scalar yaml's core schema reads as something other than text, and near misses. */
const SCALARS = [
  '1',
  '+12',
  '-0',
  '007',
  '1.10',
  '1.',
  '.5',
  '-.5',
  '1e3',
  '1E+3',
  '.5e-2',
  '1_000',
  '0x1F',
  '0xg',
  '0o17',
  '0o8',
  '0b101',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  'NaN',
  'inf',
  'true',
  'True',
  'TRUE',
  'tRue',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'y',
  '~',
  'null',
  'Null',
  'NULL',
  'nUll',
  '2001-12-14',
  '12:30:00',
  '1:2',
  '99999999999999999999',
  '0.1.2',
  '=',
];

describe('the quick read of a config (js-yaml) agrees with the exact one (yaml)', () => {
  test.each(SCALARS)('plain scalar %j, as a map value and a list item', (scalar) => {
    expect(agrees(`a: ${scalar}\nb: [${scalar}]\nc:\n  - ${scalar}\n`)).toBe('quick');
  });

  test.each([
    ['the reference tree', repoFile('images.yaml')],
    ['the offline example', repoFile('examples/offline/images.yaml')],
    ['the bench tree of 300 images', syntheticConfig(300) as string],
    ['quotes and escapes', `a: "x\\ty\\u00e9\\"q"\nb: 'it''s'\n"c d": 'e # f' # comment\n`],
    ['block scalars', `a: |\n  one\n  two\nb: |-\n  x\nc: >\n  folded\n  text\n\n  para\nd: >+\n  keep\n\ne: 1\n`],
    ['a plain scalar over lines', `a: this is\n  continued\n  here\nb: 2\n`],
    ['nesting', `a:\n- - x\n  - y\n- {b: [1, {c: d}]}\nk:\n  - m: 1\n    n: [true, ~]\n`],
    ['an empty value, an empty string, an empty list and map', `a:\nb: ""\nc: []\nd: {}\n`],
    ['document markers, CRLF and a byte order mark', '\uFEFF---\r\nversion: 1\r\nimages: { base: { provisioners: [x] } }\r\n...\r\n'],
    ['unicode keys and values', `ключ: значение\n"emoji 😀": "😀"\n`],
  ])('%s', (_name, text) => {
    expect(agrees(text)).toBe('quick');
  });

  test.each([
    ['an anchor and alias', 'a: &x [1]\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a custom tag', 'a: !thing x\n'],
    ['an explicit key', '? a\n: b\n'],
    ['a list as a key', '[a, b]: c\n'],
    ['a map as a key', '{a: 1}: c\n'],
    ['a number as a key', '1: a\n'],
    ['a boolean as a key', 'true: a\n'],
    ['null as a key', 'null: a\n'],
    ['an empty key', ': a\n'],
    ['__proto__', '__proto__: {a: 1}\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a directive', '%YAML 1.1\n---\na: yes\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['a flow list over lines', 'a: [x,\ny]\n'],
    ['a flow map over lines, under-indented', 'a:\n  b: { c: 1,\nd: 2 }\n'],
    ['a quoted scalar over lines', 'a: "x\n  y"\n'],
    ['a list at the top', '- a\n'],
    ['a scalar at the top', 'a\n'],
    ['an empty file', ''],
    ['a syntax error', 'a: b: c\n'],
    ['a bare ! tag (js-yaml reads null, yaml "")', 'a: !\n'],
    ['an implicit key over 1,024 characters (yaml refuses it)', `${'k'.repeat(1100)}: v\n`],
  ])('%s is left to the exact path', (_name, text) => {
    expect(quickParse(text)).toBeUndefined();
  });
});

/** Odd and broken text: the quick read leaves it alone or reads what the exact one reads, never more. */
const ODD = [
  'a: @x\n',
  'a: `x\n',
  '- a: b: c\n',
  'a: [b] c\n',
  'a: {b: 1} c\n',
  'a: "b" c\n',
  'a:\n  b: 1\n c: 2\n',
  'a:\n- b\n- c\nd: 1\n',
  'a: b\n  c: d\n',
  'a: - b\n',
  'a: [b, c,]\n',
  'a: {b, c}\n',
  'a: [b: c]\n',
  'a: {b: [c}\n',
  'a: b #c\n',
  'a: b# c\n',
  "a: 'b\n",
  'a: |\n b\n  c\n',
  'a: >-\n\n  x\n',
  'a:\n  - b\n  -\n  - c\n',
  'a: [a, b]x\n',
  '"a\\x": 1\n',
  'a: "\\q"\n',
  'a: -\n',
  'a: ---\n',
  '- \n',
  'a: ,b\n',
  'a: [,]\n',
  'a: {:}\n',
  "a: '#'\n",
  'a: "x" # y\n',
  'a:\n\n  b: c\n',
  'a: !!null\n',
  'a: &x\n',
  'a: "multi\\\n  line"\n',
];

test.each(ODD)('odd text %j: left alone or read the same', (text) => {
  expect(['quick', 'left to the exact path']).toContain(agrees(text));
});

describe('loadConfig, quick and exact', () => {
  test.each([
    ['the reference tree', repoFile('images.yaml')],
    [
      'numbers, booleans, project and an AMI target',
      `version: 1\nproject: demo\nvariables: { A: 1.10, B: true, C: 0x1F }\ntargets:\n  ami: { region: eu-west-1 }\nimages:\n  base: { provisioners: [base], variables: { D: 007 } }\n  app: { parent: base, provisioners: [base] }\n`,
    ],
  ])('give the same config, places included: %s', async (_name, text) => {
    const dir = await tempDir({ ...SCRIPTS, 'images.yaml': text });
    const quick = await loadConfig(['images.yaml'], { cwd: dir });
    const exactly = await loadConfig(['images.yaml'], { cwd: dir, quick: false });
    if (!exactly.ok) throw new Error(JSON.stringify(exactly.error));
    expect(quick).toEqual(exactly);
    if (!quick.ok) return;
    expect(quick.value.images.map((i) => i.location)).toEqual(exactly.value.images.map((i) => i.location));
    expect(quick.value.project?.location).toEqual(exactly.value.project?.location);
    expect(quick.value.targets.ami?.location).toEqual(exactly.value.targets.ami?.location);
    expect(quick.value.images[0]?.location).toEqual(plainInfo({ value: quick.value.images[0]!.location })?.value);
  });
});

describe('the project name, placed without parsing the whole file exactly', () => {
  test.each([
    ['plain', 'project: demo\n'],
    ['quoted, with a comment', 'project: "demo" # the name\n'],
    ['spaces before the colon, after the images', null],
    ['CRLF line ends', 'crlf'],
    ['its value on the next line', 'project:\n  demo\n'],
  ])('%s: the same place as the exact path', async (_name, project) => {
    const images = 'images:\n  base: { provisioners: [base] }\n';
    let text = `version: 1\n${project ?? ''}${images}${project === null ? 'project : demo\n' : ''}`;
    if (project === 'crlf') text = `version: 1\r\nproject: demo\r\n${images.replaceAll('\n', '\r\n')}`;
    const dir = await tempDir({ ...SCRIPTS, 'images.yaml': text });
    const quick = await loadConfig(['images.yaml'], { cwd: dir });
    const exactly = await loadConfig(['images.yaml'], { cwd: dir, quick: false });
    if (!quick.ok || !exactly.ok) throw new Error('expected both to load');
    // Read first, before anything else makes the quick config parse the file exactly.
    const at = quick.value.project?.location;
    expect(at).toBeDefined();
    expect(at).toEqual(exactly.value.project?.location);
  });
});

describe('several --config files, read quickly and overlaid', () => {
  test.each([
    ['the reference tree with the offline overlay', repoFile('images.yaml'), repoFile('examples/offline/images.yaml')],
    [
      'numbers as written, from the file that set each value; a project and an image from the overlay',
      `version: 1\nproject: demo\nvariables: { A: 1.10, B: 0x1F, C: true }\ntargets:\n  docker: { repository: demo }\nimages:\n  base: { provisioners: [base], variables: { D: 007 } }\n`,
      `project: other\nvariables: { B: "0x1F", C: 2.50 }\nimages:\n  app: { parent: base, provisioners: [base], variables: { E: 1e3 } }\n`,
    ],
  ])('give the same config as the exact path, places included: %s', async (_name, main, over) => {
    const dir = await tempDir({ ...SCRIPTS, 'images.yaml': main, 'over.yaml': over, 'provisioners/base.sh': '#!/bin/sh\n' });
    const names = ['images.yaml', 'over.yaml'];
    const quick = await loadConfig(names, { cwd: dir });
    const exactly = await loadConfig(names, { cwd: dir, quick: false });
    if (!exactly.ok) throw new Error(JSON.stringify(exactly.error));
    // Read before anything else makes the quick config parse the files exactly.
    expect(quick.ok && quick.value.project?.location).toEqual(exactly.value.project?.location);
    expect(quick).toEqual(exactly);
    if (!quick.ok) return;
    expect(quick.value.images.map((i) => i.location)).toEqual(exactly.value.images.map((i) => i.location));
  });
});
