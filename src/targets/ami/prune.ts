import { describeKeepReason, planPrune as planCandidates, type KeepReason, type PruneCandidate } from '../prune-plan.js';
import type { TargetPruneOptions, TargetPrunePlan } from '../target.js';
import type { AmiImage, AmiUsage, Ec2, LaunchTemplateImage } from './ec2.js';
import { Ec2Error } from './ec2-error.js';
import { TAG } from './tags.js';
import { PATH_IDENTITY_ADVICE, type ProjectIdentity } from '../project.js';

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
  /**
   * Set when Packer never finished it (why, for people): some region's AMI lacks build-images' fingerprint tag,
   * which Packer's last step puts on every region at once. Never reused, never among the newest.
   */
  readonly unfinished?: string;
}

export type { KeepReason };

/** Why a logical AMI of one of this config's images is not this project's to remove. */
export type NotOurs =
  /** Its project tag names another project (two projects in one account may share image names). */
  | { readonly kind: 'other-project'; readonly project: string }
  /** Finished, but without a project tag: built before AMIs carried one. Whose it is, only the user knows. */
  | { readonly kind: 'no-project' }
  /** Unfinished and without a project tag, younger than LEFTOVER_MIN_AGE_MS: perhaps a build running now, anyone's. */
  | { readonly kind: 'maybe-running'; readonly ageMs: number };

export interface PrunePlan {
  readonly keep: ReadonlyArray<{ readonly ami: LogicalAmi; readonly why: readonly KeepReason[] }>;
  readonly remove: readonly LogicalAmi[];
  /** AMIs of this config's image names that are not this project's: never touched, listed with why. */
  readonly notOurs: ReadonlyArray<{ readonly ami: LogicalAmi; readonly why: NotOurs }>;
  /** AMIs seen without build-images' image tag: never touched, listed so a dry run can say so. */
  readonly foreign: readonly AmiImage[];
}

/**
 * How old an unfinished AMI without a project tag must be before prune removes it. Packer 1.6.6 tags nothing
 * until its last step (StepCreateTags, after every copy), so while a build copies, its finished copies are
 * `available` and untagged, whichever project (or checkout, with its own lock) runs it. No build waits a day
 * between CreateImage or CopyImage and tagging (our own wait for copies gives up after DEFAULT_AMI_WAIT_MS, 1 h);
 * an unfinished AMI that old is nobody's: never reused (no fingerprint tag), never handed to Terraform.
 */
export const LEFTOVER_MIN_AGE_MS = 24 * 3600_000;

export interface PruneInput {
  /**
   * Every AMI found in the regions being pruned: this project's (`findImagesByTags(region, {[TAG.project]: id})`),
   * and, to report them, those with the image tag but no project tag and the unfinished ones found by name.
   */
  readonly images: readonly AmiImage[];
  /** projectIdentity(config).id: only AMIs with this TAG.project are this project's to remove. */
  readonly project: string;
  /** Now, for LEFTOVER_MIN_AGE_MS; without it no unfinished AMI lacking a project tag is removed. */
  readonly now?: Date;
  /** How many of each image's AMIs to keep, newest first. */
  readonly keep: number;
  /** AMI IDs the current tfvars file references, in any region. */
  readonly referenced: ReadonlySet<string>;
  /**
   * The config's image names: an AMI without our tags whose name is `<image>-<fingerprint>` (or amisrc's
   * `<image>-<24 hex>-<UTC stamp>`) for one of them is a copy Packer left unfinished (see `leftoverImage`).
   */
  readonly imageNames?: ReadonlySet<string>;
  /** AMI ID → what else uses it (launch templates, recent launches): each keeps it. */
  readonly inUse?: ReadonlyMap<string, readonly KeepReason[]>;
}

/**
 * The AMI names build-images gives: `<image>-<64 hex fingerprint>` (before source AMI resolution) and
 * `<image>-<first 24 hex>-<UTC stamp YYYYMMDDhhmmss>` (fresh names per build). Image names may contain `-`,
 * but the suffix is fixed, so `consul-agent-<fp>` never matches image `consul`.
 */
const NAME_SUFFIX = /^(?:[0-9a-f]{64}|[0-9a-f]{24}-[0-9]{14})$/;

