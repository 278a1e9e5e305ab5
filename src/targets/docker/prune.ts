import type { Config } from '../../config/types.js';
import { describeKeepReason, planPrune, type PruneCandidate, type PrunePlanOf } from '../prune-plan.js';
import { PATH_IDENTITY_ADVICE, projectIdentity } from '../project.js';
import type { TargetPrunePlan } from '../target.js';
import type { DockerEngine, ImageSummary } from './engine.js';
import type { RegistryImage } from './registry/lookup.js';
import type { RegistrySide } from './registry/side.js';

export const IMAGE_LABEL = 'org.build-images.image';
export const PARENT_LABEL = 'org.build-images.parent';
/** The project that built the image (src/targets/project.ts): prune only ever considers its own. */
export const PROJECT_LABEL = 'org.build-images.project';

/** Whose images prune may remove: this project's, in its repository, with its image names. */
export interface DockerOwner {
  readonly project: string;
  /** targets.docker.repository: every name the image has must be `<repository>/…`. */
  readonly repository: string;
  readonly images: ReadonlySet<string>;
  /** targets.docker.registry: names `<registry>/…` (the fingerprint tags of pushed images) are this project's too. */
  readonly registry?: string;
}

export type DockerCandidate = PruneCandidate & { readonly summary: ImageSummary };
export type DockerPrunePlan = PrunePlanOf<DockerCandidate>;

const short = (id: string): string => id.slice(7, 19);

/** Why an image labelled by build-images is not this project's to remove; undefined when it is. */
export function notOurs(image: ImageSummary, owner: DockerOwner): string | undefined {
  const project = image.labels[PROJECT_LABEL];
  if (project === undefined) return 'carries no project label (built by another project or an older build-images)';
  if (project !== owner.project) return `built by another project (${PROJECT_LABEL}=${project}; this project is ${owner.project})`;
  const ours = (t: string): boolean =>
    t.startsWith(`${owner.repository}/`) || (owner.registry !== undefined && t.startsWith(`${owner.registry}/`));
  const elsewhere = image.tags.filter((t) => !ours(t));
  if (elsewhere.length > 0) return `also named ${elsewhere.join(', ')}, outside ${owner.repository}/ (another project uses it)`;
  return undefined;
}

/**
 * Pure: which local images `prune --target docker` removes. Only images labelled by build-images with one
 * of this config's image names are looked at; of those, only this project's (project label, repository)
 * may go; per image name the newest `keep` stay, and so do images the tfvars reference and every
 * ancestor (parent label) of a kept image.
 */
export function planDockerPrune(input: {
  images: readonly ImageSummary[];
  keep: number;
  referenced: ReadonlySet<string>;
  owner: DockerOwner;
}): DockerPrunePlan {
  const candidates = input.images
    .filter((i) => input.owner.images.has(i.labels[IMAGE_LABEL] ?? ''))
    .map((summary): DockerCandidate => {
      const foreign = notOurs(summary, input.owner);
      const parent = summary.labels[PARENT_LABEL];
      return {
        key: summary.id,
        image: summary.labels[IMAGE_LABEL]!,
        shown: `${summary.labels[IMAGE_LABEL]} ${short(summary.id)}`,
        created: summary.created,
        ids: [summary.id],
        parents: parent === undefined ? [] : [parent],
        complete: true,
        inProgress: false,
        ...(foreign === undefined ? {} : { notOurs: foreign }),
        summary,
      };
    });
  return planPrune({ candidates, keep: input.keep, referenced: input.referenced });
}

export function describeDockerPrunePlan(plan: DockerPrunePlan): string[] {
  const label = (c: DockerCandidate): string => `${c.image} ${short(c.key)} (built ${c.created.slice(0, 19)}Z)`;
  return [
    ...plan.keep.map(({ candidate, why }) => `keep    ${label(candidate)}: ${why.map(describeKeepReason).join('; ')}`),
    ...plan.notOurs.map((c) => `keep    ${label(c)}: not this project's: ${c.notOurs}`),
    ...plan.remove.map((c) => `remove  ${label(c)}`),
  ];
}

/**
 * Pure: which of the images build-images pushed to the registry go. The registry path is the project's
 * own namespace (targets.docker.registry), so every image under it with this config's names and an `fp-`
 * tag is a candidate; Terraform references them by `<registry>/<image>@sha256:…`.
 */
