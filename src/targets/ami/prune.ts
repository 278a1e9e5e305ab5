import { describeKeepReason, planPrune as planCandidates, type KeepReason, type PruneCandidate } from '../prune-plan.js';
import type { TargetPrunePlan } from '../target.js';
import type { AmiImage, Ec2 } from './ec2.js';
import { Ec2Error } from './ec2-error.js';
import { TAG } from './tags.js';

/**
 * One AMI as users think of it: the same name (`<image>-<fingerprint>`) in the build region and every
 * copy region, each with its own ID and snapshots.
 */
export interface LogicalAmi {
  readonly image: string;
  readonly name: string;
  /** The earliest creation date across regions: when it was built. */
  readonly created: string;
  /** Region → that region's AMI. */
  readonly byRegion: Readonly<Record<string, AmiImage>>;
}

export type { KeepReason };

export interface PrunePlan {
  readonly keep: ReadonlyArray<{ readonly ami: LogicalAmi; readonly why: readonly KeepReason[] }>;
  readonly remove: readonly LogicalAmi[];
  /** AMIs seen without build-images' image tag: never touched, listed so a dry run can say so. */
  readonly foreign: readonly AmiImage[];
}

export interface PruneInput {
  /** Every AMI found in the regions being pruned (typically `findImagesByTag(region, TAG.image)` per region). */
  readonly images: readonly AmiImage[];
  /** How many of each image's AMIs to keep, newest first. */
  readonly keep: number;
  /** AMI IDs the current tfvars file references, in any region. */
  readonly referenced: ReadonlySet<string>;
}

/** States in which an AMI may be gone for good: anything else (pending, transient) belongs to a running build. */
const SETTLED = new Set(['available', 'failed', 'invalid', 'error']);

/**
 * Pure: what `prune --target ami` would deregister. Per image, the newest `keep` AMIs that are available
 * in every region they exist in stay; so do AMIs the tfvars reference and every ancestor of a kept AMI
 * (found by the parent-name tag, or the parent ID for AMIs tagged before names were recorded); AMIs
 * without our image tag are never considered.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const foreign = input.images.filter((i) => i.tags[TAG.image] === undefined);
  const logical = group(input.images.filter((i) => i.tags[TAG.image] !== undefined)).sort(
    (a, b) => a.image.localeCompare(b.image) || b.created.localeCompare(a.created) || a.name.localeCompare(b.name),
  );
  // A kept child's parent must stay launchable and rebuildable: found by the parent-name tag, or by the
  // parent ID for AMIs tagged before names were recorded.
  const byName = new Map(logical.map((a) => [a.name, a]));
  const byId = new Map(logical.flatMap((a) => Object.values(a.byRegion).map((i) => [i.id, a] as const)));
  const candidates = logical.map((ami): PruneCandidate & { ami: LogicalAmi } => {
    const regions = Object.values(ami.byRegion);
    const parents = regions.flatMap((region) => {
      const parentName = region.tags[TAG.parentName];
      const parentId = region.tags[TAG.parent];
      const parent =
        (parentName === undefined ? undefined : byName.get(parentName)) ?? (parentId === undefined ? undefined : byId.get(parentId));
      return parent === undefined ? [] : [parent.name];
    });
    return {
      key: ami.name,
      image: ami.image,
      shown: ami.name,
      created: ami.created,
      ids: regions.map((i) => i.id),
      parents: [...new Set(parents)],
      complete: regions.every((i) => i.state === 'available'),
      inProgress: regions.some((i) => !SETTLED.has(i.state)),
      ami,
    };
  });
  const plan = planCandidates({ candidates, keep: input.keep, referenced: input.referenced });
  return {
    keep: plan.keep.map(({ candidate, why }) => ({ ami: candidate.ami, why })),
    remove: plan.remove.map((c) => c.ami),
    foreign,
  };
}

function group(images: readonly AmiImage[]): LogicalAmi[] {
  const byName = new Map<string, { image: string; byRegion: Record<string, AmiImage> }>();
  for (const i of images) {
    // Two AMIs of one name in one region cannot exist (EC2 names are unique per account and region);
    // a name shared by two images' tags would be a tagging accident: key by both to keep them apart.
    const key = `${i.tags[TAG.image]}\u0000${i.name}`;
    const entry = byName.get(key) ?? { image: i.tags[TAG.image]!, byRegion: {} };
    entry.byRegion[i.region] = i;
    byName.set(key, entry);
  }
  return [...byName.values()].map(({ image, byRegion }) => {
    const regions = Object.values(byRegion);
    return { image, name: regions[0]!.name, created: regions.map((r) => r.creationDate).sort()[0] ?? '', byRegion };
  });
}

/** Every AMI carrying build-images' image tag in these regions: the input of planPrune. */
export async function listToolAmis(ec2: Ec2, regions: readonly string[]): Promise<AmiImage[]> {
  const found = await Promise.all(regions.map((region) => ec2.findImagesByTag(region, TAG.image)));
  return found.flat();
}

export interface PruneOutcome {
  readonly removed: readonly AmiImage[];
  readonly failed: ReadonlyArray<{ readonly ami: AmiImage; readonly message: string }>;
}

/** Carries out a plan: every region's AMI of every removed logical AMI is deregistered and its snapshots deleted. */
export async function executePrune(
  ec2: Ec2,
  plan: PrunePlan,
  options: { readonly signal?: AbortSignal; readonly onRemoved?: (ami: AmiImage) => void } = {},
): Promise<PruneOutcome> {
  const removed: AmiImage[] = [];
  const failed: { ami: AmiImage; message: string }[] = [];
  for (const logical of plan.remove) {
    for (const ami of Object.values(logical.byRegion)) {
      if (options.signal?.aborted) return { removed, failed };
      try {
        await ec2.deregister(ami.region, ami);
        removed.push(ami);
        options.onRemoved?.(ami);
      } catch (e: unknown) {
        if (!(e instanceof Ec2Error)) throw e;
        failed.push({ ami, message: e.message });
      }
    }
  }
  return { removed, failed };
}

/** One line per AMI for `prune --dry-run` and the report after a prune. */
export function describePrunePlan(plan: PrunePlan): string[] {
  const regions = (a: LogicalAmi): string =>
    Object.values(a.byRegion)
      .map((i) => `${i.region} ${i.id}`)
      .join(', ');
  const reason = describeKeepReason;
  return [
    ...plan.keep.map(({ ami, why }) => `keep    ${ami.name} (${why.map(reason).join('; ')}): ${regions(ami)}`),
    ...plan.remove.map((ami) => `remove  ${ami.name}: ${regions(ami)}`),
  ];
}

/** The prune for one account: build-images' AMIs in the build and copy regions, planned by planPrune. */
export async function amiPrune(
  ec2: Ec2,
  regions: readonly string[],
  keep: number,
  referenced: ReadonlySet<string>,
): Promise<TargetPrunePlan> {
  const plan = planPrune({ images: await listToolAmis(ec2, regions), keep, referenced });
  return {
    lines: describePrunePlan(plan),
    removeCount: plan.remove.length,
    async apply(onRemoved) {
      const outcome = await executePrune(ec2, plan, { onRemoved: (a) => onRemoved(`removed ${a.region} ${a.id} and its snapshots`) });
      return { failed: outcome.failed.map((f) => `could not remove ${f.ami.region} ${f.ami.id}: ${f.message}`) };
    },
  };
}
