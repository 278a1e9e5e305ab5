// Scheduling simulation: the real scheduler (dist/graph/scheduler.js) driven with simulated time on
// random trees far bigger than the reference tree, with build times drawn from the reference
// tree's real, measured builds. Pure computation: no Docker, no Packer, no real waiting.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** Deterministic PRNG (mulberry32), so a run can be repeated exactly from its seed. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random forest of `n` images with exactly `depth` levels: one spine from the first root down
 * to depth `depth`, 1 to 3 roots, and every other image on a parent drawn uniformly from the images
 * above the last level (so fan-out and depth vary from tree to tree as they do in real projects).
 */
export function randomTree(n, depth, random) {
  const nodes = [];
  const eligible = []; // images that may take a child (depth < depth - 1)
  const add = (parent, level) => {
    const name = `i${nodes.length}`;
    nodes.push({ name, parent, level });
    if (level < depth - 1) eligible.push(nodes.at(-1));
  };
  const roots = Math.min(n - depth + 1, 1 + Math.floor(random() * 3));
  add(undefined, 0);
  for (let level = 1; level < depth; level++) add(nodes.at(-1).name, level);
  for (let r = 1; r < roots; r++) add(undefined, 0);
  while (nodes.length < n) {
    const parent = eligible[Math.floor(random() * eligible.length)];
    add(parent.name, parent.level + 1);
  }
  return nodes.map(({ name, parent }) => ({ name, parent }));
}

/**
 * Gives each image the measured times of one reference image, drawn at random: `actual` is one
 * measured build, `expected` (what the scheduler is told, as if from the last recorded build) is
 * another measured build of the same image when there is one. `samples`: { image: [ms, …] }.
 */
export function drawTimes(nodes, samples, random) {
  const pool = Object.values(samples).filter((xs) => xs.length > 0);
  const actual = new Map();
  const expected = new Map();
  for (const node of nodes) {
    const xs = pool[Math.floor(random() * pool.length)];
    const i = Math.floor(random() * xs.length);
    const j = xs.length > 1 ? (i + 1 + Math.floor(random() * (xs.length - 1))) % xs.length : i;
    actual.set(node.name, xs[i]);
    expected.set(node.name, xs[j]);
  }
  return { actual, expected };
}

/**
 * Runs dist's scheduler over `nodes` with `slots` at once, each build taking `actual` simulated ms.
 * The scheduler is the real one; only time is simulated: a build "finishes" when the simulation
 * advances its clock to the build's end, one event at a time, after the scheduler has reacted to
 * the previous one (a macrotask turn: every promise continuation has run by then).
 */
export async function simulate(schedule, nodes, slots, actual, priority) {
  let now = 0;
  const running = [];
  let done = false;
  const result = schedule(nodes, {
    concurrency: slots,
    ...(priority ? { priority } : {}),
    run: (name) =>
      new Promise((resolve) => {
        running.push({ end: now + actual.get(name), resolve: () => resolve({ ok: true, value: name }) });
      }),
  }).then((r) => {
    done = true;
    return r;
  });
  for (;;) {
    await new Promise((r) => setImmediate(r));
    if (done) break;
    if (running.length === 0) throw new Error('bug: the scheduler is waiting with nothing running');
    let first = 0;
    for (let i = 1; i < running.length; i++) if (running[i].end < running[first].end) first = i;
    const [next] = running.splice(first, 1);
    now = next.end;
    next.resolve();
  }
  const states = (await result).states;
  for (const state of states.values()) if (state !== 'completed') throw new Error(`bug: a node ended ${state} in the simulation`);
  return now;
}

export const POLICIES = ['config', 'longest', 'critical', 'chosen'];

/**
 * The simulation the bench reports: for each size, `trees` random trees (depth 2 to 8, uniform),
 * each scheduled with every slot count and every policy. Returns one record per tree and slot count.
 *
 * `chosen` is what the tool does now (src/graph/pick-order.ts): it simulates several priority rules on
 * the expected times and runs with the one whose simulated makespan is lowest. That promises "never worse
 * than longest first" only when the actual times are the expected ones, so each case is also run on
 * exactly the expected times (`exact`), where the promise must hold, besides the noisy actual times
 * (`makespan`), where it need not.
 */
