import { describe, expect, it } from 'vitest';
import { criticalPathPriority } from './critical-path.js';
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

  describe('a 10,000-deep chain (issue 13, finding 10: "Maximum call stack size exceeded" in skipBelow)', () => {
    const chain: ScheduledNode[] = Array.from({ length: 10_000 }, (_, i) => ({ name: `i${i}`, parent: i === 0 ? undefined : `i${i - 1}` }));

    it('whose root fails skips all 9,999 below it, each once, naming its own parent, without overflowing the stack', async () => {
      const skips: [string, string][] = [];
      const result = await schedule<number>(chain, {
        concurrency: 2,
        run: async () => ({ ok: false }),
        onSkip: (name, because) => skips.push([name, because]),
      });
      expect(result.states.get('i0')).toBe('failed');
      expect(skips).toHaveLength(9_999);
      expect(skips[0]).toEqual(['i1', 'i0']);
      expect(skips.at(-1)).toEqual(['i9999', 'i9998']);
      expect([...result.states.values()].filter((s) => s === 'skipped')).toHaveLength(9_999);
    });

    it('that succeeds hands each value down the whole chain', async () => {
      const result = await schedule<number>(chain, { concurrency: 2, run: async (_, parent) => ({ ok: true, value: (parent ?? 0) + 1 }) });
      expect(result.values.get('i9999')).toBe(10_000);
    });
  });

  it('reports skips depth first in the given order', async () => {
    const tree: ScheduledNode[] = [
      { name: 'r', parent: undefined },
      { name: 'a', parent: 'r' },
      { name: 'b', parent: 'r' },
      { name: 'a1', parent: 'a' },
      { name: 'a2', parent: 'a' },
      { name: 'b1', parent: 'b' },
    ];
    const skips: string[] = [];
    await schedule(tree, { concurrency: 1, run: async () => ({ ok: false }), onSkip: (name) => skips.push(name) });
    expect(skips).toEqual(['a', 'a1', 'a2', 'b', 'b1']);
  });

  it('picks among 20,000 ready leaves by priority in linear-logarithmic time', async () => {
    const wide: ScheduledNode[] = [
      { name: 'root', parent: undefined },
      ...Array.from({ length: 20_000 }, (_, i) => ({ name: `leaf${i}`, parent: 'root' })),
    ];
    let calls = 0;
    const started: string[] = [];
    await schedule(wide, {
      concurrency: 1,
      priority: (name) => {
        calls++;
        return name === 'root' ? 0 : Number(name.slice(4)) % 7;
      },
      run: async (name) => {
        started.push(name);
        return { ok: true, value: name };
      },
    });
    expect(calls).toBe(20_001);
    expect(started.slice(1, 4)).toEqual(['leaf6', 'leaf13', 'leaf20']);
    expect(started.at(-1)).toBe('leaf19999');
  });
});

/**
 * Runs the scheduler against a clock it advances itself: each build "takes" its time in simulated
 * ms, so the makespan is exact and the test takes no real time.
 */
async function simulatedMakespan(
  nodes: ScheduledNode[],
  slots: number,
  times: Record<string, number>,
  priority?: (name: string) => number,
) {
  let now = 0;
  const pending: { at: number; resolve: () => void }[] = [];
  const order: string[] = [];
  const done = schedule<string>(nodes, {
    concurrency: slots,
    ...(priority ? { priority } : {}),
    run: (name) =>
      new Promise((resolve) => {
        order.push(name);
        pending.push({ at: now + times[name]!, resolve: () => resolve({ ok: true, value: name }) });
      }),
  });
  let finished = false;
  void done.then(() => (finished = true));
  for (;;) {
    await new Promise((r) => setImmediate(r));
    if (finished) break;
    pending.sort((a, b) => a.at - b.at);
    const next = pending.shift()!;
    now = next.at;
    next.resolve();
  }
  return { makespan: now, order };
}

describe('scheduling policy, on simulated time (table: tree, slots, makespan per policy)', () => {
  // base → runtime → app → variant beside slow leaves: the chain bounds the makespan (10+8+12+15 = 45).
  const deep: ScheduledNode[] = [
    { name: 'base', parent: undefined },
    { name: 'leaf1', parent: 'base' },
    { name: 'leaf2', parent: 'base' },
    { name: 'runtime', parent: 'base' },
    { name: 'app', parent: 'runtime' },
    { name: 'variant', parent: 'app' },
  ];
  const deepTimes = { base: 10, leaf1: 15, leaf2: 15, runtime: 8, app: 12, variant: 15 };
  const reference: ScheduledNode[] = [
    { name: 'base', parent: undefined },
    ...['consul', 'cortex', 'nginx', 'monitoring'].map((n) => ({ name: n, parent: 'base' })),
  ];
  // Median hand-run (solo) build times of the reference tree in docs/benchmarks.md of 2026-11-21, in ms: the doc's 35.8 s and 32.2 s.
  const referenceTimes = { base: 17_150, consul: 2_115, cortex: 5_765, nginx: 9_315, monitoring: 12_900 };

  it.each([
    { tree: 'deep', nodes: deep, times: deepTimes, slots: 2, config: 60, longest: 60, critical: 45 },
    { tree: 'deep', nodes: deep, times: deepTimes, slots: 1, config: 75, longest: 75, critical: 75 },
    { tree: 'deep', nodes: deep, times: deepTimes, slots: 3, config: 45, longest: 45, critical: 45 },
    { tree: 'reference', nodes: reference, times: referenceTimes, slots: 2, config: 35_815, longest: 32_230, critical: 32_230 },
  ])('$tree tree, $slots slots: config order $config, longest first $longest, critical path first $critical', async (row) => {
    const recorded = (name: string) => (row.times as Record<string, number>)[name];
    const config = await simulatedMakespan(row.nodes, row.slots, row.times);
    const longest = await simulatedMakespan(row.nodes, row.slots, row.times, (n) => recorded(n) ?? 0);
    const critical = await simulatedMakespan(row.nodes, row.slots, row.times, criticalPathPriority(row.nodes, recorded));
    expect({ config: config.makespan, longest: longest.makespan, critical: critical.makespan }).toEqual({
      config: row.config,
      longest: row.longest,
      critical: row.critical,
    });
  });

  it('critical path first starts the chain before the slow leaves', async () => {
    const run = await simulatedMakespan(
      deep,
      2,
      deepTimes,
      criticalPathPriority(deep, (n) => (deepTimes as Record<string, number>)[n]),
    );
    expect(run.order.slice(0, 3)).toEqual(['base', 'runtime', 'leaf1']);
  });
});
