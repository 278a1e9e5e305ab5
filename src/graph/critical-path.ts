import type { ScheduledNode } from './scheduler.js';

/**
 * Scheduling priorities for a forest whose node times are only partly known.
 *
 * When more images are ready than there are slots, the one to start is the one with the longest
 * remaining path to a leaf: its own expected time plus the longest chain of expected times below
 * it. Starting the longest single build first (what we did before) can leave a deep chain
 * (base → runtime → app → variant) waiting behind a slow leaf; the longest remaining path is the
 * classic list-scheduling rule for trees (Hu's "highest level first", weighted by time), and it
 * never delays the chain that bounds the makespan.
 *
 * Everything here is iterative: a tree may be a 10,000-deep chain, so no recursion on its depth.
 */

/** What to assume for an image never built before. */
export type UnknownTime =
  { readonly kind: 'median-of-known'; readonly fallbackMs: number } | { readonly kind: 'fixed'; readonly ms: number };

/**
 * Before any build is recorded, every image counts alike: 1 s each, so the priority is the length
 * of the chain below in images. Afterwards an unknown image counts as the median known build, the
 * best guess for "a build like the others" that one very slow or very fast image cannot skew.
 */
export const DEFAULT_UNKNOWN: UnknownTime = { kind: 'median-of-known', fallbackMs: 1000 };

export interface ExpectedTimeOptions {
  readonly unknown?: UnknownTime;
  /** Nodes that take no time this run (an image reused rather than built): 0, and left out of the median. */
  readonly instant?: (name: string) => boolean;
}

/** Expected build time of every node: the recorded time when there is one, else the default for unknowns. */
export function expectedTimes(
  nodes: readonly ScheduledNode[],
  recorded: (name: string) => number | undefined,
  options: ExpectedTimeOptions = {},
): Map<string, number> {
  const unknown = options.unknown ?? DEFAULT_UNKNOWN;
  const known = new Map<string, number>();
  for (const node of nodes) {
    if (options.instant?.(node.name)) continue;
    const ms = recorded(node.name);
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) known.set(node.name, ms);
  }
  const fallback = unknown.kind === 'fixed' ? unknown.ms : (median([...known.values()]) ?? unknown.fallbackMs);
  return new Map(nodes.map((n) => [n.name, options.instant?.(n.name) ? 0 : (known.get(n.name) ?? fallback)]));
}

/**
 * For each node, its expected time plus the longest expected chain of descendants below it
 * (the "bottom level"). The largest value over the roots is the critical path of the forest.
 */
export function remainingPath(nodes: readonly ScheduledNode[], expected: ReadonlyMap<string, number>): Map<string, number> {
  const order = parentsFirst(nodes);
  const below = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const own = expected.get(node.name) ?? 0;
    const path = own + (below.get(node.name) ?? 0);
    below.set(node.name, path);
    if (node.parent !== undefined) below.set(node.parent, Math.max(below.get(node.parent) ?? 0, path));
  }
  // `below` held, for parents not yet visited, only the best child path; every node is visited, so now it holds the full path.
  return below;
}

/** The priority the scheduler takes: higher starts first. */
export function criticalPathPriority(
  nodes: readonly ScheduledNode[],
  recorded: (name: string) => number | undefined,
  options: ExpectedTimeOptions = {},
): (name: string) => number {
  const path = remainingPath(nodes, expectedTimes(nodes, recorded, options));
  return (name) => path.get(name) ?? 0;
}

/** The lower bound on any schedule's makespan with `slots` at once: max(critical path, total work / slots). */
export function makespanLowerBound(nodes: readonly ScheduledNode[], expected: ReadonlyMap<string, number>, slots: number): number {
  const path = remainingPath(nodes, expected);
  let critical = 0;
  let total = 0;
  for (const node of nodes) {
    total += expected.get(node.name) ?? 0;
    if (node.parent === undefined) critical = Math.max(critical, path.get(node.name) ?? 0);
  }
  return Math.max(critical, total / slots);
}

/** Parents before children (breadth first from the roots); a node whose parent is not listed is a bug. */
export function parentsFirst(nodes: readonly ScheduledNode[]): ScheduledNode[] {
  const childrenOf = new Map<string, ScheduledNode[]>();
  const names = new Set(nodes.map((n) => n.name));
  const out: ScheduledNode[] = [];
  for (const node of nodes) {
    if (node.parent === undefined) out.push(node);
    else if (!names.has(node.parent)) throw new Error(`bug: ${node.name} has unscheduled parent ${node.parent}`);
    else {
      const siblings = childrenOf.get(node.parent);
      if (siblings) siblings.push(node);
      else childrenOf.set(node.parent, [node]);
    }
  }
  for (let i = 0; i < out.length; i++) for (const child of childrenOf.get(out[i]!.name) ?? []) out.push(child);
  if (out.length !== nodes.length) throw new Error('bug: a cycle reached the scheduler');
  return out;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
