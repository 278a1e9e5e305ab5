import type { Config, BuildableAmiTarget } from '../../config/types.js';
import { err, ok } from '../../result.js';
import { usesPlugins } from '../../packer/version.js';
import { renderAmiTfvars } from '../../terraform/tfvars.js';
import { TOOL_VERSION } from '../../version.js';
import type { Target, TargetDefinition } from '../target.js';
import { amiLogFile, buildAmiImage, type BuiltAmi } from './build-image.js';
import { builderCidr } from './builder-address.js';
import { amiRegions, describeAmiFailure, findReusable, newest, projectImageTags } from './checks.js';
import { amiUsageApi, Ec2Error, type AmiImage, type AmiUsage, type Ec2 } from './ec2.js';
import { TAG } from './tags.js';
import { resolveSourceAmi } from './source-ami.js';
import { readGitCommit } from './git-commit.js';
import { amiPrune } from './prune.js';
import { readProvenance } from '../../provenance/provenance.js';
import { TOOL_TAG_PREFIX } from '../../config/rules-ami.js';
import { projectIdentity } from '../project.js';

export interface AmiTargetDeps {
  readonly ec2: Ec2;
  /**
   * The builder's address for the temporary security group (SSH from here only). Defaults to asking
   * checkip.amazonaws.com; BUILD_IMAGES_BUILDER_CIDR overrides it (behind a NAT or proxy, and in tests).
   */
  readonly builderCidr?: () => Promise<{ ok: true; value: string } | { ok: false; error: string }>;
  /** How often to look at an AMI that is not available yet (tests make it fast). */
  readonly pollMs?: number;
  /** What prune asks about launch templates, launches and untagged AMIs; default: the real EC2 API. */
  readonly usage?: AmiUsage;
}

/** What preflight found for this run, handed to every build. */
export interface AmiContext {
  readonly sshSourceCidrs: readonly string[];
  readonly gitCommit: string | undefined;
  /** What source_ami_filter resolved to in the build region: every root of this run boots from it. */
  readonly sourceAmi: AmiImage;
}