/** The config image an AMI name belongs to, by the names build-images gives; undefined for any other name. */
export function imageOfAmiName(name: string, imageNames: ReadonlySet<string>): string | undefined {
  for (const image of imageNames) {
    if (name.startsWith(`${image}-`) && NAME_SUFFIX.test(name.slice(image.length + 1))) return image;
  }
  return undefined;
}

/**
 * Which of the tool's images an AMI belongs to, and whether Packer finished it. Packer tags the AMIs only in
 * its last step, StepCreateTags, after every copy; a copy that failed or was interrupted is left as it was:
 * - Packer 1.6.6 (hashicorp/packer v1.6.6 builder/amazon/common/step_ami_region_copy.go): CopyImage gets the
 *   final ami_name and no tags; Cleanup deletes only the encrypt_boot intermediary (`toDelete`), never a copy,
 *   so a copy stays `pending` (EC2 goes on copying), `failed`, or `available` when another region failed.
 *   With encrypt_boot even the build region's AMI is such a copy. stepCreateAMI's Cleanup
 *   (builder/amazon/ebs/step_create_ami.go) deregisters only an AMI whose wait finished (`s.image`), so an
 *   interrupt during "Waiting for AMI to become ready" leaves the build region's AMI too, untagged.
 * - packer-plugin-amazon >= 1.1.0 (builder/ebs/step_create_ami.go) tags CreateImage with run_tags, and from
 *   1.3.0 CopyImage has CopyImageTags (builder/common/step_ami_region_copy.go): leftovers then carry our
 *   run tags (the image tag, no fingerprint), whatever their name, the random 7-character intermediary's too.
 * Either way: no fingerprint tag means unfinished. Untagged AMIs count only when their name is one we give.
 */
function classify(ami: AmiImage, imageNames: ReadonlySet<string>): { image: string; unfinished?: string } | undefined {
  const tagged = ami.tags[TAG.image];
  if (tagged !== undefined) {
    if (ami.tags[TAG.fingerprint] !== undefined) return { image: tagged };
    return { image: tagged, unfinished: `no ${TAG.fingerprint} tag in ${ami.region}` };
  }
  const image = imageOfAmiName(ami.name, imageNames);
  return image === undefined ? undefined : { image, unfinished: `no build-images tags in ${ami.region}` };
}

/** States in which an AMI may be gone for good: anything else (pending, transient) belongs to a running build. */
const SETTLED = new Set(['available', 'failed', 'invalid', 'error']);

/**
 * Whose a logical AMI is, by its regions' tags (one build: the name carries the fingerprint and the second it
 * started). Any region with this project's tag: ours (Packer tags regions one after another, so a tagging step
 * that failed midway leaves the rest bare). Another project's tag: theirs. No project tag anywhere: finished ones
 * predate project tags (the user decides); unfinished ones are nobody's once older than LEFTOVER_MIN_AGE_MS.
 */
function ownership(ami: LogicalAmi, project: string, now: Date | undefined): NotOurs | undefined {
  const regions = Object.values(ami.byRegion);
  const projects = new Set(regions.flatMap((i) => (i.tags[TAG.project] === undefined ? [] : [i.tags[TAG.project]])));
  if (projects.has(project)) return undefined;
  const other = [...projects][0];
  if (other !== undefined) return { kind: 'other-project', project: other };
  if (ami.unfinished === undefined) return { kind: 'no-project' };
  const ageMs = now === undefined ? 0 : now.getTime() - Date.parse(ami.created);
  return now !== undefined && ageMs >= LEFTOVER_MIN_AGE_MS ? undefined : { kind: 'maybe-running', ageMs };
}

