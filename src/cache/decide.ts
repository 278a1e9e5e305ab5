import type { ImageTree } from '../graph/tree.js';
import { ancestry } from '../graph/tree.js';
import { expiredReason } from './age.js';
import { baseChange, describeChanges, type BaseWording, type FingerprintInputs, type ResolvedBase } from './fingerprint.js';
import type { Fingerprinted } from './collect-inputs.js';

/** When a reused artifact was built, from the artifact itself (image Created, AMI CreationDate), and its age then. */
export interface ArtifactAge {
  /** ISO 8601. */
  readonly builtAt: string;
  readonly ms: number;
}

/**
 * The newest earlier build of an image, whatever its fingerprint, as its artifact records it: on a runner with
 * no manifest (a fresh CI runner) the only way to tell a changed image from one never built, and to name a
 * moved base.
 */
export interface EarlierBuild {
  /** The artifact as progress lines show it (a short ID). */
  readonly shown: string;
  /** The base its tree was built on (its provenance); undefined when it does not say. */
  readonly base?: ResolvedBase;
}

/** What a run will do with one image, and why: the data behind `plan` and the build. */
export type Decision<A = string> =
  | { readonly action: 'build'; readonly reasons: readonly string[] }
  /** `age` is absent when the target cannot tell when the artifact was built. */
  | { readonly action: 'reuse'; readonly artifact: A; readonly age?: ArtifactAge }
  /** Left out by --only and no reusable artifact exists: the run produces no ID for it. */
  | { readonly action: 'absent' };

export interface DecideInput<A> {
  readonly tree: ImageTree;
  readonly fingerprints: ReadonlyMap<string, Fingerprinted>;
  /** The artifact carrying each image's current fingerprint, if the target has one. */
  readonly existing: ReadonlyMap<string, A | undefined>;
  /** Inputs recorded by the last run (manifest), for saying what changed. */
  readonly previous: ReadonlyMap<string, FingerprintInputs>;
  /** `--force` alone is 'all'; `--force a --force b` names images. */
  readonly force: 'all' | ReadonlySet<string>;
  /** `--only`: build these and whatever ancestors have no reusable artifact. Undefined: the whole tree. */
  readonly only: ReadonlySet<string> | undefined;
  /**
   * Images with no manifest entry: their newest earlier build, if the target found one. Undefined: the target
   * cannot look, and such an image is "new" as far as this runner knows.
   */
  readonly earlier?: ReadonlyMap<string, EarlierBuild>;
  /** When an artifact was built, read from the artifact (never local files: a fresh CI runner has none). */
  readonly builtAt?: (artifact: A) => Date | undefined;
  /** The moment ages are measured at; one value for the whole plan. */
  readonly now?: Date;
  /** The target's words for a moved base (e.g. "source AMI changed (ami-a → ami-b)"); default Docker's. */
  readonly baseWording?: BaseWording;
}

/**
 * Pure: one decision per image, parents before children. An artifact older than its image's max_age
 * counts as nothing to reuse, so it is rebuilt and, through "parent rebuilt", everything below it.
 * Images --only leaves out keep their artifact at any age: the user asked not to build them.
 */
export function decide<A>(input: DecideInput<A>): Map<string, Decision<A>> {
  const { tree, fingerprints, existing, previous, force, only } = input;
  const now = input.now ?? new Date();
  const selected = only === undefined ? undefined : new Set([...only].flatMap((name) => ancestry(tree, name)));
  const decisions = new Map<string, Decision<A>>();
  for (const node of tree.order) {
    const artifact = existing.get(node.name);
    const builtAt = artifact === undefined ? undefined : input.builtAt?.(artifact);
    const age = builtAt === undefined ? {} : { age: { builtAt: builtAt.toISOString(), ms: now.getTime() - builtAt.getTime() } };
    const expired = builtAt === undefined ? undefined : expiredReason(builtAt, node.image.maxAge, now);
    const parent = node.parent === undefined ? undefined : decisions.get(node.parent);
    const forced = force === 'all' || force.has(node.name);
    if (selected !== undefined && !selected.has(node.name)) {
      decisions.set(
        node.name,
        artifact !== undefined && parent?.action !== 'build' ? { action: 'reuse', artifact, ...age } : { action: 'absent' },
      );
    } else if (forced) {
      decisions.set(node.name, { action: 'build', reasons: ['forced'] });
    } else if (parent?.action === 'build') {
      // An artifact with this fingerprint is an earlier build too (a fresh CI runner has no manifest, but the engine or account does).
      const known = previous.has(node.name) || artifact !== undefined || input.earlier?.has(node.name) === true;
      const reasons = known ? [`parent ${node.parent} rebuilt`] : ['new image (no earlier build recorded)'];
      decisions.set(node.name, { action: 'build', reasons });
    } else if (artifact !== undefined && expired !== undefined) {
      decisions.set(node.name, { action: 'build', reasons: [expired] });
    } else if (artifact !== undefined) {
      decisions.set(node.name, { action: 'reuse', artifact, ...age });
    } else {
      decisions.set(node.name, {
        action: 'build',
        reasons: buildReasons(node.name, node.parent, fingerprints, previous, input.earlier, input.baseWording),
      });
    }
  }
  return decisions;
}

function buildReasons(
  name: string,
  parentName: string | undefined,
  fingerprints: ReadonlyMap<string, Fingerprinted>,
  previous: ReadonlyMap<string, FingerprintInputs>,
  earlier: ReadonlyMap<string, EarlierBuild> | undefined,
  wording: BaseWording | undefined,
): string[] {
  const before = previous.get(name);
  const now = fingerprints.get(name)!;
  if (before) {
    const changes = describeChanges(before, now.inputs, parentName, wording);
    return changes.length > 0 ? changes : ['no image with this fingerprint (removed since the last build?)'];
  }
  // No manifest entry. An earlier build's provenance still names the base it was built on; which other input changed, only a manifest can say.
  const last = earlier?.get(name);
  if (last === undefined) return ['new image (no earlier build recorded)'];
  const [was, is] = [last.base, now.inputs.base];
  if (was !== undefined && is !== undefined && was.name === is.name && was.id !== is.id) return baseChange(was, is, wording);
  if (was !== undefined && is !== undefined && was.name !== is.name) return [`base image changed (${was.name} → ${is.name})`];
  return [`changed since its last build ${last.shown} (no manifest on this runner records which input)`];
}
