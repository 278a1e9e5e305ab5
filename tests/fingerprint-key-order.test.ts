import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintTree } from '../src/cache/collect-inputs.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { fingerprintsFor } from '../src/engine/prepare.js';
import { buildTree } from '../src/graph/tree.js';
import { targetDefinition } from '../src/targets/registry.js';
import { TARGET_NAMES, type TargetName } from '../src/targets/target.js';
import { removeTempDirs, tempDir } from './helpers/temp-dir.js';

afterAll(removeTempDirs);

/**
 * Key order is not content: every fingerprint input that holds an object is hashed as canonical JSON
 * (keys sorted at every level). collect-inputs.ts used JSON.stringify for target settings, so writing
 * targets.ami.region_kms_key_ids in another order changed every AMI's fingerprint and rebuilt the tree.
 */
const SCRIPTS = { 'provisioners/a.sh': 'echo a\n', 'provisioners/b.sh': 'echo b\n', 'provisioners/lib/common.sh': 'x=1\n' };
const IMAGES = 'images:\n  base: { provisioners: [a] }\n  app: { parent: base, provisioners: [b] }\n';
const v166 = { major: 1, minor: 6, patch: 6 };

async function load(yaml: string): Promise<Config> {
  const root = await tempDir({ 'images.yaml': yaml, ...SCRIPTS });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

/** Every image's fingerprint as the named target computes it (the real target's settings and templates; no adapter is called). */
async function fingerprints(yaml: string, name: TargetName): Promise<Record<string, string>> {
  const config = await load(yaml);
  const definition = await targetDefinition(name);
  const target = definition.open(config);
  const { fingerprints: fps } = await fingerprintsFor(config, buildTree(config.images), target, v166);
  return Object.fromEntries([...fps].map(([image, f]) => [image, f.fingerprint]));
}

const KMS_A = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ami = (regionKeys: string, filter: string) => `version: 1
targets:
  ami:
    region: eu-central-1
    copy_to: [us-east-1, eu-west-1]
    encrypt_boot: true
    region_kms_key_ids: ${regionKeys}
    source_ami_filter: ${filter}
${IMAGES}`;

/** A config each target can build, by target: a new target fails to compile here until it has one. */
const MINIMAL: Record<TargetName, string> = {
  docker: `version: 1\n${IMAGES}`,
  ami: ami('{}', '{ name: "x", owners: ["099720109477"] }'),
};

describe('fingerprints ignore key order in every input', () => {
  it('targets.ami.region_kms_key_ids and source_ami_filter in another key order: the same AMI fingerprints', async () => {
    const filter = '{ name: "ubuntu/images/*", owners: ["099720109477"] }';
    const reorderedFilter = '{ owners: ["099720109477"], name: "ubuntu/images/*" }';
    const before = await fingerprints(ami(`{ us-east-1: alias/images, eu-west-1: "${KMS_A}" }`, filter), 'ami');
    const after = await fingerprints(ami(`{ eu-west-1: "${KMS_A}", us-east-1: alias/images }`, reorderedFilter), 'ami');
    expect(after).toEqual(before);
    // The control: a changed value does change them (the comparison above can fail).
    const changed = await fingerprints(ami(`{ eu-west-1: "${KMS_A}", us-east-1: alias/other }`, filter), 'ami');
    expect(changed.base).not.toBe(before.base);
    expect(changed.app).not.toBe(before.app);
  });

  it.each(TARGET_NAMES)('%s: nested objects in a setting, in any key order, hash the same', async (name) => {
    const config = await load(MINIMAL[name]);
    const tree = buildTree(config.images);
    const definition = await targetDefinition(name);
    const templates = new Map(definition.templates.render(tree, v166, true).map((f, i) => [tree.order[i]!.name, f.content]));
    const settingsA = { outer: { z: 1, a: { y: [1, { q: 1, p: 2 }], b: 'x' } }, 'targets.x': { k2: 'v2', k1: 'v1' } };
    const settingsB = { 'targets.x': { k1: 'v1', k2: 'v2' }, outer: { a: { b: 'x', y: [1, { p: 2, q: 1 }] }, z: 1 } };
    const a = await fingerprintTree(config, tree, templates, () => settingsA);
    const b = await fingerprintTree(config, tree, templates, () => settingsB);
    for (const node of tree.order) {
      expect(b.get(node.name)!.fingerprint).toBe(a.get(node.name)!.fingerprint);
      expect(b.get(node.name)!.inputs.settings).toEqual(a.get(node.name)!.inputs.settings);
    }
    // Array order is content: swapping two elements changes the fingerprint.
    const swapped = await fingerprintTree(config, tree, templates, () => ({
      ...settingsA,
      outer: { ...settingsA.outer, a: { y: [{ q: 1, p: 2 }, 1], b: 'x' } },
    }));
    expect(swapped.get('base')!.fingerprint).not.toBe(a.get('base')!.fingerprint);
  });
});
