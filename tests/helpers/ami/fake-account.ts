/**
 * An in-memory EC2 account behind aws-sdk-client-mock: the real EC2Client (and the SDK's paginator)
 * talk to it, so tests exercise Ec2's requests and EC2's answers, not a hand-made double of Ec2.
 * It answers the way EC2 does where it matters here: an unknown ID in ImageIds is an
 * InvalidAMIID.NotFound error; filtered searches page with NextToken; names and tags filter exactly.
 */
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  ModifyInstanceMetadataOptionsCommand,
  type DescribeImagesCommandInput,
  type Image,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { fakeUsage, type FakeUsage } from './fake-usage.js';

export interface FakeAmi {
  readonly id: string;
  readonly name: string;
  state?: string;
  readonly created?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly snapshots?: readonly string[];
  /** Owned by another account (e.g. Canonical): never matched by Owners: ["self"]. */
  readonly foreign?: boolean;
  /** The owning account of a foreign AMI (e.g. Canonical's 099720109477), matched by Owners: ["099720109477"]. */
  readonly owner?: string;
  /** Default "hvm". */
  readonly virtualizationType?: string;
  /** Default "ebs". */
  readonly rootDeviceType?: string;
}

/** Canonical's account, the default source_ami_filter's owner (config/normalise.ts DEFAULT_SOURCE_AMI_FILTER). */
export const CANONICAL = '099720109477';

/** A Canonical Ubuntu 22.04 server AMI, as the default source_ami_filter finds it in a region. */
export const ubuntuAmi = (id: string, created: string): FakeAmi => ({
  id,
  name: `ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-${created.slice(0, 10).replaceAll('-', '')}`,
  owner: CANONICAL,
  foreign: true,
  created,
});

export interface FakeAccount {
  add(region: string, ...amis: FakeAmi[]): void;
  /** Called before each DescribeImages answer; a test moves AMIs through states here. */
  onDescribe(hook: (region: string, call: number) => void): void;
  ami(region: string, id: string): FakeAmi | undefined;
  amis(region: string): FakeAmi[];
  readonly deregistered: string[];
  readonly deletedSnapshots: string[];
  /** Snapshots DeregisterImage's DeleteAssociatedSnapshots cannot delete, with the ReturnCode EC2 gives for them. */
  readonly undeletableSnapshots: Map<string, string>;
  readonly imdsRequired: string[];
  /** Errors ModifyInstanceMetadataOptions gives for its first calls on an instance (e.g. InvalidInstanceID.NotFound). */
  launching: string[];
  /** The metadata change stays "pending" for ever. */
  imdsNeverApplied: boolean;
  /** DescribeImages inputs, with the region they went to. */
  readonly describeCalls: Array<{ region: string; input: DescribeImagesCommandInput }>;
  /** Launch templates and launches (prune): none unless a test adds them. */
  readonly usage: FakeUsage;
}

