/**
 * One prune planner for every target, over plain data: each target turns what its engine or account lists
 * into candidates (and says which are not its to touch); this decides what stays and why. Pure.
 */
export interface PruneCandidate {
  /** Unique among the candidates: a Docker image ID, an AMI name. */
  readonly key: string;
  /** The image's name in the config. */
  readonly image: string;
  /** How it is named in "parent of …". */
  readonly shown: string;
  /** ISO 8601: when it was built. */
  readonly created: string;
  /** The IDs Terraform may reference it by (an AMI has one per region). */
  readonly ids: readonly string[];
  /** Keys of the candidates it was built from (found in its labels or tags). */
  readonly parents: readonly string[];
  /** Finished everywhere: only those count among the newest. */
  readonly complete: boolean;
  /** Still being made, perhaps by a build running now: never removed. */
  readonly inProgress: boolean;
  /** Set when the candidate is not this project's to remove: why (it is listed, never removed). */
  readonly notOurs?: string;
  /** What else the target found still using it (a launch template, a recent launch): each keeps it. */
  readonly inUse?: readonly KeepReason[];
}

export type KeepReason =
  | { readonly kind: 'newest'; readonly rank: number }
  | { readonly kind: 'referenced' }
  | { readonly kind: 'parent'; readonly of: string }
  | { readonly kind: 'in-progress' }
  /** A launch template version names it (`template` as people know it: name and ID). */
  | { readonly kind: 'launch-template'; readonly template: string; readonly version: number; readonly region: string }
  /** It launched an instance at `at` (ISO 8601), within `within` (as the user wrote it, e.g. "30d"). */
  | { readonly kind: 'launched'; readonly at: string; readonly region: string; readonly within: string };

export interface PrunePlanOf<C extends PruneCandidate> {
  readonly keep: ReadonlyArray<{ readonly candidate: C; readonly why: readonly KeepReason[] }>;
  readonly remove: readonly C[];
  /** Not this project's (another project's, or made before images carried a project): never touched. */
  readonly notOurs: readonly C[];
}

/**
 * Per image, the newest `keep` complete candidates stay; so do those Terraform references, those still
 * being made, those the target found in use (launch templates, recent launches), and every ancestor of anything kept (transitively), so that nothing in use as a base goes.
 * Candidates that are not ours are never kept or removed: they are reported apart. Order is the input's.
 */
export function planPrune<C extends PruneCandidate>(input: {
  readonly candidates: readonly C[];
  readonly keep: number;
  readonly referenced: ReadonlySet<string>;
}): PrunePlanOf<C> {
  if (!Number.isInteger(input.keep) || input.keep < 1) throw new Error(`bug: keep must be a whole number >= 1, got ${input.keep}`);
  const ours = input.candidates.filter((c) => c.notOurs === undefined);
  const byKey = new Map(ours.map((c) => [c.key, c]));
  const why = new Map<string, KeepReason[]>();
  const keep = (key: string, reason: KeepReason): void => {
    const reasons = why.get(key) ?? [];
    if (reason.kind === 'parent' && reasons.some((r) => r.kind === 'parent' && r.of === reason.of)) return;
    why.set(key, [...reasons, reason]);
  };

  const byImage = new Map<string, C[]>();
  for (const c of ours) byImage.set(c.image, [...(byImage.get(c.image) ?? []), c]);
  for (const list of byImage.values()) {
    list
      .filter((c) => c.complete)
      .sort((a, b) => b.created.localeCompare(a.created) || a.key.localeCompare(b.key))
      .slice(0, input.keep)
      .forEach((c, i) => keep(c.key, { kind: 'newest', rank: i + 1 }));
  }
  for (const c of ours) {
    if (c.ids.some((id) => input.referenced.has(id))) keep(c.key, { kind: 'referenced' });
    if (c.inProgress) keep(c.key, { kind: 'in-progress' });
    for (const reason of c.inUse ?? []) keep(c.key, reason);
  }
  // Ancestors of everything kept so far, transitively; a loop instead of recursion (trees can be deep).
  const queue = [...why.keys()];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    const child = byKey.get(key)!;
    for (const parent of child.parents) {
      if (parent === key || !byKey.has(parent)) continue;
      if (!why.has(parent)) queue.push(parent);
      keep(parent, { kind: 'parent', of: child.shown });
    }
  }
  return {
    keep: ours.filter((c) => why.has(c.key)).map((candidate) => ({ candidate, why: why.get(candidate.key)! })),
    remove: ours.filter((c) => !why.has(c.key)),
    notOurs: input.candidates.filter((c) => c.notOurs !== undefined),
  };
}

/** The words for a keep reason, the same for every target. */
export function describeKeepReason(reason: KeepReason): string {
  switch (reason.kind) {
    case 'newest':
      return `newest #${reason.rank}`;
    case 'referenced':
      return 'in the tfvars file';
    case 'parent':
      return `parent of ${reason.of}`;
    case 'in-progress':
      return 'still being made';
    case 'launch-template':
      return `launch template ${reason.template} version ${reason.version} in ${reason.region}`;
    case 'launched':
      return `launched an instance ${reason.at} in ${reason.region}, within ${reason.within}`;
  }
}
