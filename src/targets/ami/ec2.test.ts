import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Ec2Error, ec2Api } from './ec2.js';
import { fakeAccount } from '../../../tests/helpers/ami/fake-account.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

describe('ec2Api against the real EC2Client (aws-sdk-client-mock)', () => {
  it('describes one AMI in the region asked for; unknown IDs are undefined, not errors', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', {
      id: 'ami-0aaaaaaaaaaaaaaa1',
      name: 'base-1',
      tags: { 'build-images:image': 'base' },
      snapshots: ['snap-1'],
    });
    const ec2 = ec2Api();
    expect(await ec2.describeImage('eu-central-1', 'ami-0aaaaaaaaaaaaaaa1')).toEqual({
      id: 'ami-0aaaaaaaaaaaaaaa1',
      region: 'eu-central-1',
      name: 'base-1',
      state: 'available',
      stateReason: undefined,
      creationDate: '2026-01-01T00:00:00.000Z',
      tags: { 'build-images:image': 'base' },
      snapshotIds: ['snap-1'],
    });
    expect(await ec2.describeImage('us-east-1', 'ami-0aaaaaaaaaaaaaaa1')).toBeUndefined();
    expect(account.describeCalls.map((c) => c.region)).toEqual(['eu-central-1', 'us-east-1']);
  });

  it("finds by name and by tag among this account's AMIs only", async () => {
    const account = fakeAccount(mock);
    account.add(
      'eu-central-1',
      { id: 'ami-00000001', name: 'base-1', tags: { 'build-images:fingerprint': 'f1', 'build-images:image': 'base' } },
      { id: 'ami-00000002', name: 'base-2', tags: { 'build-images:fingerprint': 'f2', 'build-images:image': 'base' } },
      { id: 'ami-00000003', name: 'base-1', foreign: true },
    );
    const ec2 = ec2Api();
    expect((await ec2.findImagesByName('eu-central-1', 'base-1')).map((i) => i.id)).toEqual(['ami-00000001']);
    expect((await ec2.findImagesByTag('eu-central-1', 'build-images:fingerprint', 'f2')).map((i) => i.id)).toEqual(['ami-00000002']);
    expect((await ec2.findImagesByTag('eu-central-1', 'build-images:image')).map((i) => i.id)).toEqual(['ami-00000001', 'ami-00000002']);
    expect(account.describeCalls.map((c) => c.input)).toEqual([
      { Owners: ['self'], Filters: [{ Name: 'name', Values: ['base-1'] }], MaxResults: 1000 },
      { Owners: ['self'], Filters: [{ Name: 'tag:build-images:fingerprint', Values: ['f2'] }], MaxResults: 1000 },
      { Owners: ['self'], Filters: [{ Name: 'tag-key', Values: ['build-images:image'] }], MaxResults: 1000 },
    ]);
  });

  it('follows NextToken through every page of DescribeImages', async () => {
    const account = fakeAccount(mock, { pageSize: 2 });
    const amis = Array.from({ length: 5 }, (_, i) => ({
      id: `ami-0000000${i}`,
      name: `base-${i}`,
      tags: { 'build-images:image': 'base' },
    }));
    account.add('us-east-1', ...amis);
    const found = await ec2Api().findImagesByTag('us-east-1', 'build-images:image', 'base');
    expect(found.map((i) => i.name)).toEqual(['base-0', 'base-1', 'base-2', 'base-3', 'base-4']);
    expect(account.describeCalls.map((c) => c.input.NextToken)).toEqual([undefined, '2', '4']);
  });

  it('waits until every AMI is available', async () => {
    const account = fakeAccount(mock);
    account.add('eu-west-1', { id: 'ami-00000001', name: 'a', state: 'pending' }, { id: 'ami-00000002', name: 'b', state: 'pending' });
    account.onDescribe((_, call) => {
      if (call === 2) account.ami('eu-west-1', 'ami-00000001')!.state = 'available';
      if (call === 3) account.ami('eu-west-1', 'ami-00000002')!.state = 'available';
    });
    const waited = await ec2Api().waitAvailable('eu-west-1', ['ami-00000001', 'ami-00000002'], { timeoutMs: 10_000, pollMs: 1 });
    expect(waited.ok && waited.images.map((i) => `${i.id} ${i.state}`)).toEqual(['ami-00000001 available', 'ami-00000002 available']);
    expect(account.describeCalls).toHaveLength(3);
  });

  it('stops waiting on a failed AMI, on timeout, and when interrupted', async () => {
    const account = fakeAccount(mock);
    account.add('eu-west-1', { id: 'ami-00000001', name: 'a', state: 'failed' }, { id: 'ami-00000002', name: 'b', state: 'pending' });
    const ec2 = ec2Api();
    const failed = await ec2.waitAvailable('eu-west-1', ['ami-00000001'], { timeoutMs: 1000, pollMs: 1 });
    expect(!failed.ok && failed.error.reason === 'failed' && failed.error.image.stateReason).toBe(
      'Server.InternalError: Internal error on snapshot copy',
    );
    const slow = await ec2.waitAvailable('eu-west-1', ['ami-00000002'], { timeoutMs: 30, pollMs: 10 });
    expect(!slow.ok && slow.error.reason).toBe('timeout');
    const gone = await ec2.waitAvailable('eu-west-1', ['ami-00000009'], { timeoutMs: 30, pollMs: 10 });
    expect(!gone.ok && gone.error).toEqual({ reason: 'missing', id: 'ami-00000009' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const stopped = await ec2.waitAvailable('eu-west-1', ['ami-00000002'], { timeoutMs: 60_000, pollMs: 5_000, signal: controller.signal });
    expect(!stopped.ok && stopped.error.reason).toBe('interrupted');
  });

  it('an ID that is not visible yet (right after CopyImage) is waited for, not failed', async () => {
    const account = fakeAccount(mock);
    account.onDescribe((_, call) => {
      if (call === 3) account.add('us-east-1', { id: 'ami-00000007', name: 'copy', state: 'available' });
    });
    const waited = await ec2Api().waitAvailable('us-east-1', ['ami-00000007'], { timeoutMs: 10_000, pollMs: 1 });
    expect(waited.ok).toBe(true);
  });

  it('deregisters and deletes the snapshots in one DeregisterImage call (finding 8: DeleteAssociatedSnapshots)', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', { id: 'ami-00000001', name: 'a', snapshots: ['snap-1', 'snap-2'] });
    await ec2Api().deregister('eu-central-1', { id: 'ami-00000001', snapshotIds: ['snap-1', 'snap-2'] });
    expect(account.deregistered).toEqual(['eu-central-1:ami-00000001']);
    expect(account.deletedSnapshots).toEqual(['eu-central-1:snap-1', 'eu-central-1:snap-2']);
    expect(mock.commandCalls(DeregisterImageCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: 'ami-00000001', DeleteAssociatedSnapshots: true },
    ]);
    expect(mock.commandCalls(DeleteSnapshotCommand)).toHaveLength(0);
  });

  it('says which snapshot EC2 kept, instead of losing track of it', async () => {
    const account = fakeAccount(mock);
    account.add('eu-central-1', { id: 'ami-00000001', name: 'a', snapshots: ['snap-1', 'snap-2'] });
    account.undeletableSnapshots.set('snap-2', 'missing-permissions');
    await expect(ec2Api().deregister('eu-central-1', { id: 'ami-00000001', snapshotIds: ['snap-1', 'snap-2'] })).rejects.toThrow(
      /ami-00000001 was deregistered, but EC2 did not delete its snapshot snap-2 \(missing-permissions\)/,
    );
  });

  it('requires IMDSv2 on a build instance and waits until EC2 says it is applied', async () => {
    const account = fakeAccount(mock);
    await ec2Api().requireImdsV2('eu-central-1', 'i-0123456789abcdef0', { pollMs: 1 });
    expect(account.imdsRequired).toEqual(['eu-central-1:i-0123456789abcdef0:required']);
    // ModifyInstanceMetadataOptions answers "pending": DescribeInstances is asked until MetadataOptions.State is "applied".
    expect(mock.commandCalls(DescribeInstancesCommand).length).toBeGreaterThanOrEqual(2);
  });

  it('retries while the instance is still being launched (finding 3: Packer 1.6.6 prints the ID before it runs)', async () => {
    const account = fakeAccount(mock);
    account.launching = ['InvalidInstanceID.NotFound', 'IncorrectInstanceState', 'IncorrectInstanceState'];
    await ec2Api().requireImdsV2('eu-central-1', 'i-0123456789abcdef0', { pollMs: 1 });
    expect(mock.commandCalls(ModifyInstanceMetadataOptionsCommand)).toHaveLength(4);
    expect(account.imdsRequired).toEqual(['eu-central-1:i-0123456789abcdef0:required']);
  });

  it('fails when the change is never applied, instead of returning with IMDSv1 still open', async () => {
    const account = fakeAccount(mock);
    account.imdsNeverApplied = true;
    await expect(ec2Api().requireImdsV2('eu-central-1', 'i-0123456789abcdef0', { pollMs: 1, timeoutMs: 50 })).rejects.toThrow(
      /gave up: metadata options still pending/,
    );
  });

  it('turns SDK errors into Ec2Error naming the call and region', async () => {
    mock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    const error = await ec2Api()
      .findImagesByName('ap-south-1', 'x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Ec2Error);
    expect((error as Ec2Error).message).toBe(
      'EC2 DescribeImages in ap-south-1 failed: UnauthorizedOperation: You are not authorized to perform this operation.',
    );
    expect((error as Ec2Error).code).toBe('UnauthorizedOperation');
  });

  it('says what to do when the SDK finds no credentials', async () => {
    mock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const error = (await ec2Api()
      .describeImage('eu-central-1', 'ami-00000001')
      .catch((e: unknown) => e)) as Ec2Error;
    expect(error.message).toMatch(
      /^EC2 DescribeImages in eu-central-1 failed: CredentialsProviderError: no AWS credentials found \(Could not load credentials from any providers\)\. Set them the usual way: AWS_PROFILE/,
    );
  });
});
