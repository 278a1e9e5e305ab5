import { describe, expect, it } from 'vitest';
import type { ImageSummary } from './engine.js';
import { describeDockerPrunePlan, planDockerPrune } from './prune.js';

const id = (n: number): string => `sha256:${String(n).repeat(64)}`;
const image = (n: number, name: string | undefined, created: string, parent?: number): ImageSummary => ({
  id: id(n),
  created,
  labels:
    name === undefined
      ? {}
      : { 'org.build-images.image': name, ...(parent === undefined ? {} : { 'org.build-images.parent': id(parent) }) },
});

describe('planDockerPrune', () => {
  const images = [
    image(1, 'base', '2026-11-01T00:00:00Z'),
    image(2, 'base', '2026-11-02T00:00:00Z'),
    image(3, 'base', '2026-11-03T00:00:00Z'),
    image(4, 'app', '2026-11-01T01:00:00Z', 1),
    image(5, 'app', '2026-11-03T01:00:00Z', 3),
    image(6, undefined, '2026-10-01T00:00:00Z'),
  ];

  it('keeps the newest per image, what the tfvars reference, and the parents of kept images; never foreign images', () => {
    const plan = planDockerPrune({ images, keep: 1, referenced: new Set([id(4)]) });
    expect(describeDockerPrunePlan(plan)).toEqual([
      'keep    base 111111111111 (built 2026-11-01T00:00:00Z): parent of app 444444444444',
      'keep    base 333333333333 (built 2026-11-03T00:00:00Z): newest #1; parent of app 555555555555',
      'keep    app 444444444444 (built 2026-11-01T01:00:00Z): in the tfvars file',
      'keep    app 555555555555 (built 2026-11-03T01:00:00Z): newest #1',
      'remove  base 222222222222 (built 2026-11-02T00:00:00Z)',
    ]);
    expect(plan.remove.map((i) => i.id)).toEqual([id(2)]);
    expect([...plan.keep.map((k) => k.image.id), ...plan.remove.map((i) => i.id)]).not.toContain(id(6));
  });

  it('keeps more with a larger --keep', () => {
    expect(planDockerPrune({ images, keep: 3, referenced: new Set() }).remove).toEqual([]);
  });
});