/**
 * Pure: what `prune --target ami` would deregister. Only this project's AMIs (TAG.project, see `ownership`) are
 * candidates; the others of this config's image names are listed, never touched. Per image, the newest `keep`
 * AMIs that are available in every region they exist in stay; so do AMIs the tfvars reference and every
 * ancestor of a kept AMI (found by the parent-name tag, or the parent ID for AMIs tagged before names were
 * recorded); AMIs without our image tag or one of our names are never considered.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const names = input.imageNames ?? new Set<string>();
  const seen = new Set<string>();
  const ours: Array<{ ami: AmiImage; image: string; unfinished?: string }> = [];
  const foreign: AmiImage[] = [];
  for (const ami of input.images) {
    // The tag search and the name search find an unfinished AMI with our run tags twice.
    if (seen.has(`${ami.region}\u0000${ami.id}`)) continue;
    seen.add(`${ami.region}\u0000${ami.id}`);
    const mine = classify(ami, names);
    if (mine === undefined) foreign.push(ami);
    else ours.push({ ami, ...mine });
  }
  const logical = group(ours).sort(
    (a, b) => a.image.localeCompare(b.image) || b.created.localeCompare(a.created) || a.name.localeCompare(b.name),
  );
  // A kept child's parent must stay launchable and rebuildable: found by the parent-name tag, or by the
  // parent ID for AMIs tagged before names were recorded.
  const byName = new Map(logical.map((a) => [a.name, a]));
  const byId = new Map(logical.flatMap((a) => Object.values(a.byRegion).map((i) => [i.id, a] as const)));
  const owners = new Map(logical.map((ami) => [ami, ownership(ami, input.project, input.now)] as const));
  const candidates = logical.map((ami): PruneCandidate & { ami: LogicalAmi; whyNot: NotOurs | undefined } => {
    const whyNot = owners.get(ami);
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
      complete: ami.unfinished === undefined && regions.every((i) => i.state === 'available'),
      inProgress: regions.some((i) => !SETTLED.has(i.state)),
      inUse: regions.flatMap((i) => input.inUse?.get(i.id) ?? []),
      ...(whyNot === undefined ? {} : { notOurs: whyNot.kind }),
      ami,
      whyNot,
    };
  });
  const plan = planCandidates({ candidates, keep: input.keep, referenced: input.referenced });
  return {
    keep: plan.keep.map(({ candidate, why }) => ({ ami: candidate.ami, why })),
    remove: plan.remove.map((c) => c.ami),
    notOurs: plan.notOurs.map((c) => ({ ami: c.ami, why: c.whyNot! })),
    foreign,
  };
}

function group(images: ReadonlyArray<{ ami: AmiImage; image: string; unfinished?: string }>): LogicalAmi[] {
  const byName = new Map<string, { image: string; byRegion: Record<string, AmiImage>; unfinished: string[] }>();
  for (const { ami, image, unfinished } of images) {
    // Two AMIs of one name in one region cannot exist (EC2 names are unique per account and region);
    // a name shared by two images' tags would be a tagging accident: key by both to keep them apart.
    // A random-named intermediary is its region's only one of its name: it stays a group of its own.
    const key = `${image}\u0000${ami.name}`;
    const entry = byName.get(key) ?? { image, byRegion: {}, unfinished: [] };
    entry.byRegion[ami.region] = ami;
    if (unfinished !== undefined) entry.unfinished.push(unfinished);
    byName.set(key, entry);
  }
  return [...byName.values()].map(({ image, byRegion, unfinished }) => {
    const regions = Object.values(byRegion);
    return {
      image,
      name: regions[0]!.name,
      created: regions.map((r) => r.creationDate).sort()[0] ?? '',
      byRegion,
      ...(unfinished.length === 0
        ? {}
        : {
            unfinished: `unfinished: ${unfinished.join(', ')}, so Packer stopped before tagging it (a failed or interrupted build or copy)`,
          }),
    };
  });
}

/** Every AMI carrying build-images' image tag in these regions, whichever project made it. */
export async function listToolAmis(ec2: Ec2, regions: readonly string[]): Promise<AmiImage[]> {
  const found = await Promise.all(regions.map((region) => ec2.findImagesByTag(region, TAG.image)));
  return found.flat();
}

/** This project's AMIs in these regions: DescribeImages, Owners self, filter `tag:build-images:project` = project. */
export async function listProjectAmis(ec2: Ec2, regions: readonly string[], project: string): Promise<AmiImage[]> {
  const found = await Promise.all(regions.map((region) => ec2.findImagesByTags(region, { [TAG.project]: project })));
  return found.flat();
}

/**
 * For AMIs built before they carried a project: one `aws ec2 create-tags` per region that makes them this
 * project's (then reused and pruned like any other). Printed, never run: only the user knows they are not
 * another project's. Region, IDs and the project are shell-safe (the schema's project names, EC2's IDs).
 */