/** AMIs with Packer's amazon-ebs builder: one AMI per image in the build region, copied to copy_to. */
export function amiTarget(
  definition: TargetDefinition,
  config: Config,
  target: BuildableAmiTarget,
  deps: AmiTargetDeps,
): Target<BuiltAmi, AmiContext> {
  const regions = amiRegions(target);
  const inBuildRegion = (artifact: BuiltAmi): string => artifact.amis[target.region]!.id;
  // Tagged on every AMI (TAG.project): reuse, findEarlier and prune see only this project's AMIs.
  const project = projectIdentity(config);
  return {
    definition,
    concurrency: target.concurrency,
    project,
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
      // Both ask the network: at once.
      const [cidr, source] = await Promise.all([
        fromEnv ? ok(fromEnv) : (deps.builderCidr ?? builderCidr)(),
        resolveSourceAmi(deps.ec2, target.region, target.sourceAmiFilter, target.location),
      ]);
      // Nothing is built when the roots' source cannot be resolved (issue 17): Packer would only find out mid-build.
      if (!source.ok) return err(source.error);
      if (!cidr.ok)
        return err(
          `cannot find this machine's public address for the build instances' security group: ${cidr.error}. Set BUILD_IMAGES_BUILDER_CIDR (e.g. 203.0.113.7/32).`,
        );
      const sourceAmi = source.value;
      return ok({
        description: `AWS ${target.region}${target.copyTo.length ? ` (+ ${target.copyTo.join(', ')})` : ''}, source AMI ${sourceAmi.id} (${sourceAmi.name}), SSH from ${cidr.value}`,
        context: { sshSourceCidrs: [cidr.value], gitCommit: await readGitCommit(config.root), sourceAmi },
        // In the roots' fingerprints: a newly published source AMI rebuilds the tree ("source AMI changed").
        base: { name: target.sourceAmiFilter.name, id: sourceAmi.id },
      });
    },
    async findReusable(queries) {
      const found = new Map<string, BuiltAmi>();
      for (const { image, fingerprint } of queries) {
        const lookup = await findReusable(deps.ec2, { project: project.id, image, fingerprint, regions });
        // The lookup failing is not "nothing to reuse": say why (access denied, throttled) instead of planning a build.
        if (!lookup.ok) return err(`looking for a reusable AMI of image "${image}": ${describeAmiFailure(lookup.error)}`);
        if (lookup.value.kind !== 'reusable') continue;
        const amis = lookup.value.amis;
        found.set(image, { name: amis[target.region]!.name, amis });
      }
      return ok(found);
    },
    async findEarlier(queries) {
      // A fresh runner has no manifest: this project's newest AMI of the image in the build region (by EC2's
      // CreationDate, whatever its fingerprint) lets plan say "changed" or "source AMI changed" rather than "new".
      // Only the build region: describe() and provenance() read nothing else. Another project's AMI of the same
      // name says nothing about this one. A failed lookup only shapes wording: it answers nothing.
      const out = new Map<string, BuiltAmi>();
      await Promise.all(
        queries.map(async ({ image }) => {
          try {
            const found = await deps.ec2.findImagesByTags(target.region, projectImageTags(project.id, image));
            const latest = newest(
              found.filter(
                (i) => i.tags[TAG.project] === project.id && i.tags[TAG.image] === image && i.tags[TAG.fingerprint] !== undefined,
              ),
            );
            if (latest !== undefined) out.set(image, { name: latest.name, amis: { [target.region]: latest } });
          } catch (e: unknown) {
            if (!(e instanceof Ec2Error)) throw e;
          }
        }),
      );
      return out;
    },
    beforeRoots: async () => undefined,
    build: (node, parent, fingerprint, ctx) =>
      buildAmiImage(
        {
          image: node.name,
          variables: { ...node.image.variables, ...ctx.secrets },
          fingerprint,
          parent: parent === undefined ? undefined : { image: node.parent!, amiId: inBuildRegion(parent), amiName: parent.name },
          // A root boots the source AMI preflight resolved (the one in its fingerprint); a child its parent's.
          ...(parent === undefined ? { sourceAmi: ctx.context.sourceAmi.id } : {}),
        },
        {
          root: config.root,
          target,
          packer: ctx.packer,
          ec2: deps.ec2,
          signal: ctx.signal,
          ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
          onLine: ctx.onLine,
          toolVersion: TOOL_VERSION,
          project: project.id,
          // The engine's provenance (commit and dirty, read with git) when it has one; else what preflight read from .git.
          gitCommit: ctx.provenance.git?.commit ?? ctx.context.gitCommit,
          gitDirty: ctx.provenance.git?.dirty,
          base: ctx.provenance.base,
          sshSourceCidrs: [...ctx.context.sshSourceCidrs],
          redact: Object.values(ctx.secrets),
          // Packer 1.6 cannot ask for IMDSv2 in the template: the build instance is switched through the API.
          requireImdsV2ViaApi: !usesPlugins(ctx.packerVersion),
          ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
        },
      ),
    adopt: async () => undefined,
    source: (parent, context) => (parent === undefined ? context.sourceAmi.id : inBuildRegion(parent)),
    ids: (artifact) => ({ id: inBuildRegion(artifact), regions: Object.fromEntries(regions.map((r) => [r, artifact.amis[r]!.id])) }),
    describe: (artifact) =>
      `${inBuildRegion(artifact)}${target.copyTo.length ? ` (+${target.copyTo.length} region${target.copyTo.length === 1 ? '' : 's'})` : ''}`,
    // EC2's CreationDate of the AMI in the build region: the age max_age judges, the same from any runner.
    builtAt: (artifact) => {
      const created = artifact.amis[target.region]?.creationDate;
      return created ? new Date(created) : undefined;
    },
    provenance: (artifact) => readProvenance(artifact.amis[target.region]?.tags ?? {}, TOOL_TAG_PREFIX),
    logFile: (image) => amiLogFile(config.root, image),
    tfvars: (artifacts) =>
      renderAmiTfvars(
        artifacts.map(([image, a]) => [image, Object.fromEntries(regions.map((r) => [r, a.amis[r]!.id]))] as const),
        regions,
      ),
    prune: {
      defaultKeep: target.keep,
      alsoKept: 'AMIs that launch templates name or that launched an instance recently',
      plan: (keep, referenced, options) =>
        amiPrune({
          ec2: deps.ec2,
          usage: deps.usage ?? amiUsageApi(),
          project,
          regions,
          imageNames: new Set(config.images.map((i) => i.name)),
          keep,
          referenced,
          ...(options === undefined ? {} : { options }),
        }),
    },
  };
}