export async function runSimulation(repo, { sizes = [50, 200, 1000], slots = [2, 8, 32], trees = 30, seed = 18, samples }) {
  const { schedule } = await import(pathToFileURL(join(repo, 'dist', 'graph', 'scheduler.js')).href);
  const cp = await import(pathToFileURL(join(repo, 'dist', 'graph', 'critical-path.js')).href);
  const pick = await import(pathToFileURL(join(repo, 'dist', 'graph', 'pick-order.js')).href);
  const random = rng(seed);
  const records = [];
  const started = performance.now();
  for (const n of sizes) {
    for (let t = 0; t < trees; t++) {
      const depth = 2 + Math.floor(random() * 7);
      const nodes = randomTree(n, depth, random);
      const { actual, expected } = drawTimes(nodes, samples, random);
      const recorded = (name) => expected.get(name);
      const priorities = {
        config: undefined,
        longest: (name) => recorded(name) ?? 0,
        critical: cp.criticalPathPriority(nodes, recorded),
      };
      for (const s of slots) {
        const pickStarted = performance.now();
        const choice = pick.chooseSchedule(nodes, expected, s);
        const pickMs = performance.now() - pickStarted;
        const withChoice = { ...priorities, chosen: choice.priority };
        const makespan = {};
        for (const policy of POLICIES) makespan[policy] = await simulate(schedule, nodes, s, actual, withChoice[policy]);
        const exact = {};
        for (const policy of ['longest', 'critical', 'chosen'])
          exact[policy] = await simulate(schedule, nodes, s, expected, withChoice[policy]);
        records.push({
          n,
          depth,
          slots: s,
          bound: cp.makespanLowerBound(nodes, actual, s),
          tight: tighterBound(nodes, actual, s),
          makespan,
          exact,
          exactBound: cp.makespanLowerBound(nodes, expected, s),
          rule: choice.rule,
          predicted: choice.expectedMakespanMs,
          pickMs,
        });
      }
    }
  }
  return { seed, trees, sizes, slots, records, elapsedMs: performance.now() - started, pickCost: pickCost(pick, random, samples) };
}

/** What choosing costs (all rules simulated on the expected times), on random trees of 1,000 and 10,000 images: the median of 15 runs. */
function pickCost(pick, random, samples) {
  const out = [];
  for (const n of [1000, 10000]) {
    const nodes = randomTree(n, 6, random);
    const { expected } = drawTimes(nodes, samples, random);
    const ms = [];
    for (let k = 0; k < 16; k++) {
      const t = performance.now();
      pick.chooseSchedule(nodes, expected, 8);
      if (k > 0) ms.push(performance.now() - t); // the first run compiles the code
    }
    ms.sort((a, b) => a - b);
    out.push({ n, medianMs: ms[ms.length >> 1], minMs: ms[0], maxMs: ms.at(-1) });
  }
  return out;
}

/**
 * A tighter lower bound than max(critical path, work / slots), to show how much of a gap to that
 * bound no schedule can close. An image can run at time t only if all its ancestors are done
 * (t ≥ its earliest start, the sum of its ancestors' times) and there is still time for the chain
 * below it (t < T − the longest chain strictly below it). So at each moment at most
 * min(slots, images meeting both) are busy, and a makespan T is possible only if that capacity,
 * integrated over [0, T], holds all the work. The smallest such T (found by bisection) is a valid
 * lower bound; it is higher than the simple one mostly because a tree starts with its roots alone.
 */
export function tighterBound(nodes, times, slots) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const order = [];
  const children = new Map();
  for (const n of nodes) if (n.parent !== undefined) (children.get(n.parent) ?? children.set(n.parent, []).get(n.parent)).push(n);
  for (const n of nodes) if (n.parent === undefined) order.push(n);
  for (let i = 0; i < order.length; i++) order.push(...(children.get(order[i].name) ?? []));
  const start = new Map();
  for (const n of order) start.set(n.name, n.parent === undefined ? 0 : start.get(n.parent) + times.get(n.parent));
  const below = new Map(); // longest chain strictly below
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    const mine = below.get(n.name) ?? 0;
    if (n.parent !== undefined) below.set(n.parent, Math.max(below.get(n.parent) ?? 0, mine + times.get(n.name)));
  }
  let work = 0;
  let critical = 0;
  for (const n of order) {
    work += times.get(n.name);
    critical = Math.max(critical, start.get(n.name) + times.get(n.name) + (below.get(n.name) ?? 0));
  }
  const starts = [...start.values()].sort((a, b) => a - b);
  const tails = [...byName.keys()].map((k) => below.get(k) ?? 0).sort((a, b) => a - b);
  // Capacity integrated over [0, T]: breakpoints at every earliest start and every T − tail.
  const capacity = (T) => {
    const events = [];
    for (const s of starts) if (s < T) events.push([s, 0]);
    for (const tail of tails) if (T - tail > 0) events.push([T - tail, 1]);
    events.sort((a, b) => a[0] - b[0]);
    let open = 0; // images past their earliest start
    let closed = 0; // images whose window has ended
    let last = 0;
    let total = 0;
    for (const [at, kind] of events) {
      total += (at - last) * Math.max(0, Math.min(slots, open - closed));
      last = at;
      if (kind === 0) open++;
      else closed++;
    }
    return total;
  };
  let lo = Math.max(critical, work / slots);
  if (capacity(lo) >= work - 1e-6) return lo;
  let hi = Math.max(lo * 2, work);
  while (capacity(hi) < work - 1e-6) hi *= 2;
  for (let i = 0; i < 50 && hi - lo > 0.5; i++) {
    const mid = (lo + hi) / 2;
    if (capacity(mid) >= work - 1e-6) hi = mid;
    else lo = mid;
  }
  return hi;
}
