import {
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
  paginateDescribeImages,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import { setTimeout as sleep } from 'node:timers/promises';

/** One AMI in one region, as build-images needs to see it. */
export interface AmiImage {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  /** "available", "pending", "failed", "deregistered", "invalid", "error", "transient"... */
  readonly state: string;
  /** Why a failed AMI failed, when EC2 says. */
  readonly stateReason: string | undefined;
  /** ISO 8601, e.g. "2026-11-21T21:03:36.000Z". */
  readonly creationDate: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly snapshotIds: readonly string[];
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Time between DescribeImages calls. Default 15 s, what Packer and the AWS CLI waiters use. */
  readonly pollMs?: number;
}

export type WaitFailure =
  | { readonly reason: 'failed'; readonly image: AmiImage }
  | { readonly reason: 'missing'; readonly id: string }
  | { readonly reason: 'timeout'; readonly pending: readonly AmiImage[] }
  | { readonly reason: 'interrupted' };

export type WaitResult = { readonly ok: true; readonly images: readonly AmiImage[] } | { readonly ok: false; readonly error: WaitFailure };

/**
 * The slice of EC2 the AMI target uses. Credentials and the default region come from the AWS SDK's
 * default chain (environment, shared config, SSO, web identity/OIDC, instance role): this code never
 * reads, logs or writes them. Every call names its region explicitly, because one build spans several.
 * Calls that fail (no credentials, access denied, throttled beyond the retries) reject with Ec2Error.
 */
export interface Ec2 {
  /** undefined when the region has no such AMI (or only a deregistered one). */
  describeImage(region: string, id: string): Promise<AmiImage | undefined>;
  /** This account's AMIs with exactly this name (at most one exists: EC2 names are unique per account and region). */
  findImagesByName(region: string, name: string): Promise<AmiImage[]>;
  /** This account's AMIs with the tag `key` (set to `value` when given), every page. */
  findImagesByTag(region: string, key: string, value?: string): Promise<AmiImage[]>;
  /**
   * This account's AMIs carrying every one of these tags with exactly these values, every page: one `tag:<key>`
   * filter per tag, which EC2 ANDs (DescribeImages Filters: "the results include only those that match all").
   */
  findImagesByTags(region: string, tags: Readonly<Record<string, string>>): Promise<AmiImage[]>;
  /** Polls until every AMI is available; a failed or vanished AMI, the timeout or the signal ends the wait. */
  waitAvailable(region: string, ids: readonly string[], options: WaitOptions): Promise<WaitResult>;
  /**
   * Deregisters the AMI and deletes its snapshots in the same call (DeleteAssociatedSnapshots), so a failure
   * between the two can no longer orphan a snapshot that nothing points at; a snapshot EC2 did not delete is an error.
   */
  deregister(region: string, image: Pick<AmiImage, 'id' | 'snapshotIds'>): Promise<void>;
  /**
   * Makes an instance accept IMDSv2 only (for Packer 1.6, whose templates cannot ask for it) and resolves once EC2
   * says the change is applied. Packer 1.6.6 prints the instance ID before the instance runs, so an instance EC2 does
   * not know yet (InvalidInstanceID.NotFound) or that is still pending (IncorrectInstanceState) is retried.
   */
  requireImdsV2(region: string, instanceId: string, options?: { timeoutMs?: number; pollMs?: number; signal?: AbortSignal }): Promise<void>;
  /**
   * AMIs of these owners (account IDs or aliases such as "amazon") matching every filter (one value each), every
   * page: what a root's source_ami_filter selects from (source-ami.ts). Deprecated AMIs are left out, as EC2 does
   * by default and as Packer asks (IncludeDeprecated false).
   */
  findImages(
    region: string,
    query: { readonly owners: readonly string[]; readonly filters: Readonly<Record<string, string>> },
  ): Promise<AmiImage[]>;
}

export { Ec2Error } from './ec2-error.js';
import { Ec2Error } from './ec2-error.js';

export interface Ec2Options {
  /** Makes the client for a region. Default: an EC2Client with the SDK's default credential chain. */
  readonly clientFor?: (region: string) => EC2Client;
  /**
   * Attempts per call, retries included. EC2 throttles DescribeImages per account (RequestLimitExceeded),
   * and parallel builds poll it together, so this is higher than the SDK's default of 3. The SDK's standard
   * retry strategy backs off exponentially with jitter between attempts.
   */
  readonly maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** The SDK's default credential chain, this region, the standard retry strategy (exponential backoff with jitter). */
export const defaultEc2Client = (region: string, maxAttempts = DEFAULT_MAX_ATTEMPTS): EC2Client =>
  new EC2Client({ region, maxAttempts, retryMode: 'standard' });

/** One client per region (created on first use) and a wrapper that turns SDK errors into Ec2Errors naming the call. */
function regionClients(options: Ec2Options): {
  client: (region: string) => EC2Client;
  call: <T>(operation: string, region: string, run: () => Promise<T>) => Promise<T>;
} {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const clientFor = options.clientFor ?? ((region: string) => defaultEc2Client(region, maxAttempts));
  const clients = new Map<string, EC2Client>();
  const client = (region: string): EC2Client => {
    const c = clients.get(region) ?? clientFor(region);
    clients.set(region, c);
    return c;
  };
  const call = async <T>(operation: string, region: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e: unknown) {
      throw toEc2Error(operation, region, e);
    }
  };
  return { client, call };
}

export function ec2Api(options: Ec2Options = {}): Ec2 {
  const { client, call } = regionClients(options);

  /** DescribeImages by ID: an unknown ID is an error there, which means "not found" here. */
  const byIds = async (region: string, ids: readonly string[]): Promise<Map<string, AmiImage>> => {
    try {
      const out = await client(region).send(new DescribeImagesCommand({ ImageIds: [...ids] }));
      return new Map(
        (out.Images ?? [])
          .map((i) => toImage(region, i))
          .filter((i) => i.state !== 'deregistered')
          .map((i) => [i.id, i]),
      );
    } catch (e: unknown) {
      if (errorCode(e) === 'InvalidAMIID.NotFound' && ids.length === 1) return new Map();
      if (errorCode(e) === 'InvalidAMIID.NotFound') {
        // One unknown ID fails the whole call: ask for each on its own to learn which exist.
        const found = await Promise.all(ids.map((id) => byIds(region, [id])));
        return new Map(found.flatMap((m) => [...m]));
      }
      throw toEc2Error('DescribeImages', region, e);
    }
  };

  const search = (region: string, filters: Filter[]): Promise<AmiImage[]> =>
    call('DescribeImages', region, async () => {
      const images: AmiImage[] = [];
      const pages = paginateDescribeImages({ client: client(region), pageSize: 1000 }, { Owners: ['self'], Filters: filters });
      for await (const page of pages) for (const image of page.Images ?? []) images.push(toImage(region, image));
      return images;
    });

  return {
    async describeImage(region, id) {
      return (await byIds(region, [id])).get(id);
    },

    findImagesByName(region, name) {
      return search(region, [{ Name: 'name', Values: [name] }]);
    },

    findImagesByTag(region, key, value) {
      return search(region, [value === undefined ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] }]);
    },

    findImagesByTags(region, tags) {
      const filters = Object.entries(tags).map(([key, value]): Filter => ({ Name: `tag:${key}`, Values: [value] }));
      if (filters.length === 0) throw new Error('bug: findImagesByTags without tags would list every AMI of the account');
      return search(region, filters);
    },

    async waitAvailable(region, ids, { timeoutMs, signal, pollMs = 15_000 }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (signal?.aborted) return { ok: false, error: { reason: 'interrupted' } };
        const found = await byIds(region, ids);
        const images = ids.map((id) => found.get(id));
        const failed = images.find((i) => i !== undefined && !WAITING_STATES.has(i.state) && i.state !== 'available');
        if (failed !== undefined) return { ok: false, error: { reason: 'failed', image: failed } };
        if (images.every((i) => i?.state === 'available')) return { ok: true, images: images as AmiImage[] };
        if (Date.now() + pollMs > deadline) {
          // Right after CreateImage/CopyImage an ID can be briefly unknown; at the deadline it is simply missing.
          const missing = ids.find((id) => !found.has(id));
          if (missing !== undefined) return { ok: false, error: { reason: 'missing', id: missing } };
          return {
            ok: false,
            error: { reason: 'timeout', pending: images.filter((i) => i !== undefined && i.state !== 'available') as AmiImage[] },
          };
        }
        try {
          await sleep(pollMs, undefined, signal ? { signal } : {});
        } catch {
          return { ok: false, error: { reason: 'interrupted' } };
        }
      }
    },

    async deregister(region, image) {
      // DeregisterImageRequest.DeleteAssociatedSnapshots (@aws-sdk/client-ec2 models_3.d.ts): EC2 deletes the
      // snapshots with the AMI and reports each in DeleteSnapshotResults; one shared with another AMI is "skipped".
      const out = await call('DeregisterImage', region, () =>
        client(region).send(new DeregisterImageCommand({ ImageId: image.id, DeleteAssociatedSnapshots: true })),
      );
      const kept = (out.DeleteSnapshotResults ?? []).filter((r) => r.ReturnCode !== 'success' && r.ReturnCode !== 'skipped');
      if (kept.length > 0) {
        throw new Ec2Error(
          'DeregisterImage',
          region,
          kept[0]!.ReturnCode ?? '',
          `${image.id} was deregistered, but EC2 did not delete its snapshot${kept.length === 1 ? '' : 's'} ${kept.map((r) => `${r.SnapshotId} (${r.ReturnCode})`).join(', ')}: delete ${kept.length === 1 ? 'it' : 'them'} by hand (aws ec2 delete-snapshot)`,
        );
      }
    },

    async requireImdsV2(region, instanceId, { timeoutMs = 300_000, pollMs = 2_000, signal } = {}) {
      const deadline = Date.now() + timeoutMs;
      const pause = async (why: string): Promise<void> => {
        if (Date.now() + pollMs > deadline)
          throw new Ec2Error('ModifyInstanceMetadataOptions', region, '', `${instanceId}: gave up: ${why}`);
        await sleep(pollMs, undefined, signal ? { signal } : {});
      };
      // Retryable while the instance is being launched (EC2 API reference, ModifyInstanceMetadataOptions errors).
      const RETRY = new Set(['InvalidInstanceID.NotFound', 'IncorrectInstanceState']);
      for (;;) {
        try {
          await client(region).send(
            new ModifyInstanceMetadataOptionsCommand({ InstanceId: instanceId, HttpTokens: 'required', HttpEndpoint: 'enabled' }),
          );
          break;
        } catch (e: unknown) {
          if (!RETRY.has(errorCode(e))) throw toEc2Error('ModifyInstanceMetadataOptions', region, e);
          await pause(`${errorCode(e)} for ${Math.round(timeoutMs / 1000)} s`);
        }
      }
      // The call returns with MetadataOptions.State "pending": IMDSv1 is only off once it says "applied".
      for (;;) {
        const out = await call('DescribeInstances', region, () =>
          client(region).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
        );
        const options = out.Reservations?.[0]?.Instances?.[0]?.MetadataOptions;
        if (options?.State === 'applied' && options.HttpTokens === 'required') return;
        await pause(`metadata options still ${options?.State ?? 'unknown'} (HttpTokens ${options?.HttpTokens ?? 'unknown'})`);
      }
    },

    findImages(region, { owners, filters }) {
      return call('DescribeImages', region, async () => {
        const images: AmiImage[] = [];
        const input = { Owners: [...owners], Filters: Object.entries(filters).map(([Name, value]) => ({ Name, Values: [value] })) };
        for await (const page of paginateDescribeImages({ client: client(region), pageSize: 1000 }, input))
          for (const image of page.Images ?? []) images.push(toImage(region, image));
        return images;
      });
    },
  };
}

