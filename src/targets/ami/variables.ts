import type { BuildableAmiTarget } from '../../config/types.js';
import { AMI_ID } from '../../terraform/tfvars.js';
import type { AmiTemplateVariables } from '../../packer/render-ami.js';
import { amiTags, buildInstanceTags } from './tags.js';

/**
 * What EC2 accepts as an AMI name: "3-128 alphanumeric characters, parentheses (()), square brackets ([]), spaces
 * ( ), periods (.), slashes (/), dashes (-), single quotes ('), at-signs (@), or underscores(_)" (CreateImage and
 * CopyImage `Name`, EC2 API reference; e.g. docs.aws.amazon.com/sdkfornet/v3/apidocs/items/EC2/MCreateImageRequestctorStringString.html).
 */
const AMI_NAME = /^[A-Za-z0-9()[\]. /'@_-]{3,128}$/;
const GIT_COMMIT = /^[0-9a-f]{7,64}$/;
const CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/;
/** Hex digits of the fingerprint in the name: 96 bits tell contents apart; the full one is the AMI's fingerprint tag. */
const NAME_FINGERPRINT_DIGITS = 24;

/**
 * `<image>-<first 24 hex of the fingerprint>-<UTC YYYYMMDDhhmmss>`, e.g. `base-3f9a1c0d2b7e44a09b1c2d3e-20261130170412`:
 * a new name for every build, so a forced rebuild (or the child of a rebuilt parent), whose fingerprint is
 * unchanged, never collides with the AMI it replaces; EC2 names are unique per account and region. Reuse finds
 * AMIs by their fingerprint tag, never by name. At most 63 + 40 characters (image names are <= 63), all of them
 * letters, digits, `-` and `_`. Throws on anything EC2 would refuse (a bug: the engine's fingerprints are sha256 hex).
 */
export function amiName(image: string, fingerprint: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const name = `${image}-${fingerprint.slice(0, NAME_FINGERPRINT_DIGITS)}-${stamp}`;
  if (!new RegExp(`^[0-9a-f]{${NAME_FINGERPRINT_DIGITS},}$`).test(fingerprint) || !/^\d{14}$/.test(stamp) || !AMI_NAME.test(name)) {
    throw new Error(`bug: ${JSON.stringify(name)} is not a valid AMI name (3-128 of letters, digits, ()[] ./'@_-; a hex fingerprint)`);
  }
  return name;
}

export interface AmiBuildValues {
  readonly target: BuildableAmiTarget;
  readonly image: string;
  /** projectIdentity(config).id: the AMI's, its snapshots' and the build instance's project tag. */
  readonly project: string;
  /** The engine's fingerprint of the image: the AMI's fingerprint tag. */
  readonly fingerprint: string;
  /** This build's AMI name, from amiName(). */
  readonly amiName: string;
  /** The AMI the build instance boots from: the parent's, or for a root the source AMI preflight resolved. */
  readonly sourceAmi: string;
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
  const name = v.amiName;
  if (!AMI_NAME.test(name)) throw new Error(`bug: not an AMI name: ${JSON.stringify(name)}`);
  if (!AMI_ID.test(v.sourceAmi)) throw new Error(`bug: not an AMI ID: ${JSON.stringify(v.sourceAmi)}`);
  if (v.parent !== undefined && v.parent.amiId !== v.sourceAmi) throw new Error("bug: a child is built from its parent's AMI");
  if (v.gitCommit !== undefined && !GIT_COMMIT.test(v.gitCommit)) throw new Error(`bug: not a git commit: ${JSON.stringify(v.gitCommit)}`);
  const bad = v.sshSourceCidrs.filter((c) => !CIDR.test(c));
  // An empty list would make Packer open SSH to 0.0.0.0/0 (its default), which is what this setting exists to prevent.
  if (v.sshSourceCidrs.length === 0 || bad.length > 0)
    throw new Error(`bug: SSH source CIDRs must be IPv4 CIDRs, got ${JSON.stringify(v.sshSourceCidrs)}`);
  return {
    region: target.region,
    ami_regions: [...target.copyTo],
    instance_type: target.instanceType,
    ssh_username: target.sshUsername,
    ami_name: name,
    source_ami: v.sourceAmi,
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
      project: v.project,
      amiName: name,
      fingerprint: v.fingerprint,
      parent: v.parent,
      toolVersion: v.toolVersion,
      gitCommit: v.gitCommit,
      gitDirty: v.gitDirty,
      base: v.base,
      userTags: target.tags,
    }),
    run_tags: buildInstanceTags({ image: v.image, project: v.project, toolVersion: v.toolVersion, userTags: target.tags }),
    env_file: v.envFile,
  };
}

/** `{Tier: "private"}` → the EC2 filter `{"tag:Tier": "private"}`. */
const tagFilters = (tags: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`tag:${k}`, v]));
