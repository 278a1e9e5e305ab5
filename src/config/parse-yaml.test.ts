import { describe, expect, test } from 'vitest';
import { plainInfo } from './offsets.js';
import { parseYaml } from './parse-yaml.js';

function parsed(text: string) {
  const result = parseYaml(text, 'a.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

describe('parseYaml', () => {
  test('records where each key and value is, underlining only the first line', () => {
    const { value, locations } = parsed(`version: 1
images:
  base:
    provisioners: [node-exporter, consul]
    variables:
      TEXT: |
        two
        lines
`);
    expect(value).toEqual({
      version: 1,
      images: { base: { provisioners: ['node-exporter', 'consul'], variables: { TEXT: 'two\nlines\n' } } },
    });
    expect(Object.fromEntries([...locations].map(([p, info]) => [p, plainInfo(info)]))).toEqual({
      '': { value: { file: 'a.yaml', line: 1, column: 1 } },
      '/version': {
        key: { file: 'a.yaml', line: 1, column: 1, length: 7 },
        value: { file: 'a.yaml', line: 1, column: 10, length: 1 },
        source: '1',
      },
      '/images': {
        key: { file: 'a.yaml', line: 2, column: 1, length: 6 },
        value: { file: 'a.yaml', line: 3, column: 3, length: 5 },
      },
      '/images/base': {
        key: { file: 'a.yaml', line: 3, column: 3, length: 4 },
        value: { file: 'a.yaml', line: 4, column: 5, length: 37 },
      },
      '/images/base/provisioners': {
        key: { file: 'a.yaml', line: 4, column: 5, length: 12 },
        value: { file: 'a.yaml', line: 4, column: 19, length: 23 },
      },
      '/images/base/provisioners/0': { value: { file: 'a.yaml', line: 4, column: 20, length: 13 } },
      '/images/base/provisioners/1': { value: { file: 'a.yaml', line: 4, column: 35, length: 6 } },
      '/images/base/variables': {
        key: { file: 'a.yaml', line: 5, column: 5, length: 9 },
        value: { file: 'a.yaml', line: 6, column: 7, length: 7 },
      },
      '/images/base/variables/TEXT': {
        key: { file: 'a.yaml', line: 6, column: 7, length: 4 },
        value: { file: 'a.yaml', line: 6, column: 13, length: 1 },
      },
    });
  });

  test('an empty value is located at its key', () => {
    const { value, locations } = parsed('parent:\n');
    expect(value).toEqual({ parent: null });
    expect(locations.get('/parent')?.value).toEqual({ file: 'a.yaml', line: 1, column: 1, length: 6 });
  });

  test('keys with "/" and "~" are escaped in pointers', () => {
    const { locations } = parsed('"a/b": { "c~d": 1 }\n');
    expect([...locations.keys()]).toEqual(['', '/a~1b', '/a~1b/c~0d']);
  });

  test('numbers and booleans keep the text they were written as', () => {
    const { value, locations } = parsed('A: 1.10\nB: 0x1F\nC: true\nD: "1.10"\n');
    expect(value).toEqual({ A: 1.1, B: 31, C: true, D: '1.10' });
    expect(['/A', '/B', '/C', '/D'].map((p) => locations.get(p)?.source)).toEqual(['1.10', '0x1F', 'true', undefined]);
  });

  test('number keys become the text they were written as', () => {
    expect(parsed('1.10: a\n2: b\n').value).toEqual({ '1.10': 'a', 2: 'b' });
  });

  test('__proto__ is an ordinary key', () => {
    const { value } = parsed('__proto__: { polluted: true }\n');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('an alias takes the value of its anchor and the location of the alias', () => {
    const { value, locations } = parsed('a: &x [1]\nb: *x\n');
    expect(value).toEqual({ a: [1], b: [1] });
    expect(locations.get('/b')?.value).toEqual({ file: 'a.yaml', line: 2, column: 4, length: 2 });
  });

  test('a duplicate key is reported at the second key; the later value wins', () => {
    const result = parseYaml('a: 1\nb: 2\na: 3\n', 'a.yaml');
    expect(result.ok && result.value.value).toEqual({ a: 3, b: 2 });
    expect(result.ok && result.value.diagnostics).toEqual([
      {
        code: 'duplicate-key',
        message: 'duplicate key "a"',
        location: { file: 'a.yaml', line: 3, column: 1, length: 1 },
        hint: 'it is already set on line 1; a key may appear only once in a map (the later one would silently win)',
      },
    ]);
  });

  test('every syntax error of a file is reported', () => {
    const result = parseYaml('a: b: c\n\tx: 1\n', 'a.yaml');
    expect(result.ok ? [] : result.error.map((d) => [d.code, d.location?.line, d.location?.column])).toEqual([
      ['yaml-syntax', 1, 4],
      ['yaml-syntax', 2, 1],
    ]);
  });

  test.each([
    ['', 'empty-config'],
    ['# just a comment\n', 'empty-config'],
    ['just text\n', 'config-not-a-map'],
    ['~\n', 'config-not-a-map'],
    ['[a]\n', 'config-not-a-map'],
  ])('%j is rejected as %s', (text, code) => {
    const result = parseYaml(text, 'a.yaml');
    expect(result.ok ? [] : result.error.map((d) => d.code)).toEqual([code]);
  });
});

describe('parseYaml, odd input', () => {
  test('a byte order mark and CRLF line ends do not shift columns', () => {
    const { locations } = parsed('\uFEFFversion: 1\r\nimages:\r\n  base: { parent: x }\r\n');
    expect(plainInfo(locations.get('/version'))).toEqual({
      key: { file: 'a.yaml', line: 1, column: 1, length: 7 },
      value: { file: 'a.yaml', line: 1, column: 10, length: 1 },
      source: '1',
    });
    expect(locations.get('/images/base/parent')?.value).toEqual({ file: 'a.yaml', line: 3, column: 19, length: 1 });
  });

  test('scalars that YAML tags turn into objects stay text', () => {
    expect(parsed('a: !!binary aGVsbG8=\n').value).toEqual({ a: 'aGVsbG8=' });
  });
});