export function adoptCommands(amis: readonly LogicalAmi[], project: string): string[] {
  const byRegion = new Map<string, string[]>();
  for (const ami of amis) for (const i of Object.values(ami.byRegion)) byRegion.set(i.region, [...(byRegion.get(i.region) ?? []), i.id]);
  return [...byRegion].map(
    ([region, ids]) => `aws ec2 create-tags --region ${region} --resources ${ids.join(' ')} --tags 'Key=${TAG.project},Value=${project}'`,
  );
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
  // An unfinished AMI's state is part of the story (pending: EC2 is still copying; failed: it never will).
  const regions = (a: LogicalAmi): string =>
    Object.values(a.byRegion)
      .map((i) => `${i.region} ${i.id}${a.unfinished === undefined ? '' : ` ${i.state}`}`)
      .join(', ');
  const why = (a: LogicalAmi, reasons: readonly KeepReason[]): string =>
    [...reasons.map(describeKeepReason), ...(a.unfinished === undefined ? [] : [a.unfinished])].join('; ');
  return [
    ...plan.keep.map(({ ami, why: reasons }) => `keep    ${ami.name} (${why(ami, reasons)}): ${regions(ami)}`),
    ...plan.notOurs.map(({ ami, why: reason }) => `skip    ${ami.name} (${describeNotOurs(reason)}): ${regions(ami)}`),
    ...plan.remove.map((ami) => `remove  ${ami.name}${ami.unfinished === undefined ? '' : ` (${ami.unfinished})`}: ${regions(ami)}`),
  ];
}

export function describeNotOurs(reason: NotOurs): string {
  switch (reason.kind) {
    case 'other-project':
      return `another project's: ${TAG.project} is ${reason.project}`;
    case 'no-project':
      return `whose is unknown: no ${TAG.project} tag: made by a build-images from before AMIs carried their project`;
    case 'maybe-running':
      return `whose is unknown: unfinished and without a ${TAG.project} tag, made ${Math.floor(reason.ageMs / 3600_000)} h ago: perhaps a build still running, here or in another project; removed once ${LEFTOVER_MIN_AGE_MS / 3600_000} h old`;
  }
}

/** What `amiPrune` needs: the account, the config's regions and image names, and what the command was asked. */
export interface AmiPruneRequest {
  readonly ec2: Ec2;
  readonly usage: AmiUsage;
  /** Whose AMIs may go: only those tagged with this project's id. */
  readonly project: ProjectIdentity;
  /** The build region first, then copy_to: every region the project uses. */
  readonly regions: readonly string[];
  readonly imageNames: ReadonlySet<string>;
  readonly keep: number;
  readonly referenced: ReadonlySet<string>;
  /** Without it, recent launches are not looked at (a caller that did not ask). */
  readonly options?: TargetPruneOptions;
}

/** Launch template versions naming an AMI, as keep reasons by AMI ID. */
export function launchTemplateReasons(found: readonly LaunchTemplateImage[]): Map<string, KeepReason[]> {
  const byId = new Map<string, KeepReason[]>();
  for (const t of found) {
    const reason: KeepReason = {
      kind: 'launch-template',
      template: `${t.templateName} (${t.templateId})`,
      version: t.version,
      region: t.region,
    };
    byId.set(t.imageId, [...(byId.get(t.imageId) ?? []), reason]);
  }
  return byId;
}

/**
 * The prune for one account: build-images' AMIs (by tag) and the unfinished copies Packer left (by name) in the
 * build and copy regions, planned by planPrune. Kept besides what planPrune keeps: AMIs any launch template version
 * names (every template, every version, in every region the project uses), and, of what would go, AMIs that
 * launched an instance within `options.usedWithin` (DescribeImageAttribute lastLaunchedTime). An EC2 call that
 * fails makes the plan a problem: nothing is removed when what is in use cannot be known.
 */
