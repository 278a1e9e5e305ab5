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
   * Among nodes ready at once, higher starts first (e.g. the last known build time: starting the
   * longest builds first shortens the whole run). Ties keep the given order.
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
    childrenOf.set(node.parent, [...(childrenOf.get(node.parent) ?? []), node]);
  }

  const ready: ScheduledNode[] = nodes.filter((n) => n.parent === undefined);
  const takeNext = (): ScheduledNode => {
    let best = 0;
    if (options.priority) {
      for (let i = 1; i < ready.length; i++) if (options.priority(ready[i]!.name) > options.priority(ready[best]!.name)) best = i;
    }
    return ready.splice(best, 1)[0]!;
  };
  const running = new Set<Promise<void>>();

  const skipBelow = (name: string): void => {
    for (const child of childrenOf.get(name) ?? []) {
      states.set(child.name, 'skipped');
      skippedBecause.set(child.name, name);
      options.onSkip?.(child.name, name);
      skipBelow(child.name);
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
          ready.push(...(childrenOf.get(node.name) ?? []));
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

  while (ready.length > 0 || running.size > 0) {
    while (ready.length > 0 && running.size < options.concurrency && !options.signal?.aborted) start(takeNext());
    if (options.signal?.aborted) {
      for (const node of ready.splice(0)) {
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
