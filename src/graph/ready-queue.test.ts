import { describe, expect, it } from 'vitest';
import { ReadyQueue } from './ready-queue.js';

describe('ReadyQueue', () => {
  it.each([
    {
      name: 'highest first',
      pushed: [
        ['a', 1],
        ['b', 3],
        ['c', 2],
      ] as const,
      popped: ['b', 'c', 'a'],
    },
    {
      name: 'ties in the order pushed',
      pushed: [
        ['a', 1],
        ['b', 1],
        ['c', 1],
        ['d', 1],
      ] as const,
      popped: ['a', 'b', 'c', 'd'],
    },
    {
      name: 'mixed',
      pushed: [
        ['a', 0],
        ['b', 5],
        ['c', 0],
        ['d', 5],
        ['e', 9],
      ] as const,
      popped: ['e', 'b', 'd', 'a', 'c'],
    },
  ])('pops $name', ({ pushed, popped }) => {
    const queue = new ReadyQueue<string>();
    for (const [item, priority] of pushed) queue.push(item, priority);
    expect(queue.drain()).toEqual(popped);
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
  });

  it('keeps ties first in, first out across 1,000 interleaved pushes and pops', () => {
    const queue = new ReadyQueue<number>();
    const out: number[] = [];
    for (let i = 0; i < 1000; i++) {
      queue.push(i, i % 3);
      if (i % 4 === 3) out.push(queue.pop()!);
    }
    out.push(...queue.drain());
    const reference: number[] = [];
    const pool: number[] = [];
    for (let i = 0; i < 1000; i++) {
      pool.push(i);
      if (i % 4 === 3) reference.push(takeBest(pool));
    }
    while (pool.length > 0) reference.push(takeBest(pool));
    expect(out).toEqual(reference);
  });
});

/** The linear scan the scheduler used before: first of the highest priority. */
function takeBest(pool: number[]): number {
  let best = 0;
  for (let i = 1; i < pool.length; i++) if (pool[i]! % 3 > pool[best]! % 3) best = i;
  return pool.splice(best, 1)[0]!;
}
