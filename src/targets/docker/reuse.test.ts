/**
 * Issue 13, finding 11: two projects built the same fingerprints at once; a third project's tfvars got `root`
 * from one and `child` from the other, whose org.build-images.parent is an image not in the tfvars. A reused
 * child must have been built on the parent chosen for this run.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/types.js';
import type { DockerEngine, ImageSummary } from './engine.js';
import { FINGERPRINT_LABEL } from './build-image.js';
import type { RegistrySide } from './registry/side.js';
import { IMAGE_LABEL, PROJECT_LABEL } from './prune.js';
import { projectId } from '../project.js';
import { dockerTarget, type DockerContext } from './target.js';

const R = 'f'.repeat(64);
const C = 'e'.repeat(64);
const id = (c: string): string => `sha256:${c.repeat(64)}`;
const image = (i: string, fingerprint: string, parent: string, created: string): ImageSummary => ({
  id: id(i),
  created,
  labels: { [FINGERPRINT_LABEL]: fingerprint, 'org.build-images.parent': parent },
  tags: [],
});

function engine(images: ImageSummary[], listed: { count: number } = { count: 0 }): DockerEngine {
  const none = (): never => {
    throw new Error('not called');
  };
  return {
    ping: none,
    // As the engine answers an inspect: Created to the nanosecond.
    inspectImage: async (ref) => {
      const found = images.find((i) => i.id === ref);
      return (
        found && { ...found, created: found.created.replace('Z', '.123456789Z'), layers: [], repoDigests: [], entrypoint: null, cmd: null }
      );
    },
    pull: none,
    push: none,
    registryDigest: none,
    removeImage: none,
    tag: none,
    listContainers: none,
    inspectContainer: none,
    removeContainer: none,
    containerEvents: none,
    listByLabel: async () => {
      listed.count++;
      return images;
    },
  };
}

const config = {
  root: '/nowhere',
  targets: { docker: { baseImage: 'local/debian:bookworm', runArgs: [] } },
  images: [],
} as unknown as Config;

const CONTEXT: DockerContext = { base: { resolved: { name: 'local/debian:bookworm', id: id('0') }, source: id('0'), local: true } };

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
      CONTEXT,
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

describe('a rerun whose recorded images are all still there', () => {
  const images = [
    image('b', R, 'local/debian:bookworm', '2026-11-30T12:00:02Z'),
    image('a', R, 'local/debian:bookworm', '2026-11-30T12:00:01Z'),
    image('c', C, id('a'), '2026-11-30T12:00:03Z'),
    image('d', C, id('b'), '2026-11-30T12:00:04Z'),
  ];
  const reuse = async (recorded: { root: string[]; child: string[] }) => {
    const listed = { count: 0 };
    const target = dockerTarget({} as never, config, engine(images, listed), () => undefined);
    const found = await target.findReusable(
      [
        { image: 'root', fingerprint: R, recorded: recorded.root },
        { image: 'child', fingerprint: C, recorded: recorded.child, parent: 'root' },
      ],
      CONTEXT,
    );
    if (!found.ok) throw new Error(found.error);
    return { root: found.value.get('root'), child: found.value.get('child'), listed: listed.count };
  };

  it('is answered by inspecting the recorded IDs, with what the full search would choose, to the second', async () => {
    const fast = await reuse({ root: [id('a')], child: [id('c')] });
    expect(fast.listed).toBe(0);
    expect(fast.root).toEqual({ id: id('a'), created: '2026-11-30T12:00:01.000Z', labels: images[1]!.labels });
    expect(fast.child?.id).toBe(id('c'));
    // Nothing recorded: only the full search can answer (it takes the newest pair whose child fits, b and d).
    const full = await reuse({ root: [], child: [] });
    expect(full.listed).toBe(1);
    expect(full.root?.id).toBe(id('b'));
  });

  it('one listing of the engine serves a plan’s findReusable and findEarlier', async () => {
    const listed = { count: 0 };
    const target = dockerTarget({} as never, config, engine(images, listed), () => undefined);
    const queries = [{ image: 'root', fingerprint: 'a'.repeat(64), recorded: [] }];
    await target.findReusable(queries, CONTEXT);
    await target.findEarlier!(queries, CONTEXT);
    expect(listed.count).toBe(1);
  });

  it('the manifest and the tfvars recording the same ID is the fast case; two fitting IDs are left to the full search', async () => {
    const same = await reuse({ root: [id('a'), id('a')], child: [id('c'), id('c')] });
    expect(same.listed).toBe(0);
    expect(same.child?.id).toBe(id('c'));
    const two = await reuse({ root: [id('a'), id('b')], child: [id('c')] });
    expect(two.listed).toBe(1);
  });

  it('falls back to the full search when a recorded child was built on another parent than the recorded one', async () => {
    // Recorded root a, recorded child d (built on b): the inspects cannot answer; the search pairs b with d.
    const mixed = await reuse({ root: [id('a')], child: [id('d')] });
    expect(mixed.listed).toBe(1);
    expect(mixed.child?.labels?.['org.build-images.parent']).toBe(mixed.root?.id);
  });
});

describe('reuse from the registry alone (a fresh runner)', () => {
  it('keeps the config blob’s created time and labels: max_age and provenance without pulling', async () => {
    const labels = { [FINGERPRINT_LABEL]: R, 'org.build-images.base-id': id('0'), 'org.build-images.base': 'local/debian:bookworm' };
    const registry = {
      host: '127.0.0.1:5000',
      find: async () => ({
        ok: true as const,
        value: {
          ref: `127.0.0.1:5000/p/root@${id('d')}`,
          digest: id('d'),
          imageId: id('a'),
          labels,
          created: '2026-10-01T08:00:00.123456789Z',
        },
      }),
    } as unknown as RegistrySide;
    const target = dockerTarget({} as never, config, engine([]), () => undefined, registry);
    const found = await target.findReusable([{ image: 'root', fingerprint: R, recorded: [] }], CONTEXT);
    if (!found.ok) throw new Error(found.error);
    const artifact = found.value.get('root')!;
    expect(target.builtAt(artifact)?.toISOString()).toBe('2026-10-01T08:00:00.123Z');
    expect(target.provenance(artifact)?.base).toEqual({ name: 'local/debian:bookworm', id: id('0') });
  });
});

describe('findEarlier: the newest earlier build of each image, for a fresh runner’s reasons', () => {
  const project = projectId('/nowhere');
  const built = (i: string, name: string, owner: string, created: string, baseId: string): ImageSummary => ({
    id: id(i),
    created,
    labels: {
      [FINGERPRINT_LABEL]: C,
      [IMAGE_LABEL]: name,
      [PROJECT_LABEL]: owner,
      'org.build-images.base': 'local/debian:bookworm',
      'org.build-images.base-id': baseId,
    },
    tags: [],
  });

  it("takes this project's newest image of each name from the engine, never another project's", async () => {
    // listByLabel answers newest first.
    const images = [
      built('9', 'root', 'someone-else', '2026-11-30T12:00:09Z', id('8')),
      built('2', 'root', project, '2026-11-30T12:00:02Z', id('7')),
      built('1', 'root', project, '2026-11-30T12:00:01Z', id('6')),
      built('3', 'other', project, '2026-11-30T12:00:03Z', id('7')),
    ];
    const target = dockerTarget({} as never, config, engine(images), () => undefined);
    const found = await target.findEarlier!([{ image: 'root', fingerprint: R, recorded: [] }], CONTEXT);
    expect([...found.keys()]).toEqual(['root']);
    expect(found.get('root')?.id).toBe(id('2'));
    expect(target.provenance(found.get('root')!)?.base).toEqual({ name: 'local/debian:bookworm', id: id('7') });
  });

  it('with `project:` set, the images labelled with that name (as builds label them), not the path hash', async () => {
    const named = { ...config, project: { name: 'acme-monitoring' } } as unknown as Config;
    const images = [
      built('4', 'root', project, '2026-11-30T12:00:04Z', id('8')),
      built('2', 'root', 'acme-monitoring', '2026-11-30T12:00:02Z', id('7')),
    ];
    const target = dockerTarget({} as never, named, engine(images), () => undefined);
    const found = await target.findEarlier!([{ image: 'root', fingerprint: R, recorded: [] }], CONTEXT);
    expect(found.get('root')?.id).toBe(id('2'));
  });

  it('an empty engine with a registry: the image the tfvars pins, read from the registry', async () => {
    const ref = `127.0.0.1:5000/p/root@${id('d')}`;
    const labels = { [FINGERPRINT_LABEL]: C, 'org.build-images.base': 'local/debian:bookworm', 'org.build-images.base-id': id('7') };
    const registry = {
      host: '127.0.0.1:5000',
      resolve: async (asked: string) =>
        ({ ok: true, value: asked === ref ? { ref, digest: id('d'), imageId: id('a'), labels, created: '' } : undefined }) as const,
    } as unknown as RegistrySide;
    const target = dockerTarget({} as never, config, engine([]), () => undefined, registry);
    const found = await target.findEarlier!(
      [{ image: 'root', fingerprint: R, recorded: [`127.0.0.1:5000/p/root@${id('e')}`, ref] }],
      CONTEXT,
    );
    expect(found.get('root')).toMatchObject({ id: id('a'), ref });
    expect(target.provenance(found.get('root')!)?.base?.id).toBe(id('7'));
  });

  it('an engine that fails answers nothing: it only shapes wording', async () => {
    const failing = { ...engine([]), listByLabel: async () => Promise.reject(new Error('engine gone')) };
    const target = dockerTarget({} as never, config, failing, () => undefined);
    expect((await target.findEarlier!([{ image: 'root', fingerprint: R, recorded: [] }], CONTEXT)).size).toBe(0);
  });
});
