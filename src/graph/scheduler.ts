import { ReadyQueue } from './ready-queue.js';

/**
 * A ready-pool scheduler over a forest: a node starts once its parent has completed, at most
 * `concurrency` run at once, and when a node fails every node below it is skipped while unrelated
 * branches carry on. It knows nothing of Packer or Docker.
 */
export type NodeState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

export interface ScheduledNode {
  readonly name: string;
  readonly parent: string | undefined;
}

export type NodeOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

export interface ScheduleResult<T> {
  readonly states: ReadonlyMap<string, NodeState>;
  readonly values: ReadonlyMap<string, T>;
  /** For each skipped node, the failed (or skipped) parent that caused it. */
  readonly skippedBecause: ReadonlyMap<string, string>;
}

export interface ScheduleOptions<T> {
  readonly concurrency: number;
  /** Runs one node; `parentValue` is the parent's value (undefined for roots). Must not throw for expected failures. */
  readonly run: (name: string, parentValue: T | undefined) => Promise<NodeOutcome<T>>;
  readonly onSkip?: (name: string, because: string) => void;
  /** Once aborted, nothing new starts; running nodes finish (they watch the same signal). */
  readonly signal?: AbortSignal;
  /**
   * Among nodes ready at once, higher starts first; ties keep the order they became ready in (the
   * given order for roots). Asked once per node, when it becomes ready. The engine passes
   * `criticalPathPriority` (./critical-path.ts): expected time plus the longest chain below.
   */
  readonly priority?: (name: string) => number;
}

export async function schedule<T>(nodes: readonly ScheduledNode[], options: ScheduleOptions<T>): Promise<ScheduleResult<T>> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error(`bug: concurrency ${options.concurrency}`);
  const states = new Map<string, NodeState>(nodes.map((n) => [n.name, 'pending']));
  const values = new Map<string, T>();
  const skippedBecause = new Map<string, string>();
  const childrenOf = new Map<string, ScheduledNode[]>();
  for (const node of nodes) {
    if (node.parent === undefined) continue;
    if (!states.has(node.parent)) throw new Error(`bug: ${node.name} has unscheduled parent ${node.parent}`);
    const siblings = childrenOf.get(node.parent);
    if (siblings) siblings.push(node);
    else childrenOf.set(node.parent, [node]);
  }

  const ready = new ReadyQueue<ScheduledNode>();
  const makeReady = (node: ScheduledNode): void => ready.push(node, options.priority?.(node.name) ?? 0);
  for (const node of nodes) if (node.parent === undefined) makeReady(node);
  const running = new Set<Promise<void>>();

  // A loop, not recursion: a failed root of a 10,000-deep chain overflowed the stack here (issue 13, finding 10).
  const skipBelow = (name: string): void => {
    // Depth first, children in the given order: the order the recursive version reported skips in.
    const stack: ScheduledNode[] = [];
    const pushChildren = (of: string): void => {
      const children = childrenOf.get(of) ?? [];
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    };
    pushChildren(name);
    for (let child = stack.pop(); child !== undefined; child = stack.pop()) {
      const because = child.parent!;
      states.set(child.name, 'skipped');
      skippedBecause.set(child.name, because);
      options.onSkip?.(child.name, because);
      pushChildren(child.name);
    }
  };

  const start = (node: ScheduledNode): void => {
    states.set(node.name, 'running');
    const parentValue = node.parent === undefined ? undefined : values.get(node.parent);
    const task = options.run(node.name, parentValue).then(
      (outcome) => {
        if (outcome.ok) {
          states.set(node.name, 'completed');
          values.set(node.name, outcome.value);
          for (const child of childrenOf.get(node.name) ?? []) makeReady(child);
        } else {
          states.set(node.name, 'failed');
          skipBelow(node.name);
        }
      },
      (error: unknown) => {
        // A throw is a bug in `run`; record it as a failure so the rest of the tree settles, then rethrow at the end.
        states.set(node.name, 'failed');
        skipBelow(node.name);
        thrown.push(error);
      },
    );
    const tracked = task.finally(() => running.delete(tracked));
    running.add(tracked);
  };
  const thrown: unknown[] = [];

  while (ready.size > 0 || running.size > 0) {
    while (ready.size > 0 && running.size < options.concurrency && !options.signal?.aborted) start(ready.pop()!);
    if (options.signal?.aborted) {
      for (const node of ready.drain()) {
        states.set(node.name, 'skipped');
        skippedBecause.set(node.name, 'interrupt');
        options.onSkip?.(node.name, 'interrupt');
        skipBelow(node.name);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (thrown.length > 0) throw thrown[0];
  for (const [name, state] of states) {
    if (state === 'pending') {
      states.set(name, 'skipped');
      skippedBecause.set(name, 'interrupt');
    }
  }
  return { states, values, skippedBecause };
}
