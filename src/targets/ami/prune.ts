import type { TargetPrunePlan } from '../target.js';
import { unreachable } from '../../result.js';
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

export type KeepReason =
  | { readonly kind: 'newest'; readonly rank: number }
  | { readonly kind: 'referenced' }
  | { readonly kind: 'parent'; readonly of: string }
  /** Still being made or copied, perhaps by a build running right now. */
  | { readonly kind: 'in-progress' };

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
  if (!Number.isInteger(input.keep) || input.keep < 1) throw new Error(`bug: keep must be a whole number >= 1, got ${input.keep}`);
  const foreign = input.images.filter((i) => i.tags[TAG.image] === undefined);
  const logical = group(input.images.filter((i) => i.tags[TAG.image] !== undefined));

  const why = new Map<string, KeepReason[]>();
  const keep = (ami: LogicalAmi, reason: KeepReason): void => {
    const reasons = why.get(ami.name) ?? [];
    why.set(ami.name, [...reasons, reason]);
  };

  const byImage = new Map<string, LogicalAmi[]>();
  for (const ami of logical) byImage.set(ami.image, [...(byImage.get(ami.image) ?? []), ami]);
  for (const amis of byImage.values()) {
    const good = amis.filter((a) => Object.values(a.byRegion).every((i) => i.state === 'available'));
    good.sort((a, b) => b.created.localeCompare(a.created) || a.name.localeCompare(b.name));
    good.slice(0, input.keep).forEach((ami, i) => keep(ami, { kind: 'newest', rank: i + 1 }));
  }
  for (const ami of logical) {
    if (Object.values(ami.byRegion).some((i) => input.referenced.has(i.id))) keep(ami, { kind: 'referenced' });
    if (Object.values(ami.byRegion).some((i) => !SETTLED.has(i.state))) keep(ami, { kind: 'in-progress' });
  }

  // Ancestors of everything kept, transitively: a kept child's parent must stay launchable and rebuildable.
  const byName = new Map(logical.map((a) => [a.name, a]));
  const byId = new Map(logical.flatMap((a) => Object.values(a.byRegion).map((i) => [i.id, a] as const)));
  const queue = logical.filter((a) => why.has(a.name));
  for (let ami = queue.shift(); ami !== undefined; ami = queue.shift()) {
    for (const region of Object.values(ami.byRegion)) {
      const parentName = region.tags[TAG.parentName];
      const parentId = region.tags[TAG.parent];
      const parent =
        (parentName === undefined ? undefined : byName.get(parentName)) ?? (parentId === undefined ? undefined : byId.get(parentId));
      if (parent === undefined || parent === ami) continue;
      if (!why.has(parent.name)) queue.push(parent);
      if (!(why.get(parent.name) ?? []).some((r) => r.kind === 'parent' && r.of === ami.name))
        keep(parent, { kind: 'parent', of: ami.name });
    }
  }

  const order = (a: LogicalAmi, b: LogicalAmi): number =>
    a.image.localeCompare(b.image) || b.created.localeCompare(a.created) || a.name.localeCompare(b.name);
  return {
    keep: logical
      .filter((a) => why.has(a.name))
      .sort(order)
      .map((ami) => ({ ami, why: why.get(ami.name)! })),
    remove: logical.filter((a) => !why.has(a.name)).sort(order),
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
  const reason = (r: KeepReason): string => {
    switch (r.kind) {
      case 'newest':
        return `newest #${r.rank}`;
      case 'referenced':
        return 'in the tfvars file';
      case 'parent':
        return `parent of ${r.of}`;
      case 'in-progress':
        return 'still being made';
      default:
        return unreachable(r);
    }
  };
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
