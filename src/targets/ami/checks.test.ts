import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { amiRegions, checkNameFree, checkParentReady, confirmBuilt, describeAmiFailure, findReusable } from './checks.js';
import { ec2Api } from './ec2.js';
import { TAG } from './tags.js';
import { fakeAccount, type FakeAmi } from '../../../tests/helpers/ami/fake-account.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

const REGIONS = amiRegions({ region: 'eu-central-1', copyTo: ['us-east-1', 'eu-west-1'] });
const fast = { timeoutMs: 5_000, pollMs: 1 };
const ours = (image: string, fingerprint: string, extra: Partial<FakeAmi> & { id: string }): FakeAmi => ({
  name: `${image}-${fingerprint}`,
  tags: { [TAG.project]: 'acme/images', [TAG.image]: image, [TAG.fingerprint]: fingerprint },
  ...extra,
});

describe('checkParentReady', () => {
  it('an available parent is returned at once', async () => {
    fakeAccount(mock).add('eu-central-1', ours('base', 'f1', { id: 'ami-0000000a' }));
    const parent = await checkParentReady(ec2Api(), {
      image: 'consul',
      parentImage: 'base',
      region: 'eu-central-1',
      amiId: 'ami-0000000a',
      ...fast,
    });
    expect(parent.ok && parent.value.name).toBe('base-f1');
  });

  it('a missing parent stops the child with a clear reason', async () => {
    fakeAccount(mock);
    const parent = await checkParentReady(ec2Api(), {
      image: 'consul',
      parentImage: 'base',
      region: 'eu-central-1',
      amiId: 'ami-0000000a',
      ...fast,
    });
    expect(!parent.ok && describeAmiFailure(parent.error)).toBe(
      'parent AMI ami-0000000a (image "base") of image "consul" does not exist in eu-central-1',
    );
  });

  it('a pending parent is waited for', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', ours('base', 'f1', { id: 'ami-0000000a', state: 'pending' }));
    account.onDescribe((_, call) => {
      if (call === 3) account.ami('eu-central-1', 'ami-0000000a')!.state = 'available';
    });
    const parent = await checkParentReady(ec2Api(), {
      image: 'consul',
      parentImage: 'base',
      region: 'eu-central-1',
      amiId: 'ami-0000000a',
      ...fast,
    });
    expect(parent.ok && parent.value.state).toBe('available');
    expect(account.describeCalls).toHaveLength(3);
  });

  it('a parent that stays pending, or fails, is reported', async () => {
    const account = fakeAccount(mock);
    account.add(
      'eu-central-1',
      ours('base', 'f1', { id: 'ami-0000000a', state: 'pending' }),
      ours('base', 'f2', { id: 'ami-0000000b', state: 'failed' }),
    );
    const slow = await checkParentReady(ec2Api(), {
      image: 'consul',
      parentImage: 'base',
      region: 'eu-central-1',
      amiId: 'ami-0000000a',
      timeoutMs: 20,
      pollMs: 5,
    });
    expect(!slow.ok && describeAmiFailure(slow.error)).toBe(
      'parent AMI ami-0000000a (image "base") of image "consul" in eu-central-1 is still pending (gave up waiting)',
    );
    const failed = await checkParentReady(ec2Api(), {
      image: 'consul',
      parentImage: 'base',
      region: 'eu-central-1',
      amiId: 'ami-0000000b',
      ...fast,
    });
    expect(!failed.ok && describeAmiFailure(failed.error)).toBe(
      'parent AMI ami-0000000b (image "base") of image "consul" in eu-central-1 is failed: Server.InternalError: Internal error on snapshot copy',
    );
  });
});

describe('checkNameFree', () => {
  it('is free when no region has the name', async () => {
    fakeAccount(mock).add('eu-central-1', ours('base', 'other', { id: 'ami-0000000a' }));
    expect(await checkNameFree(ec2Api(), { name: 'base-f1', regions: REGIONS })).toEqual({ ok: true, value: undefined });
  });

  it('reports a collision in a copy region, naming the region and the existing AMI, without claiming it is "not in every region"', async () => {
    const account = fakeAccount(mock);
    account.add('us-east-1', { id: 'ami-0000000c', name: 'base-f1' });
    account.add('eu-west-1', ours('base', 'f1', { id: 'ami-0000000d' }));
    const free = await checkNameFree(ec2Api(), { name: 'base-f1', regions: REGIONS });
    expect(!free.ok && free.error.map(describeAmiFailure)).toEqual([
      'AMI name "base-f1" is already taken in us-east-1 by ami-0000000c (not made by build-images). Names carry the build time, so building again picks a new one',
      'AMI name "base-f1" is already taken in eu-west-1 by ami-0000000d (made by build-images for image "base": another build of it with the same content started in the same second, e.g. on another runner). Names carry the build time, so building again picks a new one, or reuses that AMI once it is available in every region',
    ]);
    expect(account.describeCalls.map((c) => c.region).sort()).toEqual([...REGIONS].sort());
  });

  it('an AWS error is a failure with the message, not a crash', async () => {
    mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('Request has expired.'), { name: 'RequestExpired' }));
    const free = await checkNameFree(ec2Api(), { name: 'base-f1', regions: ['eu-central-1'] });
    expect(!free.ok && free.error.map(describeAmiFailure)).toEqual([
      'EC2 DescribeImages in eu-central-1 failed: RequestExpired: Request has expired.',
    ]);
  });
});

