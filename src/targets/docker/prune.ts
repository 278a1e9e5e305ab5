import type { Config } from '../../config/types.js';
import type { TargetPrunePlan } from '../target.js';
import type { DockerEngine, ImageSummary } from './engine.js';

export const IMAGE_LABEL = 'org.build-images.image';
export const PARENT_LABEL = 'org.build-images.parent';

export type DockerKeepReason =
  { readonly kind: 'newest'; readonly rank: number } | { readonly kind: 'referenced' } | { readonly kind: 'parent'; readonly of: string };

export interface DockerPrunePlan {
  readonly keep: ReadonlyArray<{ readonly image: ImageSummary; readonly why: readonly DockerKeepReason[] }>;
  readonly remove: readonly ImageSummary[];
}

/**
 * Pure: which local images `prune --target docker` removes. Only images labelled by build-images are
 * considered; per image name the newest `keep` stay, and so do images the tfvars reference and every
 * ancestor (parent label) of a kept image, so nothing still in use as a base disappears.
 */
export function planDockerPrune(input: {
  images: readonly ImageSummary[];
  keep: number;
  referenced: ReadonlySet<string>;
}): DockerPrunePlan {
  if (!Number.isInteger(input.keep) || input.keep < 1) throw new Error(`bug: keep must be a whole number >= 1, got ${input.keep}`);
  const ours = input.images.filter((i) => i.labels[IMAGE_LABEL] !== undefined);
  const byId = new Map(ours.map((i) => [i.id, i]));
  const why = new Map<string, DockerKeepReason[]>();
  const keep = (id: string, reason: DockerKeepReason): void => {
    why.set(id, [...(why.get(id) ?? []), reason]);
  };
  const byName = new Map<string, ImageSummary[]>();
  for (const image of ours) byName.set(image.labels[IMAGE_LABEL]!, [...(byName.get(image.labels[IMAGE_LABEL]!) ?? []), image]);
  for (const list of byName.values()) {
    [...list]
      .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0))
      .slice(0, input.keep)
      .forEach((image, rank) => keep(image.id, { kind: 'newest', rank: rank + 1 }));
  }
  for (const image of ours) if (input.referenced.has(image.id)) keep(image.id, { kind: 'referenced' });
  // Ancestors of everything kept so far, transitively.
  const queue = [...why.keys()];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const parent = byId.get(id)?.labels[PARENT_LABEL];
    if (parent === undefined || !byId.has(parent)) continue;
    const first = !why.has(parent);
    keep(parent, { kind: 'parent', of: `${byId.get(id)!.labels[IMAGE_LABEL]} ${id.slice(7, 19)}` });
    if (first) queue.push(parent);
  }
  return {
    keep: ours.filter((i) => why.has(i.id)).map((image) => ({ image, why: why.get(image.id)! })),
    remove: ours.filter((i) => !why.has(i.id)),
  };
}

export function describeDockerPrunePlan(plan: DockerPrunePlan): string[] {
  const label = (i: ImageSummary): string => `${i.labels[IMAGE_LABEL]} ${i.id.slice(7, 19)} (built ${i.created.slice(0, 19)}Z)`;
  const reason = (r: DockerKeepReason): string =>
    r.kind === 'newest' ? `newest #${r.rank}` : r.kind === 'referenced' ? 'in the tfvars file' : `parent of ${r.of}`;
  return [
    ...plan.keep.map(({ image, why }) => `keep    ${label(image)}: ${why.map(reason).join('; ')}`),
    ...plan.remove.map((i) => `remove  ${label(i)}`),
  ];
}

/**
 * The prune for one config: the engine's build-images images with this config's image names (the engine
 * may hold other projects' images too), planned by planDockerPrune.
 */
export async function dockerPrune(
  docker: DockerEngine,
  config: Config,
  keep: number,
  referenced: ReadonlySet<string>,
): Promise<TargetPrunePlan> {
  const names = new Set(config.images.map((i) => i.name));
  const images = (await docker.listByLabel(IMAGE_LABEL)).filter((i) => names.has(i.labels[IMAGE_LABEL] ?? ''));
  const plan = planDockerPrune({ images, keep, referenced });
  return {
    lines: describeDockerPrunePlan(plan),
    removeCount: plan.remove.length,
    async apply(onRemoved) {
      const failed: string[] = [];
      for (const image of plan.remove) {
        const removed = await docker.removeImage(image.id);
        if (removed.ok) onRemoved(`removed ${image.id}`);
        else failed.push(`could not remove ${image.id}: ${removed.error}`);
      }
      return { failed };
    },
  };
}
