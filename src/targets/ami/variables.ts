import type { BuildableAmiTarget } from '../../config/types.js';
import { AMI_ID } from '../../terraform/tfvars.js';
import type { AmiCommonTemplateVariables, AmiTemplateVariables } from '../../packer/render-ami.js';
import { amiTags, buildInstanceTags } from './tags.js';

/** Characters EC2 accepts in an AMI name (CreateImage), and its length limits. */
const AMI_NAME = /^[A-Za-z0-9()[\]. /'@_-]{3,128}$/;
const GIT_COMMIT = /^[0-9a-f]{7,64}$/;
const CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/;

/** `<image>-<fingerprint>`: unique per content, the same in every region. Throws on a fingerprint EC2 would refuse. */
export function amiName(image: string, fingerprint: string): string {
  const name = `${image}-${fingerprint}`;
  if (fingerprint === '' || !AMI_NAME.test(name)) {
    throw new Error(`bug: ${JSON.stringify(name)} is not a valid AMI name (3-128 of letters, digits, ()[] ./'@_-)`);
  }
  return name;
}

export interface AmiBuildValues {
  readonly target: BuildableAmiTarget;
  readonly image: string;
  /** The content part of the AMI name, from the engine's fingerprint of the image. */
  readonly fingerprint: string;
  /** The parent's AMI in the build region, built or reused in this run; undefined for a root image. */
  readonly parent: { readonly amiId: string; readonly amiName: string } | undefined;
  readonly toolVersion: string;
  readonly gitCommit: string | undefined;
  readonly gitDirty?: boolean | undefined;
  readonly base?: { readonly name: string; readonly id: string } | undefined;
  /** Who may SSH to the build instance: the builder's own public address as "a.b.c.d/32". */
  readonly sshSourceCidrs: readonly string[];
  /** Absolute path of this build's provisioner environment file. */
  readonly envFile: string;
}

/** The JSON variables file of one AMI build: every value the template declares, nothing else. Pure. */
export function amiTemplateVariables(v: AmiBuildValues): AmiTemplateVariables {
  const { target } = v;
  const name = amiName(v.image, v.fingerprint);
  if (v.gitCommit !== undefined && !GIT_COMMIT.test(v.gitCommit)) throw new Error(`bug: not a git commit: ${JSON.stringify(v.gitCommit)}`);
  if (v.parent !== undefined && !AMI_ID.test(v.parent.amiId)) throw new Error(`bug: not an AMI ID: ${JSON.stringify(v.parent.amiId)}`);
  const bad = v.sshSourceCidrs.filter((c) => !CIDR.test(c));
  // An empty list would make Packer open SSH to 0.0.0.0/0 (its default), which is what this setting exists to prevent.
  if (v.sshSourceCidrs.length === 0 || bad.length > 0)
    throw new Error(`bug: SSH source CIDRs must be IPv4 CIDRs, got ${JSON.stringify(v.sshSourceCidrs)}`);
  const common: AmiCommonTemplateVariables = {
    region: target.region,
    ami_regions: [...target.copyTo],
    instance_type: target.instanceType,
    ssh_username: target.sshUsername,
    fingerprint: v.fingerprint,
    subnet_id: target.subnetId ?? '',
    subnet_filters: tagFilters(target.subnetTags),
    vpc_filters: tagFilters(target.vpcTags),
    associate_public_ip_address: target.associatePublicIpAddress ?? null,
    encrypt_boot: target.encryptBoot ?? null,
    kms_key_id: target.kmsKeyId ?? '',
    region_kms_key_ids: { ...target.regionKmsKeyIds },
    temporary_security_group_source_cidrs: [...v.sshSourceCidrs],
    tags: amiTags({
      image: v.image,
      amiName: name,
      fingerprint: v.fingerprint,
      parent: v.parent,
      toolVersion: v.toolVersion,
      gitCommit: v.gitCommit,
      gitDirty: v.gitDirty,
      base: v.base,
      userTags: target.tags,
    }),
    run_tags: buildInstanceTags({ image: v.image, toolVersion: v.toolVersion, userTags: target.tags }),
    env_file: v.envFile,
  };
  if (v.parent !== undefined) return { ...common, source_ami: v.parent.amiId };
  const filter = target.sourceAmiFilter;
  return {
    ...common,
    source_ami_filters: { name: filter.name, 'virtualization-type': filter.virtualizationType, 'root-device-type': filter.rootDeviceType },
    source_ami_owners: [...filter.owners],
  };
}

/** `{Tier: "private"}` → the EC2 filter `{"tag:Tier": "private"}`. */
const tagFilters = (tags: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`tag:${k}`, v]));
