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

const VALUES: AmiBuildValues = {
  target: TARGET,
  image: 'consul',
  fingerprint: '3f9a1c0d2b7e',
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
        "ami_regions": [
          "us-east-1",
        ],
        "associate_public_ip_address": null,
        "encrypt_boot": true,
        "env_file": "/work/project/.build-images/ami/env/consul.env",
        "fingerprint": "3f9a1c0d2b7e",
        "instance_type": "t3.micro",
        "kms_key_id": "",
        "region": "eu-central-1",
        "region_kms_key_ids": {},
        "run_tags": {
          "Name": "build-images: building consul",
          "build-images:image": "consul",
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
          "build-images:fingerprint": "3f9a1c0d2b7e",
          "build-images:image": "consul",
          "build-images:parent": "ami-0123456789abcdef0",
          "build-images:parent-name": "base-77aa00bb11cc",
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

  it('a root: the source AMI filter, no parent tags', () => {
    const vars = amiTemplateVariables({ ...VALUES, image: 'base', parent: undefined, gitCommit: undefined });
    expect(vars).toMatchObject({
      source_ami_filters: {
        name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*',
        'virtualization-type': 'hvm',
        'root-device-type': 'ebs',
      },
      source_ami_owners: ['099720109477'],
    });
    expect(vars).not.toHaveProperty('source_ami');
    expect(Object.keys(vars.tags)).toEqual(['Name', 'team', 'build-images:image', 'build-images:fingerprint', 'build-images:version']);
  });

  it('refuses values that would be a bug upstream', () => {
    expect(() => amiTemplateVariables({ ...VALUES, sshSourceCidrs: [] })).toThrow(/SSH source CIDRs/);
    expect(() => amiTemplateVariables({ ...VALUES, sshSourceCidrs: ['0.0.0.0'] })).toThrow(/SSH source CIDRs/);
    expect(() => amiTemplateVariables({ ...VALUES, gitCommit: 'main' })).toThrow(/not a git commit/);
    expect(() => amiTemplateVariables({ ...VALUES, parent: { amiId: 'ami-xyz', amiName: 'base-1' } })).toThrow(/not an AMI ID/);
  });
});

describe('amiName', () => {
  it('is <image>-<fingerprint>, within what EC2 accepts', () => {
    expect(amiName('base', '3f9a1c0d2b7e')).toBe('base-3f9a1c0d2b7e');
    expect(amiName('base', "v1 (2026-11-21) [x] a/b.c@d'e_f")).toBe("base-v1 (2026-11-21) [x] a/b.c@d'e_f");
    expect(() => amiName('base', '')).toThrow(/not a valid AMI name/);
    expect(() => amiName('base', '{{timestamp}}')).toThrow(/not a valid AMI name/);
    expect(() => amiName('base', 'x'.repeat(124))).toThrow(/not a valid AMI name/);
    expect(amiName('base', 'x'.repeat(123))).toHaveLength(128);
  });
});
