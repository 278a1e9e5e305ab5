import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { doctorAws } from './doctor.js';

const mock = mockClient(EC2Client);
afterAll(() => mock.restore());
const answer = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('doctorAws (real EC2Client, mocked answers)', () => {
  it('sends each call with DryRun and reads the answer', async () => {
    mock
      .on(DescribeImagesCommand, { DryRun: true })
      .rejects(answer('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'));
    mock
      .on(DescribeSubnetsCommand, { DryRun: true })
      .rejects(answer('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'));
    mock
      .on(CreateKeyPairCommand, { DryRun: true })
      .rejects(answer('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    mock.on(CreateSecurityGroupCommand, { DryRun: true }).rejects(answer('InvalidParameterValue', 'bad'));
    const aws = await doctorAws();
    expect(await aws.dryRun('eu-central-1', 'DescribeImages')).toBe('allowed');
    expect(await aws.dryRun('eu-central-1', 'DescribeSubnets')).toBe('allowed');
    expect(await aws.dryRun('eu-central-1', 'CreateKeyPair')).toBe('denied');
    expect(await aws.dryRun('eu-central-1', 'CreateSecurityGroup')).toEqual({ error: 'bad' });
  });
});