export async function amiPrune(request: AmiPruneRequest): Promise<TargetPrunePlan> {
  const { ec2, usage, regions, keep, referenced, imageNames, options, project } = request;
  const now = options?.now ?? new Date();
  try {
    const prefixes = [...imageNames].map((n) => `${n}-`);
    const [ours, tagged, named, templates] = await Promise.all([
      listProjectAmis(ec2, regions, project.id),
      // Only to say what is not this project's: of the tool's AMIs, those of this config's image names without
      // a project tag (another project's are none of this one's business, and only counted).
      listToolAmis(ec2, regions),
      Promise.all(regions.map((r) => usage.findImagesByNamePrefix(r, prefixes))).then((f) => f.flat()),
      Promise.all(regions.map((r) => usage.launchTemplateImages(r))).then((f) => f.flat()),
    ]);
    const others = [...tagged, ...named].filter((i) => i.tags[TAG.project] !== undefined && i.tags[TAG.project] !== project.id);
    // Of the config's image names only: another project's old AMIs of other names are not worth a line here.
    const unattributed = [...tagged, ...named].filter(
      (i) =>
        i.tags[TAG.project] === undefined && (imageNames.has(i.tags[TAG.image] ?? '') || imageOfAmiName(i.name, imageNames) !== undefined),
    );
    const images = [...ours, ...unattributed];
    const inUse = launchTemplateReasons(templates);
    let plan = planPrune({ images, project: project.id, now, keep, referenced, imageNames, inUse });
    if (options !== undefined && plan.remove.length > 0) {
      // Only what would go is asked about (one call per AMI and region), and only AMIs that can launch anything
      // (available: a pending or failed one never did); a recent launch keeps it, and so its parents.
      const since = options.now.getTime() - options.usedWithin.ms;
      const launched = await Promise.all(
        plan.remove
          .flatMap((a) => Object.values(a.byRegion))
          .filter((ami) => ami.state === 'available')
          .map(async (ami) => ({ ami, at: await usage.lastLaunched(ami.region, ami.id) })),
      );
      const recent = launched.filter(({ at }) => at !== undefined && Date.parse(at) >= since);
      for (const { ami, at } of recent) {
        const reason: KeepReason = { kind: 'launched', at: at!, region: ami.region, within: options.usedWithin.text };
        inUse.set(ami.id, [...(inUse.get(ami.id) ?? []), reason]);
      }
      if (recent.length > 0) plan = planPrune({ images, project: project.id, now, keep, referenced, imageNames, inUse });
    }
    const legacy = plan.notOurs.filter((n) => n.why.kind === 'no-project').map((n) => n.ami);
    // Only those of this config's image names: the ones a user might take for this project's.
    const sameNames = others.filter((i) => imageOfAmiName(i.name, imageNames) !== undefined || imageNames.has(i.tags[TAG.image] ?? ''));
    const otherProjects = new Set(sameNames.map((i) => i.tags[TAG.project]));
    const otherNames = new Set(sameNames.map((i) => i.name));
    return {
      lines: [
        `project ${project.id} (from ${project.source}): only AMIs tagged ${TAG.project}=${project.id} are removed`,
        ...(project.from === 'path' ? [`note: the project identity is ${project.source}: ${PATH_IDENTITY_ADVICE}`] : []),
        ...describePrunePlan(plan),
        ...(otherNames.size === 0
          ? []
          : [
              `left alone: ${otherNames.size} AMI${otherNames.size === 1 ? '' : 's'} of these image names built by ${otherProjects.size === 1 ? 'another project' : `${otherProjects.size} other projects`} (${[...otherProjects].sort().join(', ')})`,
            ]),
        ...(legacy.length === 0
          ? []
          : [
              `note: ${legacy.length} AMI${legacy.length === 1 ? ' has' : 's have'} no ${TAG.project} tag and ${legacy.length === 1 ? 'is' : 'are'} never removed, reused or counted. If ${legacy.length === 1 ? 'it is' : 'they are'} this project's (not another project's with the same image names), tag ${legacy.length === 1 ? 'it' : 'them'} once, then prune again:`,
              ...adoptCommands(legacy, project.id).map((c) => `  ${c}`),
            ]),
      ],
      removeCount: plan.remove.length,
      async apply(onRemoved) {
        const outcome = await executePrune(ec2, plan, { onRemoved: (a) => onRemoved(`removed ${a.region} ${a.id} and its snapshots`) });
        return { failed: outcome.failed.map((f) => `could not remove ${f.ami.region} ${f.ami.id}: ${f.message}`) };
      },
    };
  } catch (e: unknown) {
    if (!(e instanceof Ec2Error)) throw e;
    return {
      lines: [],
      removeCount: 0,
      problem: `${e.message}. prune needs ec2:DescribeImages, ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions and ec2:DescribeImageAttribute (and ssm:GetParameters for launch templates that name an SSM parameter) to know what is still in use; nothing was removed`,
      apply: () => Promise.resolve({ failed: [] }),
    };
  }
}
