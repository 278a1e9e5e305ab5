import { describe, expect, it } from 'vitest';
import { criticalPathPriority, expectedTimes, makespanLowerBound, parentsFirst, remainingPath } from './critical-path.js';
import type { ScheduledNode } from './scheduler.js';

const node = (name: string, parent?: string): ScheduledNode => ({ name, parent });
/** base → runtime → app → variant, beside a slow leaf on base and a second root. */
const deep = [
  node('base'),
  node('slow-leaf', 'base'),
  node('runtime', 'base'),
  node('app', 'runtime'),
  node('variant', 'app'),
  node('other'),
];
const times: Record<string, number> = { base: 10, 'slow-leaf': 30, runtime: 8, app: 12, variant: 15, other: 5 };

describe('remainingPath', () => {
  it.each([
    { name: 'a lone root', nodes: [node('a')], times: { a: 4 }, want: { a: 4 } },
    { name: 'a chain', nodes: [node('a'), node('b', 'a'), node('c', 'b')], times: { a: 1, b: 2, c: 3 }, want: { a: 6, b: 5, c: 3 } },
    {
      name: 'a deep chain beats a slow leaf',
      nodes: deep,
      times,
      want: { base: 45, 'slow-leaf': 30, runtime: 35, app: 27, variant: 15, other: 5 },
    },
    {
      name: 'children listed before their parent',
      nodes: [node('c', 'b'), node('b', 'a'), node('a')],
      times: { a: 1, b: 1, c: 1 },
      want: { a: 3, b: 2, c: 1 },
    },
  ])('$name', ({ nodes, times, want }) => {
    const got = remainingPath(nodes, new Map(Object.entries(times)));
    expect(Object.fromEntries(got)).toEqual(want);
  });
});

describe('expectedTimes', () => {
  it.each([
    { name: 'nothing recorded: every image counts 1 s', recorded: {}, want: { a: 1000, b: 1000, c: 1000 } },
    { name: 'unknown ones get the median of the known', recorded: { a: 10, b: 30 }, want: { a: 10, b: 30, c: 20 } },
    { name: 'one known time is the median', recorded: { b: 7 }, want: { a: 7, b: 7, c: 7 } },
    { name: 'negative or non-finite records are ignored', recorded: { a: -5, b: Number.NaN, c: 9 }, want: { a: 9, b: 9, c: 9 } },
  ])('$name', ({ recorded, want }) => {
    const nodes = [node('a'), node('b', 'a'), node('c', 'a')];
    const got = expectedTimes(nodes, (n) => (recorded as Record<string, number>)[n]);
    expect(Object.fromEntries(got)).toEqual(want);
  });

  it('takes a fixed default when asked', () => {
    expect(
      Object.fromEntries(expectedTimes([node('a'), node('b')], (n) => (n === 'a' ? 3 : undefined), { unknown: { kind: 'fixed', ms: 60 } })),
    ).toEqual({
      a: 3,
      b: 60,
    });
  });

  it('counts instant (reused) nodes as 0 and leaves them out of the median', () => {
    const nodes = [node('a'), node('b', 'a'), node('c', 'a'), node('d', 'a')];
    const recorded: Record<string, number> = { a: 1, b: 10, c: 30 };
    const got = expectedTimes(nodes, (n) => recorded[n], { instant: (n) => n === 'a' });
    expect(Object.fromEntries(got)).toEqual({ a: 0, b: 10, c: 30, d: 20 });
  });
});

describe('criticalPathPriority', () => {
  it('ranks the head of the longest chain above the longest single build', () => {
    const priority = criticalPathPriority(deep, (n) => times[n]);
    expect(priority('runtime')).toBeGreaterThan(priority('slow-leaf'));
    expect(times['slow-leaf']).toBeGreaterThan(times.runtime!);
  });

  it('with no records, ranks by the number of images on the longest chain below', () => {
    const priority = criticalPathPriority(deep, () => undefined);
    expect(['base', 'slow-leaf', 'runtime', 'app', 'variant', 'other'].map(priority)).toEqual([4000, 1000, 3000, 2000, 1000, 1000]);
  });
});

describe('makespanLowerBound', () => {
  it.each([
    { slots: 1, want: 80 }, // all the work on one slot
    { slots: 2, want: 45 }, // the critical path base → runtime → app → variant
    { slots: 32, want: 45 },
  ])('with $slots slots is $want', ({ slots, want }) => {
    expect(makespanLowerBound(deep, new Map(Object.entries(times)), slots)).toBe(want);
  });
});

describe('on a 10,000-deep chain (issue 13, finding 10: no recursion on user-sized data)', () => {
  const chain = Array.from({ length: 10_000 }, (_, i) => node(`i${i}`, i === 0 ? undefined : `i${i - 1}`));

  it('computes every path without overflowing the stack', () => {
    const path = remainingPath(
      chain,
      expectedTimes(chain, () => 2),
    );
    expect(path.get('i0')).toBe(20_000);
    expect(path.get('i9999')).toBe(2);
    expect(parentsFirst([...chain].reverse()).map((n) => n.name)).toEqual(chain.map((n) => n.name));
  });
});

describe('parentsFirst', () => {
  it('rejects a parent that is not listed, and a cycle, as bugs', () => {
    expect(() => parentsFirst([node('a', 'ghost')])).toThrow(/unscheduled parent ghost/);
    expect(() => parentsFirst([node('a', 'b'), node('b', 'a')])).toThrow(/cycle/);
  });
});
