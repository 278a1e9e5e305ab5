import { describe, expect, test } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import { formatDiagnostic, formatDiagnostics } from './format.js';

const SOURCE = `version: 1
images:
  base: { provisioners: [base] }
  cortex: { parent: bsae, provisioners: [cortex] }
`;

const UNKNOWN_PARENT: Diagnostic = {
  code: 'unknown-parent',
  message: 'unknown parent "bsae" of image "cortex"',
  location: { file: 'images.yaml', line: 4, column: 21, length: 4 },
  hint: 'did you mean "base"? Known images: base, cortex',
};

describe('formatDiagnostic', () => {
  test('location, excerpt with underline, hint', () => {
    expect(formatDiagnostic(UNKNOWN_PARENT, SOURCE)).toMatchInlineSnapshot(`
      "images.yaml:4:21: error: unknown parent "bsae" of image "cortex"
          4 |   cortex: { parent: bsae, provisioners: [cortex] }
            |                     ^^^^
        hint: did you mean "base"? Known images: base, cortex"
    `);
  });

  test('without the source there is no excerpt', () => {
    expect(formatDiagnostic(UNKNOWN_PARENT)).toMatchInlineSnapshot(`
      "images.yaml:4:21: error: unknown parent "bsae" of image "cortex"
        hint: did you mean "base"? Known images: base, cortex"
    `);
  });

  test('without a location: just the message', () => {
    expect(formatDiagnostic({ code: 'config-not-found', message: 'config file x.yaml does not exist' })).toBe(
      'error: config file x.yaml does not exist',
    );
  });

  test('a location without a length has no excerpt', () => {
    const d: Diagnostic = { code: 'missing-key', message: 'missing "images"', location: { file: 'a.yaml', line: 1, column: 1 } };
    expect(formatDiagnostic(d, SOURCE)).toBe('a.yaml:1:1: error: missing "images"');
  });

  test('multi-line hints are indented under the first line', () => {
    const d: Diagnostic = { code: 'empty-config', message: 'a.yaml is empty', hint: 'a minimal config is:\nversion: 1\nimages: {}' };
    expect(formatDiagnostic(d)).toMatchInlineSnapshot(`
      "error: a.yaml is empty
        hint: a minimal config is:
              version: 1
              images: {}"
    `);
  });

  test('the underline stops at the end of the line', () => {
    const d: Diagnostic = { code: 'x', message: 'm', location: { file: 'a.yaml', line: 1, column: 10, length: 40 } };
    expect(formatDiagnostic(d, SOURCE)).toMatchInlineSnapshot(`
      "a.yaml:1:10: error: m
          1 | version: 1
            |          ^"
    `);
  });

  test('tabs before the column are kept so the carets line up; CRLF is dropped', () => {
    const d: Diagnostic = { code: 'x', message: 'm', location: { file: 'a.yaml', line: 2, column: 4, length: 3 } };
    expect(formatDiagnostic(d, 'a: 1\r\n\tb:\tfoo\r\n')).toBe('a.yaml:2:4: error: m\n    2 | \tb:\tfoo\n      | \t  ^^^');
  });

  test('line numbers up to five digits keep the gutter aligned', () => {
    const source = `${'\n'.repeat(12344)}key: value\n`;
    const d: Diagnostic = { code: 'x', message: 'm', location: { file: 'a.yaml', line: 12345, column: 6, length: 5 } };
    expect(formatDiagnostic(d, source)).toMatchInlineSnapshot(`
      "a.yaml:12345:6: error: m
      12345 | key: value
            |      ^^^^^"
    `);
  });

  test('a line past the end of the source has no excerpt', () => {
    const d: Diagnostic = { code: 'x', message: 'm', location: { file: 'a.yaml', line: 99, column: 1, length: 1 } };
    expect(formatDiagnostic(d, SOURCE)).toBe('a.yaml:99:1: error: m');
  });
});

describe('formatDiagnostics', () => {
  test('separates diagnostics with a blank line and reads each file once', () => {
    const reads: string[] = [];
    const readSource = (file: string): string | undefined => {
      reads.push(file);
      return file === 'images.yaml' ? SOURCE : undefined;
    };
    const ds: Diagnostic[] = [
      { code: 'config-not-found', message: 'config file local.yaml does not exist' },
      UNKNOWN_PARENT,
      { ...UNKNOWN_PARENT, message: 'again', hint: undefined },
      { code: 'x', message: 'elsewhere', location: { file: 'gone.yaml', line: 1, column: 1, length: 1 } },
    ];
    expect(formatDiagnostics(ds, readSource)).toMatchInlineSnapshot(`
      "error: config file local.yaml does not exist

      images.yaml:4:21: error: unknown parent "bsae" of image "cortex"
          4 |   cortex: { parent: bsae, provisioners: [cortex] }
            |                     ^^^^
        hint: did you mean "base"? Known images: base, cortex

      images.yaml:4:21: error: again
          4 |   cortex: { parent: bsae, provisioners: [cortex] }
            |                     ^^^^

      gone.yaml:1:1: error: elsewhere"
    `);
    expect(reads).toEqual(['images.yaml', 'gone.yaml']);
  });

  test('nothing to report is an empty string', () => {
    expect(formatDiagnostics([], () => undefined)).toBe('');
  });
});