describe('confirmBuilt', () => {
  const reported = { 'eu-central-1': 'ami-00000001', 'us-east-1': 'ami-00000002', 'eu-west-1': 'ami-00000003' };
  const args = { image: 'base', project: 'acme/images', amiName: 'base-f1', fingerprint: 'f1', regions: REGIONS, reported, ...fast };

  it('waits for the copies, then confirms every reported ID', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', ours('base', 'f1', { id: 'ami-00000001' }));
    account.add('us-east-1', ours('base', 'f1', { id: 'ami-00000002', state: 'pending' }));
    account.add('eu-west-1', ours('base', 'f1', { id: 'ami-00000003' }));
    account.onDescribe((region, call) => {
      if (region === 'us-east-1' && call > 4) account.ami('us-east-1', 'ami-00000002')!.state = 'available';
    });
    const confirmed = await confirmBuilt(ec2Api(), args);
    expect(confirmed.ok && Object.fromEntries(Object.entries(confirmed.value).map(([r, i]) => [r, i.id]))).toEqual(reported);
  });

  it('refuses a report that lacks a region or has an extra one', async () => {
    fakeAccount(mock);
    const { 'eu-west-1': _missing, ...partial } = reported;
    const short = await confirmBuilt(ec2Api(), { ...args, reported: partial });
    expect(!short.ok && describeAmiFailure(short.error)).toBe(
      'packer reported AMIs of image "base" in eu-central-1, us-east-1, but the build needs exactly eu-central-1, us-east-1, eu-west-1',
    );
  });

  it('refuses an ID that EC2 does not know, or an AMI of another name', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', ours('base', 'f1', { id: 'ami-00000001' }));
    account.add('us-east-1', { id: 'ami-00000002', name: 'something-else' });
    account.add('eu-west-1', ours('base', 'f1', { id: 'ami-00000003' }));
    const wrong = await confirmBuilt(ec2Api(), args);
    expect(!wrong.ok && describeAmiFailure(wrong.error)).toBe(
      'packer reported ami-00000002 for image "base" in us-east-1, but it is named "something-else", not "base-f1"',
    );
    account.ami('us-east-1', 'ami-00000002')!.state = 'gone';
    account.add('us-east-1', ours('base', 'f1', { id: 'ami-00000004' }));
    const missing = await confirmBuilt(ec2Api(), {
      ...args,
      timeoutMs: 10,
      reported: { ...reported, 'us-east-1': 'ami-00000004', 'eu-west-1': 'ami-0000dead' },
    });
    expect(!missing.ok && describeAmiFailure(missing.error)).toMatch(/ami-0000dead .* in eu-west-1, but it does not exist \(any more\)$/);
  });
});

describe('findReusable', () => {
  const args = { project: 'acme/images', image: 'base', fingerprint: 'f1', regions: REGIONS };

  it('reuses when every region has an available AMI with the image and fingerprint tags', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', ours('base', 'f1', { id: 'ami-00000001' }));
    account.add('us-east-1', ours('base', 'f1', { id: 'ami-00000002' }));
    account.add('eu-west-1', ours('base', 'f1', { id: 'ami-00000003' }));
    const found = await findReusable(ec2Api(), args);
    expect(found.ok && found.value.kind === 'reusable' && Object.values(found.value.amis).map((a) => a.id)).toEqual([
      'ami-00000001',
      'ami-00000002',
      'ami-00000003',
    ]);
  });

  it('is not reusable when a copy region lacks it: that region is reported missing', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', ours('base', 'f1', { id: 'ami-00000001' }));
    account.add('us-east-1', ours('base', 'f1', { id: 'ami-00000002', state: 'failed' }));
    account.add('eu-west-1', ours('base', 'f1', { id: 'ami-00000003' }));
    const found = await findReusable(ec2Api(), args);
    expect(found.ok && found.value.kind === 'partial' && [Object.keys(found.value.present), found.value.missing]).toEqual([
      ['eu-central-1', 'eu-west-1'],
      ['us-east-1'],
    ]);
  });

  it('another image with the same fingerprint tag is not a match; nothing anywhere is "absent"', async () => {
    const account = fakeAccount(mock);
    for (const region of REGIONS) account.add(region, ours('consul', 'f1', { id: `ami-0000000${REGIONS.indexOf(region)}` }));
    expect(await findReusable(ec2Api(), args)).toEqual({ ok: true, value: { kind: 'absent' } });
  });
});
