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
import { packerSshCheck } from './doctor.js';

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

describe('packerSshCheck (finding 4: which Packer builds cannot SSH into Ubuntu 22.04+)', () => {
  const v = (major: number, minor: number, patch: number) => ({ major, minor, patch });
  it("accepts Debian's 1.6.6 package", () => {
    expect(packerSshCheck(v(1, 6, 6), '1.6.6-1+b3').status).toBe('ok');
  });
  it("warns about HashiCorp's own builds before 1.7 (hashicorp/packer#12433), naming the fix", () => {
    const check = packerSshCheck(v(1, 6, 6), undefined);
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('hashicorp/packer#12433');
    expect(check.fix).toContain("Debian's packer package");
  });
  it('on Packer >= 1.7 points at the amazon plugin range the templates require (hashicorp/packer#11733)', () => {
    const check = packerSshCheck(v(1, 11, 2), undefined);
    expect(check.status).toBe('ok');
    expect(check.detail).toContain('>= 1.1.0, < 2.0.0');
  });
});
