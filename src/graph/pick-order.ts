import type { ScheduledNode } from './scheduler.js';

/**
 * Which priority rule to schedule with, chosen by simulating each on the expected times.
 *
 * Critical path first (longest remaining path) is a good list-scheduling rule for trees, but no single rule
 * is best on every tree: with many slots and a wide level, starting the image with the most work below it
 * can beat starting the one with the longest chain; with equal chains, tie-breaks decide; and on some trees
 * plain longest first happens to pack the slots better. Since every image's expected time is known before
 * the run, each rule's schedule can be simulated on those times (an event loop over a heap, O(n log n)),
 * and the run uses the rule whose simulated makespan is lowest. When the actual times equal the expected
 * ones, the run's makespan is that minimum, so it is never worse than any rule in RULES (longest first and
 * config order included). When they differ, it is the best rule on the times the run was told, no more.
 *
 * The simulation mirrors ./scheduler.ts exactly: a ready pool ordered by priority, first in first out among
 * equal priorities (./ready-queue.ts, the same class); children become ready in the given order when their
 * parent completes; completions are handled one at a time, earliest end first, and among equal ends the one
 * started first (what the bench's driver does, bench/lib/simulate.mjs); after each, free slots are filled.
 */
export const RULES = ['critical-path', 'critical-path-most-below', 'most-work-below', 'longest-first', 'config-order'] as const;
export type RuleName = (typeof RULES)[number];

export interface ScheduleChoice {
  readonly rule: RuleName;
  /** The simulated makespan of the chosen rule on the expected times. */
  readonly expectedMakespanMs: number;
  /** max(critical path, total work / slots) of the expected times: no schedule beats it. */
  readonly boundMs: number;
  /** Every rule tried, in RULES order, with its simulated makespan. */
  readonly tried: readonly { readonly rule: RuleName; readonly makespanMs: number }[];
  /** What the scheduler takes (ScheduleOptions.priority): higher starts first. */
  readonly priority: (name: string) => number;
}

/** Each rule's priority over `nodes`: higher starts first; equal priorities keep the order they became ready in. */
export function rulePriorities(
  nodes: readonly ScheduledNode[],
  expected: ReadonlyMap<string, number>,
): Map<RuleName, (name: string) => number> {
  const forest = indexForest(nodes, expected);
  const table = priorityTable(forest);
  return new Map(RULES.map((rule) => [rule, lookup(forest, table.get(rule)!)]));
}

/** Simulates every rule on the expected times with `slots` at once, and picks the lowest makespan (the first listed on a tie). */
export function chooseSchedule(nodes: readonly ScheduledNode[], expected: ReadonlyMap<string, number>, slots: number): ScheduleChoice {
  checkSlots(slots);
  const forest = indexForest(nodes, expected);
  const table = priorityTable(forest);
  const tried = RULES.map((rule) => ({ rule, makespanMs: listSchedule(forest, slots, table.get(rule)!) }));
  let best = tried[0]!;
  for (const t of tried) if (t.makespanMs < best.makespanMs) best = t;
  let critical = 0;
  let work = 0;
  for (let i = 0; i < forest.n; i++) {
    work += forest.time[i]!;
    if (forest.parent[i] === -1) critical = Math.max(critical, table.get('critical-path')![i]!);
  }
  return {
    rule: best.rule,
    expectedMakespanMs: best.makespanMs,
    boundMs: Math.max(critical, work / slots),
    tried,
    priority: lookup(forest, table.get(best.rule)!),
  };
}

/** The makespan of ./scheduler.ts's list schedule with `priority`, every node taking its expected time, `slots` at once. */
export function simulateList(
  nodes: readonly ScheduledNode[],
  expected: ReadonlyMap<string, number>,
  slots: number,
  priority: (name: string) => number,
): number {
  checkSlots(slots);
  const forest = indexForest(nodes, expected);
  return listSchedule(forest, slots, Float64Array.from(forest.names, priority));
}

function checkSlots(slots: number): void {
  if (!Number.isInteger(slots) || slots < 1) throw new Error(`bug: slots ${slots}`);
}

/**
 * The forest on integer indices and typed arrays (a Map lookup per step made 10,000 images cost tens of ms
 * per rule): children in the given order as one flat list, and a parents-first order (iterative: a chain may
 * be 10,000 deep).
 */
interface Forest {
  readonly n: number;
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly parent: Int32Array;
  readonly time: Float64Array;
  /** Children of i: childList[childStart[i] .. childStart[i + 1]). */
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  readonly parentsFirst: Int32Array;
}

function indexForest(nodes: readonly ScheduledNode[], expected: ReadonlyMap<string, number>): Forest {
  const n = nodes.length;
  const names = nodes.map((node) => node.name);
  const index = new Map(names.map((name, i) => [name, i]));
  const parent = new Int32Array(n);
  const time = new Float64Array(n);
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = nodes[i]!.parent;
    const at = p === undefined ? -1 : index.get(p);
    if (at === undefined) throw new Error(`bug: ${names[i]} has unscheduled parent ${p}`);
    parent[i] = at;
    time[i] = expected.get(names[i]!) ?? 0;
    if (at >= 0) childStart[at + 1]!++;
  }
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const fill = childStart.slice(0, n);
  const childList = new Int32Array(Math.max(0, childStart[n]!));
  for (let i = 0; i < n; i++) if (parent[i]! >= 0) childList[fill[parent[i]!]!++] = i;
  const parentsFirst = new Int32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) if (parent[i] === -1) parentsFirst[size++] = i;
  for (let k = 0; k < size; k++) {
    const i = parentsFirst[k]!;
    for (let c = childStart[i]!; c < childStart[i + 1]!; c++) parentsFirst[size++] = childList[c]!;
  }
  if (size !== n) throw new Error('bug: a cycle reached the scheduler');
  return { n, names, index, parent, time, childStart, childList, parentsFirst };
}

