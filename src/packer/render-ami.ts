import { hclLabel, hclString } from './hcl.js';
import { GENERATED_HEADER } from './render-docker.js';
import { renderProvisionSteps, WORKDIR } from './provision-steps.js';
import { usesPlugins, type PackerVersion } from './version.js';

/** What one amazon-ebs template needs: structure only. Every user value arrives through the variables file. */
export interface AmiTemplateInput {
  readonly image: string;
  /**
   * Both start from `var.source_ami`: a root from the source AMI build-images resolved from source_ami_filter
   * before the run (the one in its fingerprint), a child from its parent's AMI built (or reused) in this run.
   * Only the variable's description differs.
   */
  readonly root: boolean;
  /** provisioners/<name>.sh, in run order. */
  readonly provisioners: readonly string[];
  /** Whether provisioners/lib/ exists and must be uploaded before the scripts run. */
  readonly uploadLib: boolean;
  readonly packer: PackerVersion;
}

/**
 * The amazon plugin versions a template accepts. Before 1.1.0 the plugin's SSH client signs with ssh-rsa (SHA-1)
 * only, which OpenSSH >= 8.8 refuses, so it cannot log in to Ubuntu 22.04 or later (hashicorp/packer#11733, fixed
 * by hashicorp/packer-plugin-amazon#218, an SDK bump); 2.x may change what the template means.
 */
export const AMAZON_PLUGIN_VERSION = '>= 1.1.0, < 2.0.0';

export const amiTemplatePath = (image: string): string => `packer/ami/${image}.pkr.hcl`;

/** The build's name in `-machine-readable` output (artifact lines), e.g. "amazon-ebs.base". */
export const amiBuildTarget = (image: string): string => `amazon-ebs.${hclLabel(image)}`;

/** Directory on the build instance for the uploaded environment and shared script library. */

/** Variables every AMI template declares. The runner writes exactly these keys (plus the root's or the child's); a test keeps them in step. */
export const AMI_TEMPLATE_VARIABLES = {
  region: { type: 'string', description: 'AWS region the build instance runs in and the AMI is made in.' },
  ami_regions: { type: 'list(string)', description: 'Regions the AMI is copied to after it is made.' },
  instance_type: { type: 'string', description: 'EC2 instance type of the build instance.' },
  ssh_username: { type: 'string', description: 'User Packer connects as over SSH (needs passwordless sudo).' },
  ami_name: { type: 'string', description: 'Name of the AMI in every region: image, fingerprint prefix and UTC build time, new for every build.' },
  subnet_id: { type: 'string', description: 'Subnet of the build instance; empty to use subnet_filters or the default VPC.' },
  subnet_filters: { type: 'map(string)', description: 'EC2 filters choosing the subnet with the most free addresses; empty for none.' },
  vpc_filters: { type: 'map(string)', description: 'EC2 filters choosing the VPC (narrows subnet_filters); empty for none.' },
  associate_public_ip_address: { type: 'bool', description: "Public IP for the build instance; null for the subnet's default." },
  encrypt_boot: { type: 'bool', description: 'Encrypt the AMI; null to keep the source AMI\'s encryption.' },
  kms_key_id: { type: 'string', description: 'KMS key for the AMI in the build region; empty for the default EBS key.' },
  region_kms_key_ids: { type: 'map(string)', description: 'KMS key for each region in ami_regions; empty for the default keys.' },
  temporary_security_group_source_cidrs: { type: 'list(string)', description: 'Addresses allowed to reach the build instance over SSH: the builder\'s own.' },
  tags: { type: 'map(string)', description: 'Tags on the AMI and its snapshots in every region.' },
  run_tags: { type: 'map(string)', description: 'Tags on the build instance and its volumes.' },
  env_file: { type: 'string', description: 'Shell file with the provisioner environment, written by build-images per build.' },
} as const;

/** Roots declare source_ami with this description. */
export const AMI_ROOT_TEMPLATE_VARIABLES = {
  source_ami: {
    type: 'string',
    description: 'The source AMI: the newest match of targets.ami.source_ami_filter, resolved by build-images before the run (it is in the fingerprint).',
  },
} as const;

/** Children declare source_ami with this description. */
export const AMI_CHILD_TEMPLATE_VARIABLES = {
  source_ami: { type: 'string', description: "The parent image's AMI ID in the build region, from this run." },
} as const;

/** The variables file of one AMI build, root or child alike. */
export interface AmiTemplateVariables {
  readonly region: string;
  readonly ami_regions: readonly string[];
  readonly instance_type: string;
  readonly ssh_username: string;
  readonly ami_name: string;
  readonly subnet_id: string;
  readonly subnet_filters: Readonly<Record<string, string>>;
  readonly vpc_filters: Readonly<Record<string, string>>;
  readonly associate_public_ip_address: boolean | null;
  readonly encrypt_boot: boolean | null;
  readonly kms_key_id: string;
  readonly region_kms_key_ids: Readonly<Record<string, string>>;
  readonly temporary_security_group_source_cidrs: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly run_tags: Readonly<Record<string, string>>;
  readonly env_file: string;
  readonly source_ami: string;
}

/** The variable names a template declares, in declaration order. */
export function amiTemplateVariableNames(root: boolean): string[] {
  return [...Object.keys(AMI_TEMPLATE_VARIABLES), ...Object.keys(root ? AMI_ROOT_TEMPLATE_VARIABLES : AMI_CHILD_TEMPLATE_VARIABLES)];
}

/**
 * Commands on the build instance. Provisioner scripts run as root: `sudo env {{.Vars}}` keeps Packer's own
 * variables (their quoting is done by the shell before sudo runs), and the environment is sourced from the
 * uploaded file, not passed as environment_vars, whose values Packer would run through its Go template engine.
 */
