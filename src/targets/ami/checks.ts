import { err, ok, unreachable, type Result } from '../../result.js';
import type { AmiImage, Ec2, WaitFailure } from './ec2.js';
import { Ec2Error } from './ec2-error.js';
import { TAG } from './tags.js';

/** Why an AMI check stopped a build. Each reason has one rendering: `describeAmiFailure`. */
export type AmiCheckFailure =
  | {
      readonly reason: 'parent-missing';
      readonly image: string;
      readonly parentImage: string;
      readonly region: string;
      readonly amiId: string;
    }
  | {
      readonly reason: 'parent-not-ready';
      readonly image: string;
      readonly parentImage: string;
      readonly region: string;
      readonly amiId: string;
      readonly wait: WaitFailure;
    }
  | { readonly reason: 'name-taken'; readonly name: string; readonly region: string; readonly existing: AmiImage }
  | {
      readonly reason: 'regions-mismatch';
      readonly image: string;
      readonly expected: readonly string[];
      readonly reported: readonly string[];
    }
  | { readonly reason: 'not-ready'; readonly image: string; readonly region: string; readonly amiId: string; readonly wait: WaitFailure }
  | { readonly reason: 'wrong-ami'; readonly image: string; readonly region: string; readonly amiId: string; readonly problem: string }
  | { readonly reason: 'aws'; readonly message: string };

