import { describe, expect, it } from 'vitest';
import type { ImageSummary } from './engine.js';
import { describeDockerPrunePlan, planDockerPrune, type DockerOwner } from './prune.js';

const OWNER: DockerOwner = { project: 'aaaaaaaaaaaa', repository: 'shop', images: new Set(['base', 'app']) };

const id = (n: number): string => `sha256:${String(n).repeat(64)}`;
const image = (
  n: number,
  name: string | undefined,
  created: string,
  more: { parent?: number; project?: string | null; tags?: string[] } = {},
): ImageSummary => ({
  id: id(n),
  created,
  tags: more.tags ?? [],
  labels:
    name === undefined
      ? {}
      : {
          'org.build-images.image': name,
          ...(more.parent === undefined ? {} : { 'org.build-images.parent': id(more.parent) }),
          ...(more.project === null ? {} : { 'org.build-images.project': more.project ?? OWNER.project }),
        },
});

describe('planDockerPrune', () => {
  const images = [
    image(1, 'base', '2026-11-01T00:00:00Z'),
    image(2, 'base', '2026-11-02T00:00:00Z'),
    image(3, 'base', '2026-11-03T00:00:00Z', { tags: ['shop/base:latest'] }),
    image(4, 'app', '2026-11-01T01:00:00Z', { parent: 1 }),
    image(5, 'app', '2026-11-03T01:00:00Z', { parent: 3, tags: ['shop/app:latest'] }),
    image(6, undefined, '2026-10-01T00:00:00Z'),
  ];

  it('keeps the newest per image, what the tfvars reference, and the parents of kept images; never foreign images', () => {
    const plan = planDockerPrune({ images, keep: 1, referenced: new Set([id(4)]), owner: OWNER });
    expect(describeDockerPrunePlan(plan)).toEqual([
      'keep    base 111111111111 (built 2026-11-01T00:00:00Z): parent of app 444444444444',
      'keep    base 333333333333 (built 2026-11-03T00:00:00Z): newest #1; parent of app 555555555555',
      'keep    app 444444444444 (built 2026-11-01T01:00:00Z): in the tfvars file',
      'keep    app 555555555555 (built 2026-11-03T01:00:00Z): newest #1',
      'remove  base 222222222222 (built 2026-11-02T00:00:00Z)',
    ]);
    expect(plan.remove.map((c) => c.key)).toEqual([id(2)]);
  });

  it('keeps more with a larger --keep', () => {
    expect(planDockerPrune({ images, keep: 3, referenced: new Set(), owner: OWNER }).remove).toEqual([]);
  });

  // Issue 13, finding 1: prune matched on the image name alone and removed other projects' images.
  it.each([
    {
      case: 'another project (other label), same image name',
      other: image(7, 'base', '2026-10-01T00:00:00Z', { project: 'bbbbbbbbbbbb', tags: ['other/base:latest'] }),
      why: 'built by another project (org.build-images.project=bbbbbbbbbbbb; this project is aaaaaaaaaaaa)',
    },
    {
      case: 'another project sharing the repository',
      other: image(7, 'base', '2026-10-01T00:00:00Z', { project: 'cccccccccccc', tags: ['shop/base:theirs'] }),
      why: 'built by another project (org.build-images.project=cccccccccccc; this project is aaaaaaaaaaaa)',
    },
    {
      case: 'ours, but also named in another repository (reused there)',
      other: image(7, 'base', '2026-10-01T00:00:00Z', { tags: ['advsec/base:latest'] }),
      why: 'also named advsec/base:latest, outside shop/ (another project uses it)',
    },
    {
      case: 'no project label (an older build-images)',
      other: image(7, 'base', '2026-10-01T00:00:00Z', { project: null }),
      why: 'carries no project label (built by another project or an older build-images)',
    },
  ])('never removes an image that is not this project’s: $case', ({ other, why }) => {
    const plan = planDockerPrune({ images: [...images, other], keep: 1, referenced: new Set(), owner: OWNER });
    expect(plan.remove.map((c) => c.key)).not.toContain(other.id);
    expect(plan.keep.map((k) => k.candidate.key)).not.toContain(other.id);
    expect(describeDockerPrunePlan(plan)).toContain(`keep    base 777777777777 (built 2026-10-01T00:00:00Z): not this project's: ${why}`);
  });
});