export function fakeAccount(mock: AwsClientStub<EC2Client>, options: { pageSize?: number } = {}): FakeAccount {
  const regions = new Map<string, FakeAmi[]>();
  const hooks: Array<(region: string, call: number) => void> = [];
  const account: FakeAccount = {
    add(region, ...amis) {
      regions.set(region, [...(regions.get(region) ?? []), ...amis]);
    },
    onDescribe(hook) {
      hooks.push(hook);
    },
    ami(region, id) {
      return regions.get(region)?.find((a) => a.id === id);
    },
    amis(region) {
      return regions.get(region) ?? [];
    },
    deregistered: [],
    deletedSnapshots: [],
    undeletableSnapshots: new Map(),
    launching: [],
    imdsNeverApplied: false,
    imdsRequired: [],
    describeCalls: [],
    usage: fakeUsage(mock, (region, id) => (regions.get(region) ?? []).some((a) => a.id === id && a.state !== 'gone')),
  };
  const regionOf = async (getClient: () => unknown): Promise<string> => (getClient() as EC2Client).config.region();

  mock.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput, getClient) => {
    const region = await regionOf(getClient);
    account.describeCalls.push({ region, input: { ...input } }); // the paginator reuses its input object
    for (const hook of hooks) hook(region, account.describeCalls.length);
    const all = (regions.get(region) ?? []).filter((a) => a.state !== 'gone');
    if (input.ImageIds !== undefined) {
      const missing = input.ImageIds.filter((id) => !all.some((a) => a.id === id));
      if (missing.length > 0) throw notFound(missing);
      return { Images: all.filter((a) => input.ImageIds!.includes(a.id)).map(toImage) };
    }
    const matches = all.filter(
      (a) =>
        (input.Owners === undefined || input.Owners.some((o) => (o === 'self' ? !a.foreign && a.owner === undefined : a.owner === o))) &&
        (input.Filters ?? []).every((f) => matchesFilter(a, f.Name ?? '', f.Values ?? [])),
    );
    const pageSize = Math.min(options.pageSize ?? 1000, input.MaxResults ?? 1000);
    const start = Number(input.NextToken ?? 0);
    const page = matches.slice(start, start + pageSize);
    const next = start + pageSize < matches.length ? String(start + pageSize) : undefined;
    return { Images: page.map(toImage), ...(next === undefined ? {} : { NextToken: next }) };
  });

  // DeleteAssociatedSnapshots: EC2 deletes the AMI's snapshots with it and reports each one's ReturnCode
  // (success, skipped, missing-permissions, internal-error, client-error: DeregisterImageResult in @aws-sdk/client-ec2).
  mock.on(DeregisterImageCommand).callsFake(async (input: { ImageId: string; DeleteAssociatedSnapshots?: boolean }, getClient) => {
    const region = await regionOf(getClient);
    const ami = account.ami(region, input.ImageId);
    if (ami === undefined || ami.state === 'gone') throw notFound([input.ImageId]);
    ami.state = 'gone';
    account.deregistered.push(`${region}:${input.ImageId}`);
    if (!input.DeleteAssociatedSnapshots) return { Return: true };
    const results = (ami.snapshots ?? []).map((id) => {
      const code = account.undeletableSnapshots.get(id);
      if (code === undefined) account.deletedSnapshots.push(`${region}:${id}`);
      return { SnapshotId: id, ReturnCode: code ?? 'success' };
    });
    return { Return: true, DeleteSnapshotResults: results };
  });

  mock.on(DeleteSnapshotCommand).callsFake(async (input: { SnapshotId: string }, getClient) => {
    const region = await regionOf(getClient);
    const inUse = (regions.get(region) ?? []).some((a) => a.state !== 'gone' && (a.snapshots ?? []).includes(input.SnapshotId));
    if (inUse) {
      throw new EC2ServiceException({
        name: 'InvalidSnapshot.InUse',
        $fault: 'client',
        $metadata: {},
        message: `The snapshot ${input.SnapshotId} is currently in use by an AMI`,
      });
    }
    account.deletedSnapshots.push(`${region}:${input.SnapshotId}`);
    return {};
  });

  // As EC2 does while Packer 1.6.6 has printed the ID but the instance is still being launched: unknown at first
  // (InvalidInstanceID.NotFound), then pending (IncorrectInstanceState); and a change is "pending" before "applied".
  const imdsCalls = new Map<string, number>();
  const imdsState = new Map<string, { tokens: string; looks: number }>();
  mock.on(ModifyInstanceMetadataOptionsCommand).callsFake(async (input: { InstanceId: string; HttpTokens: string }, getClient) => {
    const call = (imdsCalls.get(input.InstanceId) ?? 0) + 1;
    imdsCalls.set(input.InstanceId, call);
    const refusal = account.launching[call - 1];
    if (refusal !== undefined) {
      throw new EC2ServiceException({ name: refusal, $fault: 'client', $metadata: {}, message: `${refusal} (${input.InstanceId})` });
    }
    account.imdsRequired.push(`${await regionOf(getClient)}:${input.InstanceId}:${input.HttpTokens}`);
    imdsState.set(input.InstanceId, { tokens: input.HttpTokens, looks: 0 });
    return { InstanceId: input.InstanceId, InstanceMetadataOptions: { State: 'pending', HttpTokens: input.HttpTokens } };
  });
  mock.on(DescribeInstancesCommand).callsFake(async (input: { InstanceIds: string[] }) => {
    const id = input.InstanceIds[0]!;
    const state = imdsState.get(id);
    if (state) state.looks++;
    const applied = state !== undefined && state.looks > 1 && !account.imdsNeverApplied;
    return {
      Reservations: [
        {
          Instances: [
            {
              InstanceId: id,
              MetadataOptions: { State: applied ? 'applied' : 'pending', HttpTokens: applied ? state.tokens : 'optional' },
            },
          ],
        },
      ],
    };
  });

  return account;
}

