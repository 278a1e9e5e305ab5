import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_AMI_FILTER } from '../../config/normalise.js';
import type { BuildableAmiTarget } from '../../config/types.js';
import { amiName, amiTemplateVariables, type AmiBuildValues } from './variables.js';

const TARGET: BuildableAmiTarget = {
  region: 'eu-central-1',
  copyTo: ['us-east-1'],
  instanceType: 't3.micro',
  sshUsername: 'ubuntu',
  sourceAmiFilter: DEFAULT_SOURCE_AMI_FILTER,
  subnetId: undefined,
  subnetTags: { Tier: 'private' },
  vpcTags: {},
  associatePublicIpAddress: undefined,
  encryptBoot: true,
  kmsKeyId: undefined,
  regionKmsKeyIds: {},
  tags: { team: 'observability', Name: 'cortex image' },
  concurrency: 4,
  keep: 3,
  location: undefined,
};

const FINGERPRINT = '3f9a1c0d2b7e44a09b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6';
const VALUES: AmiBuildValues = {
  target: TARGET,
  image: 'consul',
  project: 'acme/cortex-images',
  fingerprint: FINGERPRINT,
  amiName: 'consul-3f9a1c0d2b7e44a09b1c2d3e-20261130170412',
  sourceAmi: 'ami-0123456789abcdef0',
  parent: { amiId: 'ami-0123456789abcdef0', amiName: 'base-77aa00bb11cc' },
  toolVersion: '0.1.0',
  gitCommit: '0123456789abcdef0123456789abcdef01234567',
  sshSourceCidrs: ['203.0.113.7/32'],
  envFile: '/work/project/.build-images/ami/env/consul.env',
};

describe('amiTemplateVariables', () => {
  it('a child: its parent AMI, tags for the AMI and for the build instance', () => {
    expect(amiTemplateVariables(VALUES)).toMatchInlineSnapshot(`
      {
        "ami_name": "consul-3f9a1c0d2b7e44a09b1c2d3e-20261130170412",
        "ami_regions": [
          "us-east-1",
        ],
        "associate_public_ip_address": null,
        "encrypt_boot": true,
        "env_file": "/work/project/.build-images/ami/env/consul.env",
        "instance_type": "t3.micro",
        "kms_key_id": "",
        "region": "eu-central-1",
        "region_kms_key_ids": {},
        "run_tags": {
          "Name": "build-images: building consul",
          "build-images:image": "consul",
          "build-images:project": "acme/cortex-images",
          "build-images:version": "0.1.0",
          "team": "observability",
        },
        "source_ami": "ami-0123456789abcdef0",
        "ssh_username": "ubuntu",
        "subnet_filters": {
          "tag:Tier": "private",
        },
        "subnet_id": "",
        "tags": {
          "Name": "cortex image",
          "build-images:commit": "0123456789abcdef0123456789abcdef01234567",
          "build-images:fingerprint": "3f9a1c0d2b7e44a09b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6",
          "build-images:image": "consul",
          "build-images:parent": "ami-0123456789abcdef0",
          "build-images:parent-name": "base-77aa00bb11cc",
          "build-images:project": "acme/cortex-images",
          "build-images:version": "0.1.0",
          "team": "observability",
        },
        "temporary_security_group_source_cidrs": [
          "203.0.113.7/32",
        ],
        "vpc_filters": {},
      }
    `);
  });

  it('a root: the source AMI preflight resolved (never a filter for Packer to resolve again), no parent tags', () => {
    const vars = amiTemplateVariables({
      ...VALUES,
      image: 'base',
      sourceAmi: 'ami-0fedcba9876543210',
      parent: undefined,
      gitCommit: undefined,
    });
    expect(vars.source_ami).toBe('ami-0fedcba9876543210');
    expect(vars).not.toHaveProperty('source_ami_filters');
    expect(vars).not.toHaveProperty('source_ami_owners');
    expect(Object.keys(vars.tags)).toEqual([
      'Name',
      'team',
      'build-images:image',
      'build-images:project',
      'build-images:fingerprint',
      'build-images:version',
    ]);
  });

  it('refuses values that would be a bug upstream', () => {
    expect(() => amiTemplateVariables({ ...VALUES, sshSourceCidrs: [] })).toThrow(/SSH source CIDRs/);
    expect(() => amiTemplateVariables({ ...VALUES, sshSourceCidrs: ['0.0.0.0'] })).toThrow(/SSH source CIDRs/);
    expect(() => amiTemplateVariables({ ...VALUES, gitCommit: 'main' })).toThrow(/not a git commit/);
    expect(() => amiTemplateVariables({ ...VALUES, parent: undefined, sourceAmi: 'ami-xyz' })).toThrow(/not an AMI ID/);
    expect(() => amiTemplateVariables({ ...VALUES, parent: { amiId: 'ami-0fedcba9876543210', amiName: 'base-1' } })).toThrow(
      /parent's AMI/,
    );
    expect(() => amiTemplateVariables({ ...VALUES, amiName: 'base-{{timestamp}}' })).toThrow(/not an AMI name/);
  });
});

describe('amiName', () => {
  const AT = new Date('2026-11-30T17:04:12.345Z');
  it('is <image>-<first 24 hex of the fingerprint>-<UTC YYYYMMDDhhmmss>: a new name for every build of the same content', () => {
    expect(amiName('base', FINGERPRINT, AT)).toBe('base-3f9a1c0d2b7e44a09b1c2d3e-20261130170412');
    // A forced rebuild a second later: same fingerprint, another name, so the old AMI's name is no obstacle (finding 2).
    expect(amiName('base', FINGERPRINT, new Date(AT.getTime() + 1000))).toBe('base-3f9a1c0d2b7e44a09b1c2d3e-20261130170413');
  });

  it('stays within what EC2 accepts for the longest image name (63 characters): letters, digits, - and _ only', () => {
    const longest = `${'a'.repeat(61)}-b`;
    expect(longest).toHaveLength(63);
    const name = amiName(longest, FINGERPRINT, AT);
    expect(name.length).toBeLessThanOrEqual(128);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("refuses a fingerprint that is not the engine's hex (a bug)", () => {
    expect(() => amiName('base', '', AT)).toThrow(/not a valid AMI name/);
    expect(() => amiName('base', 'f1', AT)).toThrow(/not a valid AMI name/);
    expect(() => amiName('base', '{{timestamp}}'.padEnd(24, 'x'), AT)).toThrow(/not a valid AMI name/);
  });
});