/** States an AMI passes through on its way to "available". */
const WAITING_STATES = new Set(['pending', 'transient']);

function toImage(region: string, image: Image): AmiImage {
  return {
    id: image.ImageId ?? '',
    region,
    name: image.Name ?? '',
    state: image.State ?? 'unknown',
    stateReason: image.StateReason?.Message,
    creationDate: image.CreationDate ?? '',
    tags: Object.fromEntries((image.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']]))),
    snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((b) => (b.Ebs?.SnapshotId === undefined ? [] : [b.Ebs.SnapshotId])),
  };
}

const errorCode = (e: unknown): string => (e instanceof Error ? e.name : '');

function toEc2Error(operation: string, region: string, e: unknown): Ec2Error {
  if (e instanceof Ec2Error) return e;
  const detail = e instanceof Error ? e.message : String(e);
  const code = errorCode(e);
  if (code === 'CredentialsProviderError') {
    return new Ec2Error(
      operation,
      region,
      code,
      `no AWS credentials found (${detail}). Set them the usual way: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, or OIDC web identity in CI.`,
    );
  }
  return new Ec2Error(operation, region, code === 'Error' ? '' : code, detail);
}

/** One launch template version that names an AMI. */
export interface LaunchTemplateImage {
  readonly region: string;
  readonly templateId: string;
  readonly templateName: string;
  readonly version: number;
  readonly isDefault: boolean;
  /** The AMI ID, with an SSM parameter (`resolve:ssm:…`) already resolved by EC2 (ResolveAlias). */
  readonly imageId: string;
}

/**
 * What prune asks EC2 besides the tool's own AMIs: whatever else may still use an AMI, and the AMIs an
 * interrupted Packer left without tags. Kept apart from `Ec2` (the build's slice) so a build needs none of
 * these permissions: ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions, ec2:DescribeImageAttribute.
 */
export interface AmiUsage {
  /** This account's AMIs whose names start with one of the prefixes (DescribeImages `name` filter `<prefix>*`), every page. */
  findImagesByNamePrefix(region: string, prefixes: readonly string[]): Promise<AmiImage[]>;
  /** Every version of every launch template in the region that names an AMI. */
  launchTemplateImages(region: string): Promise<LaunchTemplateImage[]>;
  /** When the AMI last launched an instance (ISO 8601; EC2 reports it up to 24 h late); undefined when never (since April 2017). */
  lastLaunched(region: string, imageId: string): Promise<string | undefined>;
}

/** The real AmiUsage: the same clients, credentials and retries as `ec2Api`. */
export function amiUsageApi(options: Ec2Options = {}): AmiUsage {
  const { client, call } = regionClients(options);
  return {
    findImagesByNamePrefix(region, prefixes) {
      if (prefixes.length === 0) return Promise.resolve([]);
      return call('DescribeImages', region, async () => {
        // `*` is the name filter's wildcard (DescribeImages Filters, "name"); image names never contain one.
        const filters: Filter[] = [{ Name: 'name', Values: prefixes.map((p) => `${p}*`) }];
        const images: AmiImage[] = [];
        const pages = paginateDescribeImages({ client: client(region), pageSize: 1000 }, { Owners: ['self'], Filters: filters });
        for await (const page of pages) for (const image of page.Images ?? []) images.push(toImage(region, image));
        return images;
      });
    },

    async launchTemplateImages(region) {
      const templates = await call('DescribeLaunchTemplates', region, async () => {
        const found: Array<{ id: string; name: string }> = [];
        for await (const page of paginateDescribeLaunchTemplates({ client: client(region), pageSize: 200 }, {})) {
          for (const t of page.LaunchTemplates ?? []) {
            if (t.LaunchTemplateId !== undefined) found.push({ id: t.LaunchTemplateId, name: t.LaunchTemplateName ?? t.LaunchTemplateId });
          }
        }
        return found;
      });
      const found: LaunchTemplateImage[] = [];
      for (const template of templates) {
        await call('DescribeLaunchTemplateVersions', region, async () => {
          // No Versions: every version of this template (DescribeLaunchTemplateVersions, EC2 API reference). ResolveAlias:
          // a version whose ImageId is `resolve:ssm:<parameter>` reports the AMI the parameter names now.
          const pages = paginateDescribeLaunchTemplateVersions(
            { client: client(region), pageSize: 200 },
            { LaunchTemplateId: template.id, ResolveAlias: true },
          );
          for await (const page of pages) {
            for (const version of page.LaunchTemplateVersions ?? []) {
              const imageId = version.LaunchTemplateData?.ImageId;
              if (imageId === undefined || imageId === '') continue;
              found.push({
                region,
                templateId: template.id,
                templateName: template.name,
                version: version.VersionNumber ?? 0,
                isDefault: version.DefaultVersion ?? false,
                imageId,
              });
            }
          }
        });
      }
      return found;
    },

    async lastLaunched(region, imageId) {
      // DescribeImageAttribute, attribute "lastLaunchedTime" (ImageAttributeName in @aws-sdk/client-ec2): the answer's
      // LastLaunchedTime.Value is an ISO 8601 date-time, absent for an AMI that never launched an instance.
      const out = await call('DescribeImageAttribute', region, () =>
        client(region).send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'lastLaunchedTime' })),
      );
      const value = out.LastLaunchedTime?.Value;
      return value === undefined || value === '' ? undefined : value;
    },
  };
}