const EXECUTE_AS_ROOT = `chmod +x {{.Path}}; sudo env {{.Vars}} sh -c 'set -a; . ${WORKDIR}/env.sh; set +a; exec "$0"' {{.Path}}`;
/** Canonical's AMIs run apt from cloud-init at first boot; provisioners that use apt must not race it. */
const WAIT_FOR_CLOUD_INIT = 'if command -v cloud-init >/dev/null 2>&1; then cloud-init status --wait >/dev/null || true; fi';

export function renderAmiTemplate(input: AmiTemplateInput): string {
  const name = hclLabel(input.image);
  const plugins = usesPlugins(input.packer);
  const lines: string[] = [GENERATED_HEADER, ''];

  lines.push('packer {');
  if (plugins) {
    lines.push('  required_version = ">= 1.7.0"');
    lines.push('  required_plugins {');
    lines.push('    amazon = {');
    lines.push(`      version = ${hclString(AMAZON_PLUGIN_VERSION)}`);
    lines.push('      source  = "github.com/hashicorp/amazon"');
    lines.push('    }');
    lines.push('  }');
  } else {
    lines.push('  required_version = ">= 1.6.0"');
  }
  lines.push('}', '');

  const variables = { ...AMI_TEMPLATE_VARIABLES, ...(input.root ? AMI_ROOT_TEMPLATE_VARIABLES : AMI_CHILD_TEMPLATE_VARIABLES) };
  for (const [key, v] of Object.entries(variables)) {
    lines.push(`variable ${hclString(key)} {`);
    lines.push(`  type        = ${v.type}`);
    lines.push(`  description = ${hclString(v.description)}`);
    lines.push('}', '');
  }

  lines.push(`source "amazon-ebs" ${hclString(name)} {`);
  lines.push('  region          = var.region');
  lines.push('  ami_regions     = var.ami_regions');
  lines.push('  instance_type   = var.instance_type');
  lines.push('  ami_name        = var.ami_name');
  lines.push(`  ami_description = ${hclString(`build-images image ${name}`)}`);
  // Never source_ami_filter, even for a root: Packer would pick the newest AMI itself, maybe not the one in the fingerprint.
  lines.push('  source_ami      = var.source_ami');
  lines.push('');
  lines.push('  subnet_id = var.subnet_id');
  lines.push('  subnet_filter {');
  lines.push('    filters   = var.subnet_filters');
  lines.push('    most_free = true');
  lines.push('  }');
  lines.push('  vpc_filter {');
  lines.push('    filters = var.vpc_filters');
  lines.push('  }');
  lines.push('  associate_public_ip_address           = var.associate_public_ip_address');
  lines.push('  temporary_security_group_source_cidrs = var.temporary_security_group_source_cidrs');
  if (plugins) {
    lines.push('  metadata_options {');
    lines.push('    http_endpoint               = "enabled"');
    lines.push('    http_tokens                 = "required"');
    lines.push('    http_put_response_hop_limit = 1');
    lines.push('  }');
  } else {
    lines.push('  # Packer 1.6 has no metadata_options (IMDSv2 only): that block needs Packer >= 1.7.');
  }
  lines.push('');
  lines.push('  encrypt_boot       = var.encrypt_boot');
  lines.push('  kms_key_id         = var.kms_key_id');
  lines.push('  region_kms_key_ids = var.region_kms_key_ids');
  lines.push('');
  lines.push('  tags            = var.tags');
  lines.push('  snapshot_tags   = var.tags');
  lines.push('  run_tags        = var.run_tags');
  lines.push('  run_volume_tags = var.run_tags');
  lines.push('');
  lines.push('  communicator              = "ssh"');
  lines.push('  ssh_username              = var.ssh_username');
  lines.push('  ssh_clear_authorized_keys = true');
  lines.push('}', '');

  lines.push('build {');
  lines.push(`  sources = [${hclString(`source.amazon-ebs.${name}`)}]`, '');
  lines.push(...amiProvisionerBlocks(input));
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * The provisioner blocks of an AMI build, exactly as its template has them: `build-images rehearse` runs these
 * same lines over SSH on a local systemd host (src/targets/ami/rehearse/), so what it proves holds for the AMI.
 * Nothing of the build environment may stay in the AMI: the last block removes it.
 */
export function amiProvisionerBlocks(input: Pick<AmiTemplateInput, 'provisioners' | 'uploadLib'>): string[] {
  return renderProvisionSteps({
    prepare: [WAIT_FOR_CLOUD_INIT, ...makeWorkdir(input.uploadLib)],
    uploadLib: input.uploadLib,
    provisioners: input.provisioners,
    executeCommand: EXECUTE_AS_ROOT,
    cleanup: `sudo rm -rf ${WORKDIR}`,
  }).slice(0, -1);
}

/**
 * The upload of provisioners/lib/ (a source with a trailing slash) needs its destination folder to exist
 * already: over SSH Packer runs `scp -rvt <destination>` and sends only the folder's entries
 * (hashicorp/packer-plugin-sdk sdk-internals/communicator/ssh/communicator.go, scpUploadDirSession), so a
 * missing `lib` becomes a plain file holding the last entry, and every `. "$lib/common.sh"` fails. Packer's
 * file provisioner docs say so too ("any parent directories must already exist",
 * developer.hashicorp.com/packer/docs/v1.6.x/provisioners/file). Docker hid it: `docker cp` makes the folder.
 */
function makeWorkdir(uploadLib: boolean): string[] {
  return [`mkdir -m 700 -p ${WORKDIR}`, ...(uploadLib ? [`mkdir -m 700 -p ${WORKDIR}/lib`] : [])];
}
