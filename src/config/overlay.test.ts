import { describe, expect, test } from 'vitest';
import type { LocationMap } from './locations.js';
import { overlay, type Layer } from './overlay.js';

/** A layer whose every location is line 1 of `file`, column = position in `pointers`. */
function layer(file: string, value: Record<string, unknown>, pointers: readonly string[]): Layer {
  const locations: LocationMap = new Map(pointers.map((p, i) => [p, { value: { file, line: 1, column: i + 1 } }]));
  return { value, locations };
}

const filesOf = (l: Layer | undefined) =>
  Object.fromEntries([...(l?.locations ?? [])].map(([pointer, info]) => [pointer, info.value.file]));

describe('overlay', () => {
  test('nothing to overlay', () => {
    expect(overlay([])).toBeUndefined();
  });

  test('maps merge deeply; lists, scalars and type changes replace', () => {
    const a = layer('a.yaml', { m: { keep: 1, change: 2, list: [1, 2], sub: { x: 1 } }, s: 'a' }, [
      '',
      '/m',
      '/m/keep',
      '/m/change',
      '/m/list',
      '/m/list/0',
      '/m/list/1',
      '/m/sub',
      '/m/sub/x',
      '/s',
    ]);
    const b = layer('b.yaml', { m: { change: 3, list: [9], sub: 'now a string' }, t: true }, [
      '',
      '/m',
      '/m/change',
      '/m/list',
      '/m/list/0',
      '/m/sub',
      '/t',
    ]);
    const merged = overlay([a, b]);
    expect(merged?.value).toEqual({ m: { keep: 1, change: 3, list: [9], sub: 'now a string' }, s: 'a', t: true });
    expect(filesOf(merged)).toEqual({
      '': 'a.yaml',
      '/m': 'b.yaml',
      '/m/keep': 'a.yaml',
      '/m/change': 'b.yaml',
      '/m/list': 'b.yaml',
      '/m/list/0': 'b.yaml',
      '/m/sub': 'b.yaml',
      '/s': 'a.yaml',
      '/t': 'b.yaml',
    });
  });

  test('keys keep their first position; new keys come after', () => {
    const merged = overlay([
      layer('a.yaml', { images: { base: 1, cortex: 2 } }, []),
      layer('b.yaml', { images: { nginx: 3, base: 4 } }, []),
    ]);
    expect(Object.keys(merged?.value['images'] as object)).toEqual(['base', 'cortex', 'nginx']);
  });

  test('does not change its inputs', () => {
    const a = layer('a.yaml', { m: { x: 1 } }, ['', '/m', '/m/x']);
    const b = layer('b.yaml', { m: { y: 2 } }, ['', '/m', '/m/y']);
    overlay([a, b]);
    expect(a.value).toEqual({ m: { x: 1 } });
    expect([...a.locations.keys()]).toEqual(['', '/m', '/m/x']);
  });
});
