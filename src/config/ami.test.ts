/** targets.ami: defaults, the checks --target ami adds, and what users see when it is wrong. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatDiagnostics } from './format.js';
import { amiTarget, DEFAULT_SOURCE_AMI_FILTER } from './normalise.js';
import { codes, loaded, problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

const IMAGES = `images:
  base: { provisioners: [base] }
`;

/** What `amiTarget` reports, as the user sees it. */
async function targetProblems(yaml: string): Promise<string> {
  const { dir, config } = await loaded({ 'images.yaml': yaml });
  const target = amiTarget(config);
  if (target.ok) throw new Error('expected amiTarget to fail');
  return formatDiagnostics(target.error, (file) => readFileSync(path.join(dir, file), 'utf8'));
}

describe('targets.ami', () => {
  test('defaults: Canonical Ubuntu 22.04, t3.micro, ubuntu, 4 at once, keep 3', async () => {
    const { config } = await loaded({ 'images.yaml': `version: 1\ntargets:\n  ami: { region: eu-central-1 }\n${IMAGES}` });
    expect(config.targets.ami).toEqual({
      region: 'eu-central-1',
      copyTo: [],
      instanceType: 't3.micro',
      sshUsername: 'ubuntu',
      sourceAmiFilter: {
        name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*',
        owners: ['099720109477'],
        virtualizationType: 'hvm',
        rootDeviceType: 'ebs',
      },
      subnetId: undefined,
      subnetTags: {},
      vpcTags: {},
      associatePublicIpAddress: undefined,
      encryptBoot: undefined,
      kmsKeyId: undefined,
      regionKmsKeyIds: {},
      tags: {},
      concurrency: 4,
      keep: 3,
      location: { file: 'images.yaml', line: 3, column: 3, length: 3 },
    });
    expect(config.targets.ami?.sourceAmiFilter).toBe(DEFAULT_SOURCE_AMI_FILTER);
  });

  test('every setting', async () => {
    const yaml = `version: 1
targets:
  ami:
    region: eu-central-1
    copy_to: [us-east-1, eu-west-1]
    instance_type: m7i-flex.large
    ssh_username: admin
    source_ami_filter: { name: "debian-12-amd64-*", owners: ["136693071363"] }
    vpc_filter: { tags: { Name: build } }
    subnet_filter: { tags: { Tier: private } }
    associate_public_ip_address: false
    encrypt_boot: true
    kms_key_id: alias/images
    region_kms_key_ids: { us-east-1: alias/images, eu-west-1: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
    tags: { team: observability, Name: "it's {not} a template" }
    concurrency: 8
    keep: 5
${IMAGES}`;
    const { config } = await loaded({ 'images.yaml': yaml });
    const { location: _location, ...ami } = config.targets.ami ?? {};
    expect(ami).toEqual({
      region: 'eu-central-1',
      copyTo: ['us-east-1', 'eu-west-1'],
      instanceType: 'm7i-flex.large',
      sshUsername: 'admin',
      sourceAmiFilter: { name: 'debian-12-amd64-*', owners: ['136693071363'], virtualizationType: 'hvm', rootDeviceType: 'ebs' },
      subnetId: undefined,
      subnetTags: { Tier: 'private' },
      vpcTags: { Name: 'build' },
      associatePublicIpAddress: false,
      encryptBoot: true,
      kmsKeyId: 'alias/images',
      regionKmsKeyIds: {
        'us-east-1': 'alias/images',
        'eu-west-1': 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      tags: { team: 'observability', Name: "it's {not} a template" },
      concurrency: 8,
      keep: 5,
    });
  });

  test('overlays: a CI file adds the region to a shared config', async () => {
    const { config } = await loaded(
      {
        'images.yaml': `version: 1\ntargets:\n  ami: { copy_to: [us-east-1] }\n${IMAGES}`,
        'ci.yaml': 'targets:\n  ami: { region: eu-central-1 }\n',
      },
      ['images.yaml', 'ci.yaml'],
    );
    const target = amiTarget(config);
    expect(target.ok && [target.value.region, target.value.copyTo]).toEqual(['eu-central-1', ['us-east-1']]);
  });

  test('a Docker-only config loads; --target ami then asks for the region', async () => {
    const { config } = await loaded({ 'images.yaml': `version: 1\n${IMAGES}` });
    expect(config.targets.ami).toBeUndefined();
    expect(await targetProblems(`version: 1\n${IMAGES}`)).toMatchInlineSnapshot(`
      "images.yaml:1:1: error: missing "targets.ami": --target ami needs at least the AWS region to build in
        hint: add it to the config, e.g.
              targets:
                ami:
                  region: eu-central-1"
    `);
  });

  test('--target ami without a region points at targets.ami', async () => {
    expect(await targetProblems(`version: 1\ntargets:\n  ami:\n    copy_to: [us-east-1]\n${IMAGES}`)).toMatchInlineSnapshot(`
      "images.yaml:3:3: error: missing "region" in "targets.ami": --target ami needs the AWS region to build in
          3 |   ami:
            |   ^^^
        hint: for example:
              targets:
                ami:
                  region: eu-central-1"
    `);
  });

  test('schema: wrong values in words', async () => {
    const yaml = `version: 1
targets:
  ami:
    region: Frankfurt
    copy_to: [us-east-1, us-east-1]
    instance_type: large
    source_ami_filter: { name: "ubuntu/*", owners: [] , virtualization_type: pv }
    subnet_id: 42
    encrypt_boot: "yes"
    keep: 0
${IMAGES}`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:4:13: error: "targets.ami.region" must be an AWS region like "eu-central-1", got "Frankfurt"
          4 |     region: Frankfurt
            |             ^^^^^^^^^

      images.yaml:5:14: error: "targets.ami.copy_to" must be a list of distinct AWS regions, got ["us-east-1","us-east-1"]
          5 |     copy_to: [us-east-1, us-east-1]
            |              ^^^^^^^^^^^^^^^^^^^^^^

      images.yaml:6:20: error: "targets.ami.instance_type" must be an EC2 instance type like "t3.micro", got "large"
          6 |     instance_type: large
            |                    ^^^^^

      images.yaml:7:52: error: "targets.ami.source_ami_filter.owners" is empty: it must be a list of AWS account IDs with at least one item
          7 |     source_ami_filter: { name: "ubuntu/*", owners: [] , virtualization_type: pv }
            |                                                    ^^

      images.yaml:7:78: error: "targets.ami.source_ami_filter.virtualization_type" must be "hvm" or "paravirtual", got "pv"
          7 |     source_ami_filter: { name: "ubuntu/*", owners: [] , virtualization_type: pv }
            |                                                                              ^^

      images.yaml:8:16: error: "targets.ami.subnet_id" must be a subnet ID like "subnet-0123456789abcdef0", got a whole number
          8 |     subnet_id: 42
            |                ^^

      images.yaml:9:19: error: "targets.ami.encrypt_boot" must be true or false, got a string
          9 |     encrypt_boot: "yes"
            |                   ^^^^^

      images.yaml:10:11: error: "targets.ami.keep" must be a whole number of at least 1, got 0
         10 |     keep: 0
            |           ^"
    `);
  });

  test('a VPC filter alone would put the security group and the instance in different VPCs', async () => {
    const yaml = (network: string) => `version: 1\ntargets:\n  ami:\n    ${network}\n${IMAGES}`;
    expect(await codes({ 'images.yaml': yaml('vpc_filter: { tags: { Name: build } }') })).toEqual(['ami-vpc-filter-alone']);
    await loaded({ 'images.yaml': yaml('{ vpc_filter: { tags: { Name: build } }, subnet_filter: { tags: { Tier: private } } }') });
  });

  test('tag values longer than AWS allows', async () => {
    const yaml = `version: 1\ntargets:\n  ami:\n    tags: { long: "${'x'.repeat(257)}", ok: "${'x'.repeat(256)}" }\n${IMAGES}`;
    expect(await codes({ 'images.yaml': yaml })).toEqual(['invalid-value']);
  });

  test('a source_ami_filter needs a name and owners', async () => {
    const yaml = `version: 1\ntargets:\n  ami:\n    source_ami_filter: { virtualization_type: hvm }\n${IMAGES}`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:4:5: error: missing "name" in "targets.ami.source_ami_filter"
          4 |     source_ami_filter: { virtualization_type: hvm }
            |     ^^^^^^^^^^^^^^^^^
        hint: give the AMI name to match, e.g. name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"

      images.yaml:4:5: error: missing "owners" in "targets.ami.source_ami_filter"
          4 |     source_ami_filter: { virtualization_type: hvm }
            |     ^^^^^^^^^^^^^^^^^
        hint: list the AWS accounts whose AMIs may be used, e.g. owners: ["099720109477"] (Canonical)"
    `);
  });

  test('rules: regions, keys, network and tags must agree', async () => {
    const yaml = `version: 1
targets:
  ami:
    region: eu-central-1
    copy_to: [eu-central-1, us-east-1, eu-west-1]
    subnet_id: subnet-0abc
    vpc_filter: { tags: { Name: build } }
    kms_key_id: alias/images
    region_kms_key_ids: { us-east-1: alias/a, eu-central-1: alias/b, ap-south-1: alias/c }
    tags:
      aws:cloudformation: x
      build-images:image: y
      "{{ .BuildRegion }}": z
      owner: "{{ user \`me\` }}"
${IMAGES}`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:5:15: error: "targets.ami.copy_to" lists the build region "eu-central-1"
          5 |     copy_to: [eu-central-1, us-east-1, eu-west-1]
            |               ^^^^^^^^^^^^
        hint: AMIs are made in "region" already; copy_to names the other regions to copy them to

      images.yaml:5:40: error: copy_to region "eu-west-1" has no key in "targets.ami.region_kms_key_ids"
          5 |     copy_to: [eu-central-1, us-east-1, eu-west-1]
            |                                        ^^^^^^^^^
        hint: with region_kms_key_ids, every copy_to region needs its KMS key (Packer requires this)

      images.yaml:7:5: error: "targets.ami.vpc_filter" cannot be used together with "subnet_id"
          7 |     vpc_filter: { tags: { Name: build } }
            |     ^^^^^^^^^^
        hint: subnet_id already decides where the build instances run: keep one of them

      images.yaml:8:5: error: "targets.ami.kms_key_id" needs "encrypt_boot: true"
          8 |     kms_key_id: alias/images
            |     ^^^^^^^^^^
        hint: add "encrypt_boot: true" to targets.ami

      images.yaml:9:47: error: "targets.ami.region_kms_key_ids" has a key for the build region "eu-central-1"
          9 |     region_kms_key_ids: { us-east-1: alias/a, eu-central-1: alias/b, ap-south-1: alias/c }
            |                                               ^^^^^^^^^^^^
        hint: the AMI in the build region is encrypted with kms_key_id; set that instead

      images.yaml:9:70: error: "targets.ami.region_kms_key_ids" has a key for "ap-south-1", which is not in copy_to
          9 |     region_kms_key_ids: { us-east-1: alias/a, eu-central-1: alias/b, ap-south-1: alias/c }
            |                                                                      ^^^^^^^^^^
        hint: add "ap-south-1" to copy_to, or remove its key

      images.yaml:11:7: error: tag "aws:cloudformation" in "targets.ami.tags" is reserved
         11 |       aws:cloudformation: x
            |       ^^^^^^^^^^^^^^^^^^
        hint: AWS does not allow tag keys starting with "aws:"

      images.yaml:12:7: error: tag "build-images:image" in "targets.ami.tags" is reserved
         12 |       build-images:image: y
            |       ^^^^^^^^^^^^^^^^^^
        hint: build-images writes the "build-images:*" tags itself and finds its AMIs by them

      images.yaml:13:7: error: tag key "{{ .BuildRegion }}" in "targets.ami.tags" contains "{{", which Packer would read as a template expression
         13 |       "{{ .BuildRegion }}": z
            |       ^^^^^^^^^^^^^^^^^^^^
        hint: write the text without "{{"

      images.yaml:14:14: error: the value of tag "owner" in "targets.ami.tags" contains "{{", which Packer would read as a template expression
         14 |       owner: "{{ user \`me\` }}"
            |              ^^^^^^^^^^^^^^^^^
        hint: write the text without "{{""
    `);
  });
});
