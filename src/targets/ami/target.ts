import type { Config, BuildableAmiTarget } from '../../config/types.js';
import { err, ok } from '../../result.js';
import { amiTemplatePath } from '../../packer/render-ami.js';
import { usesPlugins } from '../../packer/version.js';
import { AMI_TFVARS_PATH, renderAmiTfvars } from '../../terraform/tfvars.js';
import { TOOL_VERSION } from '../../version.js';
import type { Target } from '../target.js';
import { amiLogFile, buildAmiImage, type BuiltAmi } from './build-image.js';
import { builderCidr } from './builder-address.js';
import { amiRegions, findReusable } from './checks.js';
import type { Ec2 } from './ec2.js';
import { readGitCommit } from './git-commit.js';
import { AMI_TEMPLATE_DIR, amiTemplates } from './templates.js';

export interface AmiTargetDeps {
  readonly ec2: Ec2;
  /**
   * The builder's address for the temporary security group (SSH from here only). Defaults to asking
   * checkip.amazonaws.com; BUILD_IMAGES_BUILDER_CIDR overrides it (behind a NAT or proxy, and in tests).
   */
  readonly builderCidr?: () => Promise<{ ok: true; value: string } | { ok: false; error: string }>;
  /** How often to look at an AMI that is not available yet (tests make it fast). */
  readonly pollMs?: number;
}

/** AMIs with Packer's amazon-ebs builder: one AMI per image in the build region, copied to copy_to. */
export function amiTarget(config: Config, target: BuildableAmiTarget, deps: AmiTargetDeps): Target<BuiltAmi> {
  const regions = amiRegions(target);
  const inBuildRegion = (artifact: BuiltAmi): string => artifact.amis[target.region]!.id;
  let sshSourceCidrs: string[] = [];
  let gitCommit: string | undefined;
  let imds = { requireImdsV2ViaApi: true };
  return {
    name: 'ami',
    templateDir: AMI_TEMPLATE_DIR,
    templatePath: amiTemplatePath,
    templates: (tree, packer, uploadLib) => {
      // Packer 1.6 cannot ask for IMDSv2 in the template: the build instance is switched through the API.
      imds = { requireImdsV2ViaApi: !usesPlugins(packer) };
      return amiTemplates(tree, packer, uploadLib);
    },
    // Tags do not shape content; the build region, copies, instance, source and encryption do.
    settings: (image) => ({
      'targets.ami.region': target.region,
      'targets.ami.copy_to': target.copyTo,
      'targets.ami.instance_type': target.instanceType,
      'targets.ami.ssh_username': target.sshUsername,
      ...(image.parent === undefined ? { 'targets.ami.source_ami_filter': target.sourceAmiFilter } : {}),
      'targets.ami.encrypt_boot': target.encryptBoot ?? null,
      'targets.ami.kms_key_id': target.kmsKeyId ?? null,
      'targets.ami.region_kms_key_ids': target.regionKmsKeyIds,
    }),
    async preflight() {
      const fromEnv = process.env.BUILD_IMAGES_BUILDER_CIDR;
      const cidr = fromEnv ? ok(fromEnv) : await (deps.builderCidr ?? builderCidr)();
      if (!cidr.ok)
        return err(
          `cannot find this machine's public address for the build instances' security group: ${cidr.error}. Set BUILD_IMAGES_BUILDER_CIDR (e.g. 203.0.113.7/32).`,
        );
      sshSourceCidrs = [cidr.value];
      gitCommit = await readGitCommit(config.root);
      return ok(`AWS ${target.region}${target.copyTo.length ? ` (+ ${target.copyTo.join(', ')})` : ''}, SSH from ${cidr.value}`);
    },
    async findReusable(image, fingerprint) {
      const found = await findReusable(deps.ec2, { image, fingerprint, regions });
      if (!found.ok || found.value.kind !== 'reusable') return undefined;
      const amis = found.value.amis;
      return { name: amis[target.region]!.name, amis };
    },
    beforeRoots: async () => undefined,
    async build(node, parent, fingerprint, ctx) {
      const built = await buildAmiImage(
        {
          image: node.name,
          variables: { ...node.image.variables, ...ctx.secrets },
          fingerprint,
          parent: parent === undefined ? undefined : { image: node.parent!, amiId: inBuildRegion(parent), amiName: parent.name },
        },
        {
          root: config.root,
          target,
          packer: ctx.packer,
          ec2: deps.ec2,
          signal: ctx.timeoutMs === undefined ? ctx.signal : AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]),
          onLine: ctx.onLine,
          toolVersion: TOOL_VERSION,
          gitCommit,
          sshSourceCidrs,
          redact: Object.values(ctx.secrets),
          ...imds,
          ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
        },
      );
      return built;
    },
    adopt: async () => undefined,
    source: (parent) => (parent === undefined ? 'source_ami_filter' : inBuildRegion(parent)),
    ids: (artifact) => ({ id: inBuildRegion(artifact), regions: Object.fromEntries(regions.map((r) => [r, artifact.amis[r]!.id])) }),
    describe: (artifact) =>
      `${inBuildRegion(artifact)}${target.copyTo.length ? ` (+${target.copyTo.length} region${target.copyTo.length === 1 ? '' : 's'})` : ''}`,
    logFile: (image) => amiLogFile(config.root, image),
    tfvars: (artifacts) => ({
      path: AMI_TFVARS_PATH,
      content: renderAmiTfvars(
        artifacts.map(([image, a]) => [image, Object.fromEntries(regions.map((r) => [r, a.amis[r]!.id]))] as const),
        regions,
      ),
    }),
    tfvarsPath: AMI_TFVARS_PATH,
    recordedInTfvars(parsed) {
      const amis = (parsed as { amis?: Record<string, Record<string, unknown>> } | undefined)?.amis ?? {};
      return new Map(
        Object.entries(amis).flatMap(([image, byRegion]) =>
          typeof byRegion?.[target.region] === 'string' ? [[image, [byRegion[target.region] as string]] as const] : [],
        ),
      );
    },
  };
}
