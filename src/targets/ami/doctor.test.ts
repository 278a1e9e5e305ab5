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
import { amiProjectCheck, packerSshCheck } from './doctor.js';

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

describe('project identity (AMIs: it scopes reuse and prune)', () => {
  const path = { id: '0123456789ab', from: 'path', source: 'a hash of the path /src/images' } as const;
  it('named: what AMIs are tagged with', () => {
    const check = amiProjectCheck({ id: 'acme/images', from: 'config', source: 'project: in images.yaml:2' }, {});
    expect([check.status, check.detail]).toEqual([
      'ok',
      'acme/images (from project: in images.yaml:2): AMIs are tagged build-images:project with it; reuse and prune keep to it',
    ]);
  });
  it('from the path: a warning under CI, where each checkout directory would rebuild every AMI', () => {
    const ci = amiProjectCheck(path, { CI: 'true' });
    expect([ci.status, ci.detail, ci.fix]).toEqual([
      'warn',
      '0123456789ab is a hash of the path /src/images: under CI each checkout directory is another project, which reuses and prunes none of the AMIs the others built',
      'set `project: <name>` in images.yaml so every checkout shares one identity',
    ]);
    expect(amiProjectCheck(path, { CI: 'false' }).status).toBe('ok');
  });
});
