/**
 * Issue 13, finding 11: two projects built the same fingerprints at once; a third project's tfvars got `root`
 * from one and `child` from the other, whose org.build-images.parent is an image not in the tfvars. A reused
 * child must have been built on the parent chosen for this run.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/types.js';
import type { DockerEngine, ImageSummary } from './engine.js';
import { FINGERPRINT_LABEL } from './build-image.js';
import { dockerTarget } from './target.js';

const R = 'f'.repeat(64);
const C = 'e'.repeat(64);
const id = (c: string): string => `sha256:${c.repeat(64)}`;
const image = (i: string, fingerprint: string, parent: string, created: string): ImageSummary => ({
  id: id(i),
  created,
  labels: { [FINGERPRINT_LABEL]: fingerprint, 'org.build-images.parent': parent },
  tags: [],
});

function engine(images: ImageSummary[]): DockerEngine {
  const none = (): never => {
    throw new Error('not called');
  };
  return {
    ping: none,
    inspectImage: none,
    pull: none,
    push: none,
    registryDigest: none,
    removeImage: none,
    tag: none,
    listContainers: none,
    inspectContainer: none,
    removeContainer: none,
    containerEvents: none,
    listByLabel: async () => images,
  };
}

const config = {
  root: '/nowhere',
  targets: { docker: { baseImage: 'local/debian:bookworm', runArgs: [] } },
  images: [],
} as unknown as Config;

describe('reuse across projects', () => {
  it('never pairs a parent from one build with a child built on another', async () => {
    // Project A built root a1 and child on a1; project B built root b1 (newer) and child on b1... only A's child is left.
    const images = [
      image('b', R, 'local/debian:bookworm', '2026-11-30T12:00:02Z'),
      image('a', R, 'local/debian:bookworm', '2026-11-30T12:00:01Z'),
      image('c', C, id('a'), '2026-11-30T12:00:03Z'),
    ];
    const target = dockerTarget({} as never, config, engine(images), () => undefined);
    const found = await target.findReusable(
      [
        { image: 'root', fingerprint: R, recorded: [] },
        { image: 'child', fingerprint: C, recorded: [], parent: 'root' },
      ],
      undefined,
    );
    if (!found.ok) throw new Error(found.error);
    const root = found.value.get('root');
    const child = found.value.get('child');
    // Either the child is reused and was built on the chosen root, or it is rebuilt on it.
    if (child !== undefined) expect(images.find((i) => i.id === child.id)?.labels['org.build-images.parent']).toBe(root?.id);
    // And a parent that has a matching child is preferred: nothing needs rebuilding here.
    expect(root?.id).toBe(id('a'));
    expect(child?.id).toBe(id('c'));
  });
});
