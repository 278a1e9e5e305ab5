import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '../config/types.js';
import { ancestry, buildTree, descendants } from './tree.js';

const image = (name: string, parent?: string): ImageConfig => ({
  name,
  parent,
  provisioners: [name],
  variables: {},
  location: { file: 'images.yaml', line: 1, column: 1 },
});

describe('buildTree', () => {
  it.each([
    {
      shape: 'the cortex tree',
      images: [image('base'), image('consul', 'base'), image('cortex', 'base'), image('nginx', 'base'), image('monitoring', 'base')],
      levels: [['base'], ['consul', 'cortex', 'nginx', 'monitoring']],
    },
    {
      shape: 'a grandchild',
      images: [image('base'), image('app', 'base'), image('app-debug', 'app')],
      levels: [['base'], ['app'], ['app-debug']],
    },
    {
      shape: 'children listed before their parent',
      images: [image('leaf', 'mid'), image('mid', 'root'), image('root')],
      levels: [['root'], ['mid'], ['leaf']],
    },
    {
      shape: 'several roots',
      images: [image('a'), image('b'), image('a1', 'a'), image('b1', 'b'), image('b2', 'b1')],
      levels: [['a', 'b'], ['a1', 'b1'], ['b2']],
    },
    { shape: 'one image', images: [image('solo')], levels: [['solo']] },
  ])('orders $shape level by level', ({ images, levels }) => {
    const tree = buildTree(images);
    expect(tree.levels).toEqual(levels);
    expect(tree.order.map((n) => n.name)).toEqual(levels.flat());
    for (const node of tree.order) {
      if (node.parent !== undefined) expect(tree.order.findIndex((n) => n.name === node.parent)).toBeLessThan(tree.order.indexOf(node));
    }
  });

  it('answers descendants and ancestry', () => {
    const tree = buildTree([image('base'), image('app', 'base'), image('app-debug', 'app'), image('other', 'base')]);
    expect(descendants(tree, 'base')).toEqual(['app', 'other', 'app-debug']);
    expect(descendants(tree, 'other')).toEqual([]);
    expect(ancestry(tree, 'app-debug')).toEqual(['base', 'app', 'app-debug']);
  });

  it('treats a cycle that slipped past validation as a bug', () => {
    expect(() => buildTree([image('a', 'b'), image('b', 'a')])).toThrow(/bug: images in a cycle/);
  });
});

describe('a 10,000-deep chain (issue 13, finding 10: no recursion on user-sized data)', () => {
  const chain = Array.from({ length: 10_000 }, (_, i) => image(`i${i}`, i === 0 ? undefined : `i${i - 1}`));

  it('builds, and walks up and down, without overflowing the stack', () => {
    const tree = buildTree([...chain].reverse());
    expect(tree.levels).toHaveLength(10_000);
    expect(tree.byName.get('i9999')?.depth).toBe(9_999);
    expect(descendants(tree, 'i0')).toHaveLength(9_999);
    expect(ancestry(tree, 'i9999').slice(0, 2)).toEqual(['i0', 'i1']);
    expect(ancestry(tree, 'i9999')).toHaveLength(10_000);
  });
});