export interface WaitSettings {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

/** Regions an image's AMIs must exist in: the build region first, then copy_to in config order. */
export const amiRegions = (target: { readonly region: string; readonly copyTo: readonly string[] }): string[] => [
  target.region,
  ...target.copyTo,
];

/**
 * Before building a child: its parent's AMI must exist in the build region and be available. A pending
 * parent (still being made or copied) is waited for; a failed or missing one stops the child with a reason.
 */
export async function checkParentReady(
  ec2: Ec2,
  args: { readonly image: string; readonly parentImage: string; readonly region: string; readonly amiId: string } & WaitSettings,
): Promise<Result<AmiImage, AmiCheckFailure>> {
  const { image, parentImage, region, amiId } = args;
  return guard(async () => {
    const found = await ec2.describeImage(region, amiId);
    if (found === undefined) return err({ reason: 'parent-missing', image, parentImage, region, amiId });
    if (found.state === 'available') return ok(found);
    const waited = await ec2.waitAvailable(region, [amiId], args);
    if (!waited.ok) return err({ reason: 'parent-not-ready', image, parentImage, region, amiId, wait: waited.error });
    return ok(waited.images[0] ?? found);
  });
}

/**
 * Before building: the AMI name must be free in every region it will exist in, or Packer (or the copy to
 * that region) would fail after minutes of work. Every collision is reported, not just the first. Names carry
 * the build's start time to the second (amiName), so a taken name is a genuine clash: another build of the same
 * image and content started in the same second, or someone else's AMI with that name.
 */
export async function checkNameFree(
  ec2: Ec2,
  args: { readonly name: string; readonly regions: readonly string[] },
): Promise<Result<void, AmiCheckFailure[]>> {
  try {
    const found = await Promise.all(
      args.regions.map(async (region) => ({ region, images: await ec2.findImagesByName(region, args.name) })),
    );
    const taken = found.flatMap(({ region, images }) =>
      images
        .filter((i) => i.state !== 'deregistered')
        .map((existing): AmiCheckFailure => ({ reason: 'name-taken', name: args.name, region, existing })),
    );
    return taken.length === 0 ? ok(undefined) : err(taken);
  } catch (e: unknown) {
    return err([awsFailure(e)]);
  }
}

/**
 * After Packer succeeded: the AMIs it reported must be exactly one per expected region, exist there,
 * carry the expected name and our project, image and fingerprint tags, and be available (copies finish last:
 * they are waited for). An AMI without this project's tag would be invisible to this project's reuse and prune.
 */
export async function confirmBuilt(
  ec2: Ec2,
  args: {
    readonly image: string;
    readonly project: string;
    readonly amiName: string;
    readonly fingerprint: string;
    readonly regions: readonly string[];
    readonly reported: Readonly<Record<string, string>>;
  } & WaitSettings,
): Promise<Result<Record<string, AmiImage>, AmiCheckFailure>> {
  const { image, regions, reported } = args;
  const reportedRegions = Object.keys(reported);
  if (reportedRegions.length !== regions.length || !regions.every((r) => Object.hasOwn(reported, r))) {
    return err({ reason: 'regions-mismatch', image, expected: regions, reported: reportedRegions });
  }
  return guard(async () => {
    const results = await Promise.all(
      regions.map(async (region): Promise<Result<AmiImage, AmiCheckFailure>> => {
        const amiId = reported[region]!;
        const waited = await ec2.waitAvailable(region, [amiId], args);
        if (!waited.ok) return err({ reason: 'not-ready', image, region, amiId, wait: waited.error });
        const ami = waited.images[0]!;
        if (ami.name !== args.amiName)
          return err({
            reason: 'wrong-ami',
            image,
            region,
            amiId,
            problem: `it is named ${JSON.stringify(ami.name)}, not ${JSON.stringify(args.amiName)}`,
          });
        if (ami.tags[TAG.fingerprint] !== args.fingerprint || ami.tags[TAG.image] !== image || ami.tags[TAG.project] !== args.project) {
          return err({
            reason: 'wrong-ami',
            image,
            region,
            amiId,
            problem: `its ${TAG.project}/${TAG.image}/${TAG.fingerprint} tags are not ${args.project}/${image}/${args.fingerprint}, so later runs could not find it`,
          });
        }
        return ok(ami);
      }),
    );
    const failed = results.find((r) => !r.ok);
    if (failed !== undefined && !failed.ok) return failed;
    return ok(Object.fromEntries(results.map((r, i) => [regions[i]!, (r as { ok: true; value: AmiImage }).value])));
  });
}

/** What an earlier run left for this image and fingerprint. */
export type ReuseLookup =
  /** Available in every region: build nothing, use these. */
  | { readonly kind: 'reusable'; readonly amis: Readonly<Record<string, AmiImage>> }
  | { readonly kind: 'absent' }
  /**
   * In some regions only (a copy failed, or copy_to grew). Not reusable: the tfvars need every region. The
   * rebuild gets a new name (amiName), so these do not block it.
   */
  | { readonly kind: 'partial'; readonly present: Readonly<Record<string, AmiImage>>; readonly missing: readonly string[] };

/** The DescribeImages tag filters of one image's AMIs made by this project (with this fingerprint, when given). */
export const projectImageTags = (project: string, image: string, fingerprint?: string): Record<string, string> => ({
  [TAG.project]: project,
  [TAG.image]: image,
  ...(fingerprint === undefined ? {} : { [TAG.fingerprint]: fingerprint }),
});

/**
 * Looks for an AMI of this image with this fingerprint, made by this project, in every needed region. Only this
 * project's: another project reusing it would hand it to its Terraform, and the project that built it would
 * deregister it in its next prune (it cannot see the other's tfvars). AMIs built before AMIs carried a project
 * are not reused; tagging them (docs/reliability.md) makes them this project's.
 */
export async function findReusable(
  ec2: Ec2,
  args: { readonly project: string; readonly image: string; readonly fingerprint: string; readonly regions: readonly string[] },
): Promise<Result<ReuseLookup, AmiCheckFailure>> {
  return guard<ReuseLookup>(async () => {
    const wanted = projectImageTags(args.project, args.image, args.fingerprint);
    const found = await Promise.all(
      args.regions.map(async (region) => {
        // EC2 filters by all three tags; checked again here, since reuse hands the AMI to Terraform.
        const candidates = (await ec2.findImagesByTags(region, wanted)).filter(
          (i) => Object.entries(wanted).every(([k, v]) => i.tags[k] === v) && i.state === 'available',
        );
        return [region, newest(candidates)] as const;
      }),
    );
    const present = Object.fromEntries(found.filter(([, ami]) => ami !== undefined)) as Record<string, AmiImage>;
    const missing = found.filter(([, ami]) => ami === undefined).map(([region]) => region);
    if (missing.length === 0) return ok({ kind: 'reusable', amis: present });
    if (missing.length === args.regions.length) return ok({ kind: 'absent' });
    return ok({ kind: 'partial', present, missing });
  });
}

/** The sentence a user reads for a failed check. */
export function describeAmiFailure(f: AmiCheckFailure): string {
  switch (f.reason) {
    case 'parent-missing':
      return `parent AMI ${f.amiId} (image "${f.parentImage}") of image "${f.image}" does not exist in ${f.region}`;
    case 'parent-not-ready':
      return `parent AMI ${f.amiId} (image "${f.parentImage}") of image "${f.image}" in ${f.region} ${describeWait(f.wait)}`;
    case 'name-taken':
      return `AMI name "${f.name}" is already taken in ${f.region} by ${f.existing.id} (${madeByUs(f.existing) ? `made by build-images for image "${f.existing.tags[TAG.image]}": another build of it with the same content started in the same second, e.g. on another runner` : 'not made by build-images'}). Names carry the build time, so building again picks a new one${madeByUs(f.existing) ? ', or reuses that AMI once it is available in every region' : ''}`;
    case 'regions-mismatch':
      return `packer reported AMIs of image "${f.image}" in ${f.reported.join(', ') || 'no region'}, but the build needs exactly ${f.expected.join(', ')}`;
    case 'not-ready':
      return `packer reported ${f.amiId} for image "${f.image}" in ${f.region}, but it ${describeWait(f.wait)}`;
    case 'wrong-ami':
      return `packer reported ${f.amiId} for image "${f.image}" in ${f.region}, but ${f.problem}`;
    case 'aws':
      return f.message;
    default:
      return unreachable(f);
  }
}

function describeWait(w: WaitFailure): string {
  switch (w.reason) {
    case 'failed':
      return `is ${w.image.state}${w.image.stateReason ? `: ${w.image.stateReason}` : ''}`;
    case 'missing':
      return 'does not exist (any more)';
    case 'timeout':
      return `is still ${w.pending[0]?.state ?? 'pending'} (gave up waiting)`;
    case 'interrupted':
      return 'was not waited for: interrupted';
    default:
      return unreachable(w);
  }
}

const madeByUs = (image: AmiImage): boolean => image.tags[TAG.image] !== undefined;

export const newest = (images: readonly AmiImage[]): AmiImage | undefined =>
  [...images].sort((a, b) => b.creationDate.localeCompare(a.creationDate))[0];

function awsFailure(e: unknown): AmiCheckFailure {
  if (e instanceof Ec2Error) return { reason: 'aws', message: e.message };
  throw e;
}

/** EC2 errors become failures; anything else is a bug and propagates. */
async function guard<T>(run: () => Promise<Result<T, AmiCheckFailure>>): Promise<Result<T, AmiCheckFailure>> {
  try {
    return await run();
  } catch (e: unknown) {
    return err(awsFailure(e));
  }
}
