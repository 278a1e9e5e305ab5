import { describe, expect, test } from 'vitest';
import type { RawConfig, RawImage } from './raw.js';
import { checkParents, checkProvisioners, findCycles, referencedProvisioners } from './rules.js';
import type { ProvisionerFacts, ScriptFact } from './scripts.js';

function config(parents: Record<string, string | undefined>): RawConfig {
  const images: Record<string, RawImage> = {};
  for (const [name, parent] of Object.entries(parents)) {
    images[name] = parent === undefined ? { provisioners: ['base'] } : { parent, provisioners: ['base'] };
  }
  return { version: 1, images };
}

describe('findCycles', () => {
  test.each<[string, Record<string, string | undefined>, string[][]]>([
    ['a tree', { base: undefined, a: 'base', b: 'a' }, []],
    ['a self-parent is not a cycle here', { a: 'a' }, []],
    ['two images', { a: 'b', b: 'a' }, [['a', 'b']]],
    ['starts at the first image in the config', { c: 'a', a: 'b', b: 'c' }, [['c', 'a', 'b']]],
    ['a tail into a cycle', { tail: 'a', a: 'b', b: 'a' }, [['a', 'b']]],
    [
      'two cycles',
      { a: 'b', b: 'a', x: 'y', y: 'z', z: 'x' },
      [
        ['a', 'b'],
        ['x', 'y', 'z'],
      ],
    ],
    ['an unknown parent ends the walk', { a: 'nope', b: 'a' }, []],
  ])('%s', (_, parents, cycles) => {
    expect(findCycles(config(parents))).toEqual(cycles);
  });
});

describe('checkParents', () => {
  test('one diagnostic per problem, in config order', () => {
    const ds = checkParents(config({ base: undefined, me: 'me', lost: 'bsae', a: 'b', b: 'a' }), new Map());
    expect(ds.map((d) => `${d.code}: ${d.message}`)).toEqual([
      'self-parent: image "me" is its own parent',
      'unknown-parent: unknown parent "bsae" of image "lost"',
      'parent-cycle: cycle in image parents: a → b → a',
    ]);
  });
});

describe('checkProvisioners', () => {
  const facts = (scripts: Record<string, ScriptFact>): ProvisionerFacts => ({
    available: ['base'],
    scripts: new Map(Object.entries(scripts)),
    lib: [],
  });

  test('only well-formed names are looked up on disk', () => {
    const raw: RawConfig = { version: 1, images: { base: { provisioners: ['a', '../b', 'c.sh', '/etc/d'] } } };
    expect(referencedProvisioners(raw)).toEqual(['a', 'c.sh']);
  });

  test('a script that cannot be read', () => {
    const raw: RawConfig = { version: 1, images: { base: { provisioners: ['base', 'secret'] } } };
    const ds = checkProvisioners(
      raw,
      new Map(),
      facts({ base: { kind: 'ok' }, secret: { kind: 'unreadable', reason: 'EACCES: permission denied' } }),
    );
    expect(ds).toEqual([
      {
        code: 'provisioner-unreadable',
        hint: 'make it readable by the user running build-images (chmod a+r)',
        message: 'provisioner "secret" of image "base": cannot read provisioners/secret.sh: EACCES: permission denied',
      },
    ]);
  });
});

describe('findCycles on user-sized data', () => {
  // Issue 13 #10 found recursion on a 6,000-image chain; the cycle check must not recurse, spread or go quadratic.
  const chain = (n: number, loop: boolean): RawConfig => {
    const images: Record<string, RawImage> = {};
    for (let i = 0; i < n; i++) {
      const parent = i === 0 ? (loop ? `img-${n - 1}` : undefined) : `img-${i - 1}`;
      images[`img-${i}`] = parent === undefined ? { provisioners: ['base'] } : { parent, provisioners: ['base'] };
    }
    return { version: 1, images };
  };

  test('a 20,000-image chain: no cycle, no throw', () => {
    expect(findCycles(chain(20_000, false))).toEqual([]);
  });

  test('a 20,000-image loop: one cycle of every image, starting at the first in the config', () => {
    const cycles = findCycles(chain(20_000, true));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(20_000);
    expect(cycles[0]?.[0]).toBe('img-0');
    expect(cycles[0]?.[1]).toBe('img-19999');
  });
});