function matchesFilter(ami: FakeAmi, name: string, values: readonly string[]): boolean {
  // EC2 filter values take * and ? as wildcards (DescribeImages, "Filters").
  if (name === 'name') return values.some((v) => wildcard(v).test(ami.name));
  if (name === 'state') return values.includes(ami.state ?? 'available');
  if (name === 'virtualization-type') return values.includes(ami.virtualizationType ?? 'hvm');
  if (name === 'root-device-type') return values.includes(ami.rootDeviceType ?? 'ebs');
  if (name === 'tag-key') return values.some((v) => ami.tags?.[v] !== undefined);
  if (name.startsWith('tag:')) {
    const value = ami.tags?.[name.slice(4)];
    return value !== undefined && values.includes(value);
  }
  throw new Error(`fake account: unsupported filter ${name}`);
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );

function toImage(a: FakeAmi): Image {
  return {
    ImageId: a.id,
    Name: a.name,
    State: (a.state ?? 'available') as Image['State'],
    ...(a.owner === undefined ? {} : { OwnerId: a.owner }),
    VirtualizationType: (a.virtualizationType ?? 'hvm') as Image['VirtualizationType'],
    RootDeviceType: (a.rootDeviceType ?? 'ebs') as Image['RootDeviceType'],
    CreationDate: a.created ?? '2026-01-01T00:00:00.000Z',
    Tags: Object.entries(a.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    BlockDeviceMappings: (a.snapshots ?? []).map((SnapshotId, i) => ({ DeviceName: `/dev/sd${'abcdefgh'[i]}`, Ebs: { SnapshotId } })),
    ...(a.state === 'failed'
      ? { StateReason: { Code: 'Server.InternalError', Message: 'Server.InternalError: Internal error on snapshot copy' } }
      : {}),
  };
}

const notFound = (ids: readonly string[]): EC2ServiceException =>
  new EC2ServiceException({
    name: 'InvalidAMIID.NotFound',
    $fault: 'client',
    $metadata: {},
    message: `The image id '[${ids.join(', ')}]' does not exist`,
  });

/**
 * One logical AMI in each of `regions`, as Packer leaves one built and copied: IDs `ami-<n, 7 digits><region
 * index + 1>`, one snapshot each, created on 2026-11-<day> (a second apart per region).
 */
export function amiInRegions(
  regions: readonly string[],
  n: number,
  name: string,
  day: number,
  tags: Record<string, string>,
): Array<[string, FakeAmi]> {
  return regions.map((region, r) => [
    region,
    {
      id: `ami-${String(n).padStart(7, '0')}${r + 1}`,
      name,
      created: `2026-11-${String(day).padStart(2, '0')}T10:00:0${r}.000Z`,
      snapshots: [`snap-${n}${r + 1}`],
      tags,
    },
  ]);
}