function lookup(forest: Forest, priority: Float64Array): (name: string) => number {
  return (name) => {
    const i = forest.index.get(name);
    return i === undefined ? 0 : priority[i]!;
  };
}

/** Every rule's priority per node index. */
function priorityTable(forest: Forest): Map<RuleName, Float64Array> {
  const { n, parent, time, parentsFirst } = forest;
  // Bottom-up: the longest chain below (as critical-path.ts's remainingPath), how many images and how much work below.
  const path = new Float64Array(n);
  const chainBelow = new Float64Array(n);
  const count = new Float64Array(n);
  const work = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const i = parentsFirst[k]!;
    path[i] = time[i]! + chainBelow[i]!;
    const p = parent[i]!;
    if (p < 0) continue;
    chainBelow[p] = Math.max(chainBelow[p]!, path[i]!);
    count[p]! += count[i]! + 1;
    work[p]! += work[i]! + time[i]!;
  }
  // Lexicographic (remaining path, images below, own time): as a rank, since the ready pool orders on one number.
  const sorted = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => path[b]! - path[a]! || count[b]! - count[a]! || time[b]! - time[a]! || a - b,
  );
  const tieBroken = new Float64Array(n);
  sorted.forEach((i, k) => (tieBroken[i] = n - k));
  const workBelow = new Float64Array(n);
  for (let i = 0; i < n; i++) workBelow[i] = time[i]! + work[i]!;
  return new Map<RuleName, Float64Array>([
    ['critical-path', path],
    ['critical-path-most-below', tieBroken],
    // Own time plus all the work below it: feeds the slots when work, not the chain, bounds the makespan.
    ['most-work-below', workBelow],
    ['longest-first', time],
    ['config-order', new Float64Array(n)],
  ]);
}

/**
 * The list schedule, on the forest's indices. Two binary heaps of node indices, each ordered on (key, push
 * sequence): the ready pool on the highest priority (./ready-queue.ts's order), the running builds on the
 * earliest end.
 */
function listSchedule(forest: Forest, slots: number, priority: Float64Array): number {
  const { n, parent, time, childStart, childList } = forest;
  const ready = new Heap(n);
  const running = new Heap(n);
  for (let i = 0; i < n; i++) if (parent[i] === -1) ready.push(i, priority[i]!);
  let now = 0;
  const fill = (): void => {
    while (ready.size > 0 && running.size < slots) {
      const i = ready.pop();
      running.push(i, -(now + time[i]!));
    }
  };
  fill();
  while (running.size > 0) {
    const i = running.pop();
    now = -running.lastKey;
    for (let c = childStart[i]!; c < childStart[i + 1]!; c++) ready.push(childList[c]!, priority[childList[c]!]!);
    fill();
  }
  return now;
}

/** A max-heap of node indices on (key, then earlier push first), as ReadyQueue but on typed arrays. */
class Heap {
  size = 0;
  /** The key of the item the last pop returned. */
  lastKey = 0;
  private readonly item: Int32Array;
  private readonly key: Float64Array;
  private readonly seq: Float64Array;
  private pushed = 0;

  constructor(capacity: number) {
    this.item = new Int32Array(capacity);
    this.key = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
  }

  push(item: number, key: number): void {
    let i = this.size++;
    const seq = this.pushed++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!(key > this.key[up]! || (key === this.key[up]! && seq < this.seq[up]!))) break;
      this.move(up, i);
      i = up;
    }
    this.item[i] = item;
    this.key[i] = key;
    this.seq[i] = seq;
  }

  pop(): number {
    const top = this.item[0]!;
    this.lastKey = this.key[0]!;
    const last = --this.size;
    if (last > 0) {
      const item = this.item[last]!;
      const key = this.key[last]!;
      const seq = this.seq[last]!;
      let i = 0;
      for (;;) {
        let best = -1;
        let bestKey = key;
        let bestSeq = seq;
        for (let c = 2 * i + 1; c <= 2 * i + 2 && c < last; c++) {
          if (this.key[c]! > bestKey || (this.key[c]! === bestKey && this.seq[c]! < bestSeq)) {
            best = c;
            bestKey = this.key[c]!;
            bestSeq = this.seq[c]!;
          }
        }
        if (best < 0) break;
        this.move(best, i);
        i = best;
      }
      this.item[i] = item;
      this.key[i] = key;
      this.seq[i] = seq;
    }
    return top;
  }

  private move(from: number, to: number): void {
    this.item[to] = this.item[from]!;
    this.key[to] = this.key[from]!;
    this.seq[to] = this.seq[from]!;
  }
}
