import { TOOL_TAG_PREFIX } from '../../config/rules-ami.js';

/**
 * The tags build-images puts on every AMI and snapshot it makes, in every region. Packer's last step,
 * StepCreateTags, tags each region's AMI and its EBS snapshots with `tags`, then the snapshots again with
 * `snapshot_tags` (hashicorp/packer v1.6.6 builder/amazon/common/step_create_tags.go; the same in
 * hashicorp/packer-plugin-amazon builder/common/step_create_tags.go); our template sets both to these tags
 * (packer/render-ami.ts). They are how the tool finds its AMIs again: reuse looks an AMI up by project, image
 * and fingerprint, prune only ever considers AMIs carrying this project's TAG.project, and parents are
 * tracked by AMI name because a copied AMI has another ID in every region but the same name.
 */
export const TAG = {
  /** The image's name in images.yaml. Its presence marks an AMI as made by build-images. */
  image: `${TOOL_TAG_PREFIX}image`,
  /**
   * The project that built it (targets/project.ts: `project:` or a hash of the root's path). Two projects in one
   * account may use the same image names: reuse and prune only ever look at AMIs with this project's value.
   */
  project: `${TOOL_TAG_PREFIX}project`,
  /** The content-derived part of the AMI name. */
  fingerprint: `${TOOL_TAG_PREFIX}fingerprint`,
  /** The parent's AMI ID in the build region (children only). */
  parent: `${TOOL_TAG_PREFIX}parent`,
  /** The parent's AMI name, the same in every region (children only). */
  parentName: `${TOOL_TAG_PREFIX}parent-name`,
  version: `${TOOL_TAG_PREFIX}version`,
  /** The git commit of the project, when it is a git checkout. */
  commit: `${TOOL_TAG_PREFIX}commit`,
  /** "true" when the project's files differed from that commit (provenance/git.ts). */
  dirty: `${TOOL_TAG_PREFIX}dirty`,
  /** The tree's base as resolved for the build: its name and the source AMI ID (provenance/provenance.ts). */
  base: `${TOOL_TAG_PREFIX}base`,
  baseId: `${TOOL_TAG_PREFIX}base-id`,
} as const;

export interface AmiTagInput {
  readonly image: string;
  /** projectIdentity(config).id: letters, digits, `.`, `_`, `-`, `/` (the config schema), never a Packer template. */
  readonly project: string;
  readonly amiName: string;
  readonly fingerprint: string;
  readonly parent: { readonly amiId: string; readonly amiName: string } | undefined;
  readonly toolVersion: string;
  readonly gitCommit: string | undefined;
  /** undefined when unknown (no git, or not given). */
  readonly gitDirty?: boolean | undefined;
  /** The tree's resolved base, when the run resolved it. */
  readonly base?: { readonly name: string; readonly id: string } | undefined;
  /** targets.ami.tags: the rules have already refused reserved keys and `{{`. */
  readonly userTags: Readonly<Record<string, string>>;
}

/** Tags for the AMI and its snapshots: a Name the user may override, their tags, then ours (which win). */
export function amiTags(input: AmiTagInput): Record<string, string> {
  return {
    Name: input.amiName,
    ...input.userTags,
    [TAG.image]: input.image,
    [TAG.project]: checkedProject(input.project),
    [TAG.fingerprint]: input.fingerprint,
    ...(input.parent === undefined ? {} : { [TAG.parent]: input.parent.amiId, [TAG.parentName]: input.parent.amiName }),
    [TAG.version]: input.toolVersion,
    ...(input.gitCommit === undefined ? {} : { [TAG.commit]: input.gitCommit }),
    ...(input.gitCommit === undefined || input.gitDirty === undefined ? {} : { [TAG.dirty]: String(input.gitDirty) }),
    ...(input.base === undefined ? {} : { [TAG.base]: input.base.name, [TAG.baseId]: input.base.id }),
  };
}

/**
 * Tags for the build instance and its volumes, so that one left behind (a killed Packer) is easy to find.
 * Deliberately without the fingerprint: nothing here may look like a finished AMI to reuse or prune.
 */
export function buildInstanceTags(input: Pick<AmiTagInput, 'image' | 'project' | 'toolVersion' | 'userTags'>): Record<string, string> {
  return {
    ...input.userTags,
    Name: `build-images: building ${input.image}`,
    [TAG.image]: input.image,
    [TAG.project]: checkedProject(input.project),
    [TAG.version]: input.toolVersion,
  };
}

/**
 * Packer renders every tag key and value as a Go template (ConvertToEC2Tags, interpolate.Render, in Packer
 * 1.6.6's step_create_tags.go), so `{{` in a value would be run, not stored. The schema's project names cannot
 * hold one (nor the 12-hex path hash); one arriving here is a bug, and the AMI would carry another project.
 * EC2 takes tag values of up to 256 characters; project names are at most 128.
 */
function checkedProject(project: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/.test(project)) throw new Error(`bug: not a project identity: ${JSON.stringify(project)}`);
  return project;
}
