import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fromPointer } from './pointer.js';
import { parseYaml } from './parse-yaml.js';

const repoFile = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

/** A config with every kind of place: block and flow maps and lists, quoted keys, a multi-line value, an alias. */
const MIXED = `# comment
version: 1
variables: { MIRROR: "file:///mirror", N: 1.10 }
targets:
  docker:
    base_image: debian:bookworm
    run_args:
      - --network=host
      - "--volume=/a:/b"
images:
  base:
    provisioners: [base]
    variables:
      TEXT: |
        two
        lines
  'app':   {parent: base, provisioners: [a, b], variables: &v { PORT: "8080" }}
  other: { parent: app, provisioners: [c], variables: *v }
`;

/**
 * Lazy locations (offsets turned into line:column only when asked) must land where eager ones did: on the
 * text itself. Checked against the file, not against the code that computes them: the underline under
 * every key is that key as written, and every plain value starts with what it was parsed from.
 */
function checkEveryPlace(text: string): number {
  const parsed = parseYaml(text, 'a.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const at = (loc: { line: number; column: number; length?: number }) =>
    (lines[loc.line - 1] ?? '').slice(loc.column - 1, loc.column - 1 + (loc.length ?? 1));
  let checked = 0;
  for (const [pointer, info] of parsed.value.locations) {
    const path = fromPointer(pointer);
    const name = path.at(-1);
    if (info.key !== undefined && name !== undefined) {
      expect(at(info.key).replace(/^['"]|['"]$/g, ''), `key of ${pointer}`).toBe(name);
      checked++;
    }
    const value = path.reduce<unknown>((v, part) => (v as Record<string, unknown>)[part], parsed.value.value);
    if (typeof value === 'string' && !value.includes('\n') && pointer !== '' && !/[&*|]/.test(at(info.value))) {
      expect(at({ ...info.value, length: Math.max(info.value.length ?? 1, value.length + 2) }), `value of ${pointer}`).toContain(value);
      checked++;
    }
  }
  return checked;
}

describe('locations worked out lazily from offsets', () => {
  test.each([
    ['the reference tree', repoFile('images.yaml')],
    ['the offline example', repoFile('examples/offline/images.yaml')],
    ['block and flow styles, quotes, a block scalar, an alias', MIXED],
    ['the same with CRLF line ends and a byte order mark', '\uFEFF' + MIXED.replaceAll('\n', '\r\n')],
  ])('underline each key and value as written: %s', (_name, text) => {
    expect(checkEveryPlace(text)).toBeGreaterThan(10);
  });

  test('are worked out once and then kept', () => {
    const parsed = parseYaml(MIXED, 'a.yaml');
    if (!parsed.ok) throw new Error('parse failed');
    const info = parsed.value.locations.get('/images/app/parent');
    expect(info?.value).toEqual({ file: 'a.yaml', line: 17, column: 21, length: 4 });
    expect(info?.value).toBe(info?.value);
    expect(info?.key).toEqual({ file: 'a.yaml', line: 17, column: 13, length: 6 });
  });
});
