import { describe, expect, it } from 'vitest';
import { schedule, type ScheduledNode } from './scheduler.js';

const cortex: ScheduledNode[] = [
  { name: 'base', parent: undefined },
  { name: 'consul', parent: 'base' },
  { name: 'cortex', parent: 'base' },
  { name: 'nginx', parent: 'base' },
  { name: 'monitoring', parent: 'base' },
];
const deep: ScheduledNode[] = [
  { name: 'a', parent: undefined },
  { name: 'b', parent: 'a' },
  { name: 'c', parent: 'b' },
  { name: 'x', parent: undefined },
  { name: 'y', parent: 'x' },
];

/** Runs the scheduler with nodes that take `ms` each and fail when listed; records start order and peak parallelism. */
async function simulate(nodes: ScheduledNode[], concurrency: number, failing: string[] = []) {
  const started: string[] = [];
  let active = 0;
  let peak = 0;
  const result = await schedule<string>(nodes, {
    concurrency,
    run: async (name, parentValue) => {
      started.push(name);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active -= 1;
      return failing.includes(name) ? { ok: false } : { ok: true, value: `${parentValue ?? 'root'}>${name}` };
    },
  });
  return {
    started,
    peak,
    states: Object.fromEntries(result.states),
    values: Object.fromEntries(result.values),
    skipped: Object.fromEntries(result.skippedBecause),
  };
}

describe('schedule', () => {
  it.each([
    { concurrency: 1, peak: 1 },
    { concurrency: 2, peak: 2 },
    { concurrency: 3, peak: 3 },
    { concurrency: 8, peak: 4 },
  ])('never runs more than $concurrency at once (peak $peak on the cortex tree)', async ({ concurrency, peak }) => {
    const run = await simulate(cortex, concurrency);
    expect(run.peak).toBe(peak);
    expect(run.started[0]).toBe('base');
    expect(Object.values(run.states).every((s) => s === 'completed')).toBe(true);
  });

  it('hands each child its parent value (a grandchild sees the chain)', async () => {
    const run = await simulate(deep, 2);
    expect(run.values).toEqual({ a: 'root>a', b: 'root>a>b', c: 'root>a>b>c', x: 'root>x', y: 'root>x>y' });
  });

  it.each([
    {
      failing: ['base'],
      states: { base: 'failed', consul: 'skipped', cortex: 'skipped', nginx: 'skipped', monitoring: 'skipped' },
      nodes: cortex,
    },
    {
      failing: ['cortex'],
      states: { base: 'completed', consul: 'completed', cortex: 'failed', nginx: 'completed', monitoring: 'completed' },
      nodes: cortex,
    },
    { failing: ['b'], states: { a: 'completed', b: 'failed', c: 'skipped', x: 'completed', y: 'completed' }, nodes: deep },
    { failing: ['a', 'y'], states: { a: 'failed', b: 'skipped', c: 'skipped', x: 'completed', y: 'failed' }, nodes: deep },
  ])('failing $failing skips only their descendants', async ({ failing, states, nodes }) => {
    const run = await simulate(nodes, 2, failing);
    expect(run.states).toEqual(states);
    for (const name of failing) expect(run.started).toContain(name);
    for (const [name, state] of Object.entries(states)) if (state === 'skipped') expect(run.started).not.toContain(name);
  });

  it('names the node that caused each skip', async () => {
    const run = await simulate(deep, 1, ['a']);
    expect(run.skipped).toEqual({ b: 'a', c: 'b' });
  });

  it('starts nothing new once aborted and marks the rest skipped', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const result = await schedule<string>(deep, {
      concurrency: 1,
      signal: controller.signal,
      run: async (name) => {
        started.push(name);
        controller.abort();
        return { ok: false };
      },
    });
    expect(started).toEqual(['a']);
    expect(Object.fromEntries(result.states)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', x: 'skipped', y: 'skipped' });
  });

  it('rejects a concurrency below 1 as a bug', async () => {
    await expect(schedule(cortex, { concurrency: 0, run: async () => ({ ok: true, value: 1 }) })).rejects.toThrow(/concurrency 0/);
  });

  it('starts the highest-priority ready node first, keeping the given order on ties', async () => {
    const started: string[] = [];
    const lastBuild: Record<string, number> = { consul: 5, cortex: 40, nginx: 20, monitoring: 40 };
    await schedule<string>(cortex, {
      concurrency: 1,
      priority: (name) => lastBuild[name] ?? 0,
      run: async (name) => {
        started.push(name);
        return { ok: true, value: name };
      },
    });
    expect(started).toEqual(['base', 'cortex', 'monitoring', 'nginx', 'consul']);
  });
});