export function planRegistryPrune(input: { pushed: readonly RegistryImage[]; keep: number; referenced: ReadonlySet<string> }) {
  const candidates = input.pushed.map((p) => {
    const parent = p.labels[PARENT_LABEL];
    return {
      key: p.imageId,
      image: p.labels[IMAGE_LABEL] ?? '',
      shown: `${p.labels[IMAGE_LABEL]} ${short(p.imageId)}`,
      created: p.created,
      ids: [p.ref, p.imageId],
      parents: parent === undefined ? [] : [parent],
      complete: true,
      inProgress: false,
      pushed: p,
    };
  });
  return planPrune({ candidates, keep: input.keep, referenced: input.referenced });
}

/**
 * The prune for one config: the engine's build-images images with this config's image names, of which
 * only this project's are candidates (the engine may hold other projects' images too); with a registry,
 * also what build-images pushed there. `referenced` is what the tfvars file names: image IDs, or
 * digest-pinned references with a registry (resolved to image IDs for the engine's images).
 */
export async function dockerPrune(
  docker: DockerEngine,
  config: Config,
  keep: number,
  referenced: ReadonlySet<string>,
  registry?: RegistrySide,
): Promise<TargetPrunePlan> {
  const identity = projectIdentity(config);
  const owner: DockerOwner = {
    project: identity.id,
    repository: config.targets.docker.repository,
    images: new Set(config.images.map((i) => i.name)),
    ...(config.targets.docker.registry === undefined ? {} : { registry: config.targets.docker.registry }),
  };
  const refs = new Set(referenced);
  const pushed: RegistryImage[] = [];
  if (registry !== undefined) {
    for (const ref of referenced) {
      if (ref.startsWith('sha256:')) continue;
      const resolved = await registry.resolve(ref);
      if (!resolved.ok) throw new Error(`prune cannot tell which images the tfvars file uses: ${resolved.error}`);
      if (resolved.value !== undefined) refs.add(resolved.value.imageId);
    }
    const listed = await registry.listPushed([...owner.images]);
    if (!listed.ok) throw new Error(`prune cannot list what build-images pushed to ${registry.host}: ${listed.error}`);
    for (const image of listed.value) pushed.push(image);
  }
  const plan = planDockerPrune({ images: await docker.listByLabel(IMAGE_LABEL), keep, referenced: refs, owner });
  const remote = planRegistryPrune({ pushed, keep, referenced: refs });
  const remoteLabel = (c: { image: string; key: string; created: string }): string =>
    `${registry?.host}: ${c.image} ${short(c.key)} (built ${c.created.slice(0, 19)}Z)`;
  const remoteLines =
    registry === undefined
      ? []
      : [
          ...remote.keep.map(({ candidate, why }) => `keep    ${remoteLabel(candidate)}: ${why.map(describeKeepReason).join('; ')}`),
          ...remote.remove.map((c) => `remove  ${remoteLabel(c)}`),
        ];
  return {
    lines: [
      `project ${owner.project} (from ${identity.source}), repository ${owner.repository}`,
      ...(identity.from === 'path' ? [`note: the project identity is ${identity.source}: ${PATH_IDENTITY_ADVICE}`] : []),
      ...describeDockerPrunePlan(plan),
      ...remoteLines,
    ],
    removeCount: plan.remove.length + remote.remove.length,
    async apply(onRemoved) {
      const failed: string[] = [];
      for (const { key } of plan.remove) {
        const removed = await docker.removeImage(key);
        if (removed.ok) onRemoved(`removed ${key}`);
        else failed.push(`could not remove ${key}: ${removed.error}`);
      }
      if (registry === undefined) return { failed };
      for (const { pushed: image } of remote.remove) {
        const removed = await registry.remove(image.labels[IMAGE_LABEL] ?? '', image.digest);
        if (!removed.ok) failed.push(`could not remove ${image.ref}: ${removed.error}`);
        else if (removed.value === 'unsupported') {
          onRemoved(
            `${registry.host} does not allow deleting manifests (distribution: storage.delete.enabled: false): nothing removed there`,
          );
          break;
        } else onRemoved(`removed ${image.ref}`);
      }
      return { failed };
    },
  };
}
