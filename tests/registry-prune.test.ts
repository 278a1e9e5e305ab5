import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/types.js';
import { dockerEngine } from '../src/targets/docker/engine.js';
import { dockerPrune } from '../src/targets/docker/prune.js';
import { FINGERPRINT_LABEL } from '../src/targets/docker/build-image.js';
import { registryClient } from '../src/targets/docker/registry/client.js';
import { findCredentials } from '../src/targets/docker/registry/credentials.js';
import { registryLocation } from '../src/targets/docker/registry/location.js';
import { registrySide } from '../src/targets/docker/registry/side.js';
import { CI, haveRegistry, pushTinyImage, removeRegistry, startRegistry, type TestRegistry } from './helpers/registry.js';

/**
 * prune over a real registry: what build-images pushed (fp- tags) goes unless the tfvars references it,
 * it is among the newest --keep, or it is the parent of something kept; a registry that refuses deletion
 * is reported, not failed. Image names are unique to this test, so no local image of the shared engine is planned.
 */
const available = CI || (await haveRegistry());
if (!available) console.log('registry prune tests skipped: docker-registry is not installed');

const IMAGE = 'org.build-images.image';
const PARENT = 'org.build-images.parent';
const config = {
  root: '/tmp/biprune-project',
  images: [{ name: 'biprune-base' }, { name: 'biprune-app' }],
  targets: { docker: { repository: 'biprune' } },
} as unknown as Config;

describe.skipIf(!available)('prune --target docker with a registry (real registry)', () => {
  const started: TestRegistry[] = [];
  afterAll(async () => Promise.all(started.map(removeRegistry)));

  async function seed(options: { noDelete?: boolean } = {}) {
    const reg = await startRegistry(options);
    started.push(reg);
    const location = registryLocation(`${reg.host}/p`);
    const client = registryClient({ location, credentials: () => findCredentials(reg.host, { DOCKER_CONFIG: `${reg.dir}/none` }) });
    const side = registrySide({ client, engine: dockerEngine(), fingerprintLabel: FINGERPRINT_LABEL });
    const push = async (image: string, fp: string, labels: Record<string, string> = {}) => {
      const digest = await pushTinyImage(`${reg.host}/p/${image}:fp-${fp}`, { [IMAGE]: image, [FINGERPRINT_LABEL]: fp, ...labels });
      const found = await side.resolve(`${reg.host}/p/${image}@${digest}`);
      if (!found.ok || !found.value) throw new Error('pushed image not found');
      // Config `created` has one-second resolution: keep the order unambiguous.
      await new Promise((r) => setTimeout(r, 1100));
      return found.value;
    };
    const b1 = await push('biprune-base', 'b1');
    const b2 = await push('biprune-base', 'b2');
    const a1 = await push('biprune-app', 'a1', { [PARENT]: b1.imageId });
    const a2 = await push('biprune-app', 'a2', { [PARENT]: b2.imageId });
    const a3 = await push('biprune-app', 'a3', { [PARENT]: b2.imageId });
    return { reg, side, b1, b2, a1, a2, a3 };
  }

  it('keeps the referenced, the newest and their parents; --dry-run lines, then removes the rest', async () => {
    const { reg, side, b1, a1, a2, a3 } = await seed();
    const plan = await dockerPrune(dockerEngine(), config, 1, new Set([a1.ref]), side);
    const short = (id: string) => id.slice(7, 19);
    expect(plan.lines.filter((l) => l.includes(reg.host)).map((l) => l.replace(/ \(built [^)]*\)/, ''))).toEqual([
      `keep    ${reg.host}: biprune-base ${short(b1.imageId)}: parent of biprune-app ${short(a1.imageId)}`,
      expect.stringMatching(new RegExp(`^keep    ${reg.host}: biprune-base [0-9a-f]{12}: newest #1; parent of biprune-app [0-9a-f]{12}$`)),
      `keep    ${reg.host}: biprune-app ${short(a1.imageId)}: in the tfvars file`,
      `keep    ${reg.host}: biprune-app ${short(a3.imageId)}: newest #1`,
      `remove  ${reg.host}: biprune-app ${short(a2.imageId)}`,
    ]);
    expect(plan.removeCount).toBe(1);
    const removed: string[] = [];
    expect(await plan.apply((line) => removed.push(line))).toEqual({ failed: [] });
    expect(removed).toEqual([`removed ${a2.ref}`]);
    expect((await side.resolve(a2.ref)).ok && (await side.resolve(a2.ref))).toEqual({ ok: true, value: undefined });
    expect((await side.resolve(a3.ref)).ok).toBe(true);
  });

  it('a registry that does not allow deletion: prune says so and removes nothing there', async () => {
    const { reg, side, a1 } = await seed({ noDelete: true });
    const plan = await dockerPrune(dockerEngine(), config, 1, new Set([a1.ref]), side);
    const removed: string[] = [];
    expect(await plan.apply((line) => removed.push(line))).toEqual({ failed: [] });
    expect(removed).toEqual([
      `${reg.host} does not allow deleting manifests (distribution: storage.delete.enabled: false): nothing removed there`,
    ]);
  });
});
