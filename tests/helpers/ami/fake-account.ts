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
  EC2Client,
  EC2ServiceException,
  ModifyInstanceMetadataOptionsCommand,
  type DescribeImagesCommandInput,
  type Image,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeAmi {
  readonly id: string;
  readonly name: string;
  state?: string;
  readonly created?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly snapshots?: readonly string[];
  /** Owned by another account (e.g. Canonical): never matched by Owners: ["self"]. */
  readonly foreign?: boolean;
}

export interface FakeAccount {
  add(region: string, ...amis: FakeAmi[]): void;
  /** Called before each DescribeImages answer; a test moves AMIs through states here. */
  onDescribe(hook: (region: string, call: number) => void): void;
  ami(region: string, id: string): FakeAmi | undefined;
  amis(region: string): FakeAmi[];
  readonly deregistered: string[];
  readonly deletedSnapshots: string[];
  readonly imdsRequired: string[];
  /** DescribeImages inputs, with the region they went to. */
  readonly describeCalls: Array<{ region: string; input: DescribeImagesCommandInput }>;
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
    imdsRequired: [],
    describeCalls: [],
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
        (input.Owners?.includes('self') ? !a.foreign : true) &&
        (input.Filters ?? []).every((f) => matchesFilter(a, f.Name ?? '', f.Values ?? [])),
    );
    const pageSize = Math.min(options.pageSize ?? 1000, input.MaxResults ?? 1000);
    const start = Number(input.NextToken ?? 0);
    const page = matches.slice(start, start + pageSize);
    const next = start + pageSize < matches.length ? String(start + pageSize) : undefined;
    return { Images: page.map(toImage), ...(next === undefined ? {} : { NextToken: next }) };
  });

  mock.on(DeregisterImageCommand).callsFake(async (input: { ImageId: string }, getClient) => {
    const region = await regionOf(getClient);
    const ami = account.ami(region, input.ImageId);
    if (ami === undefined || ami.state === 'gone') throw notFound([input.ImageId]);
    ami.state = 'gone';
    account.deregistered.push(`${region}:${input.ImageId}`);
    return {};
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

  mock.on(ModifyInstanceMetadataOptionsCommand).callsFake(async (input: { InstanceId: string; HttpTokens: string }, getClient) => {
    account.imdsRequired.push(`${await regionOf(getClient)}:${input.InstanceId}:${input.HttpTokens}`);
    return {};
  });

  return account;
}

function matchesFilter(ami: FakeAmi, name: string, values: readonly string[]): boolean {
  if (name === 'name') return values.includes(ami.name);
  if (name === 'tag-key') return values.some((v) => ami.tags?.[v] !== undefined);
  if (name.startsWith('tag:')) {
    const value = ami.tags?.[name.slice(4)];
    return value !== undefined && values.includes(value);
  }
  throw new Error(`fake account: unsupported filter ${name}`);
}

function toImage(a: FakeAmi): Image {
  return {
    ImageId: a.id,
    Name: a.name,
    State: (a.state ?? 'available') as Image['State'],
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
