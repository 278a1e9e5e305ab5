/**
 * source_ami_filter resolved before the build, as packer-plugin-amazon's `most_recent = true` does
 * (builder/common/ami_filter.go, step_source_ami_info.go), through the real EC2Client and an in-memory account.
 */
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_AMI_FILTER } from '../../config/normalise.js';
import { CANONICAL, fakeAccount, ubuntuAmi } from '../../../tests/helpers/ami/fake-account.js';
import { ec2Api, type AmiImage } from './ec2.js';
import { mostRecent, resolveSourceAmi } from './source-ami.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

const REGION = 'eu-central-1';
const AT = { file: 'images.yaml', line: 3, column: 3 };

describe('resolveSourceAmi', () => {
  it('picks the newest available AMI of the owners that matches name, virtualization and root device type, across pages', async () => {
    const account = fakeAccount(mock, { pageSize: 2 });
    account.add(
      REGION,
      ubuntuAmi('ami-0000000000000a001', '2026-09-01T10:00:00.000Z'),
      ubuntuAmi('ami-0000000000000a003', '2026-11-20T10:00:00.000Z'),
      ubuntuAmi('ami-0000000000000a002', '2026-10-01T10:00:00.000Z'),
      // Newer, but each one is not what the filter asks for: never picked.
      { ...ubuntuAmi('ami-0000000000000b001', '2026-11-25T10:00:00.000Z'), state: 'pending' },
      { ...ubuntuAmi('ami-0000000000000b002', '2026-11-25T10:00:00.000Z'), owner: '123456789012' },
      { ...ubuntuAmi('ami-0000000000000b003', '2026-11-25T10:00:00.000Z'), virtualizationType: 'paravirtual' },
      { ...ubuntuAmi('ami-0000000000000b004', '2026-11-25T10:00:00.000Z'), rootDeviceType: 'instance-store' },
      {
        ...ubuntuAmi('ami-0000000000000b005', '2026-11-25T10:00:00.000Z'),
        name: 'ubuntu/images/hvm-ssd/ubuntu-noble-24.04-amd64-server-20261125',
      },
    );
    account.add('us-east-1', ubuntuAmi('ami-0000000000000c001', '2026-11-29T10:00:00.000Z'));

    const resolved = await resolveSourceAmi(ec2Api(), REGION, DEFAULT_SOURCE_AMI_FILTER);
    expect(resolved.ok && `${resolved.value.id} ${resolved.value.name}`).toBe(
      'ami-0000000000000a003 ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261120',
    );
    // What EC2 was asked: the filter's owners and one value per filter, as Packer asks, plus state=available; every page.
    expect(account.describeCalls.length).toBeGreaterThan(1);
    expect(new Set(account.describeCalls.map((c) => c.region))).toEqual(new Set([REGION]));
    expect(account.describeCalls[0]!.input).toMatchObject({
      Owners: [CANONICAL],
      Filters: [
        { Name: 'name', Values: ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*'] },
        { Name: 'virtualization-type', Values: ['hvm'] },
        { Name: 'root-device-type', Values: ['ebs'] },
        { Name: 'state', Values: ['available'] },
      ],
    });
  });

  it('no match is an error before any build, naming the config, the filter and how to check it', async () => {
    const account = fakeAccount(mock);
    account.add('us-east-1', ubuntuAmi('ami-0000000000000c001', '2026-11-29T10:00:00.000Z'));
    const resolved = await resolveSourceAmi(ec2Api(), REGION, DEFAULT_SOURCE_AMI_FILTER, AT);
    expect(resolved).toEqual({
      ok: false,
      error:
        'images.yaml:3:3: targets.ami.source_ami_filter matches no available AMI in eu-central-1: name "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*", owners 099720109477, virtualization-type hvm, root-device-type ebs. ' +
        'Nothing was built. Check the name pattern and the owners, and that the AMI is published in eu-central-1: ' +
        'aws ec2 describe-images --region eu-central-1 --owners 099720109477 --filters "Name=name,Values=ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*" "Name=virtualization-type,Values=hvm" "Name=root-device-type,Values=ebs" "Name=state,Values=available"',
    });
  });

  it('an EC2 error (no credentials, access denied) is an error naming the lookup, not a crash', async () => {
    mock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    const resolved = await resolveSourceAmi(ec2Api({ maxAttempts: 1 }), REGION, DEFAULT_SOURCE_AMI_FILTER);
    expect(resolved).toEqual({
      ok: false,
      error:
        'cannot look up the source AMI (targets.ami.source_ami_filter): EC2 DescribeImages in eu-central-1 failed: UnauthorizedOperation: You are not authorized to perform this operation.',
    });
  });
});

describe('mostRecent (packer-plugin-amazon mostRecentAmi)', () => {
  const image = (id: string, creationDate: string): AmiImage => ({
    id,
    region: REGION,
    name: id,
    state: 'available',
    stateReason: undefined,
    creationDate,
    tags: {},
    snapshotIds: [],
  });

  it('compares whole seconds of the RFC 3339 CreationDate, whatever order EC2 answers in', () => {
    const images = [
      image('ami-b', '2026-11-20T10:00:00.000Z'),
      image('ami-a', '2026-11-20T10:00:01.000Z'),
      image('ami-c', '2026-01-01T00:00:00Z'),
    ];
    expect(mostRecent(images)?.id).toBe('ami-a');
    expect(mostRecent([...images].reverse())?.id).toBe('ami-a');
  });

  it('AMIs of the same second: the same one every time (Packer’s unstable sort picks either), the greater ID', () => {
    const images = [image('ami-1', '2026-11-20T10:00:00.100Z'), image('ami-2', '2026-11-20T10:00:00.900Z')];
    expect(mostRecent(images)?.id).toBe('ami-2');
    expect(mostRecent([...images].reverse())?.id).toBe('ami-2');
  });

  it('an unparsable CreationDate counts as the oldest (Go’s zero time), and no images is undefined', () => {
    expect(mostRecent([image('ami-x', 'yesterday'), image('ami-y', '2020-01-01T00:00:00.000Z')])?.id).toBe('ami-y');
    expect(mostRecent([])).toBeUndefined();
  });
});
