import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Config } from '../config/types.js';
import type { ImageTree } from '../graph/tree.js';
import { canonicalJson, fingerprint, sha256, type FingerprintInputs, type ResolvedBase } from './fingerprint.js';

export interface Fingerprinted {
  readonly fingerprint: string;
  readonly inputs: FingerprintInputs;
}

/** Target settings that shape an image's content, by image. Tags and repository do not: a reused image is re-tagged. */
export type TargetSettings = (image: { name: string; parent: string | undefined }) => Readonly<Record<string, unknown>>;

/**
 * The I/O edge of fingerprinting: reads the provisioner files once, then computes every image's
 * fingerprint parent first, so a parent's change reaches every descendant.
 */
export async function fingerprintTree(
  config: Config,
  tree: ImageTree,
  templates: ReadonlyMap<string, string>,
  settings: TargetSettings,
  /** What each root's base resolved to (the target asked its engine or account); undefined leaves it out. */
  base: (root: string) => ResolvedBase | undefined = () => undefined,
): Promise<Map<string, Fingerprinted>> {
  const libFiles = await hashDirectory(config.root, join(config.root, 'provisioners', 'lib'));
  const scriptHashes = new Map<string, string>();
  for (const node of tree.order) {
    for (const p of node.image.provisioners) {
      if (!scriptHashes.has(p)) scriptHashes.set(p, sha256(await readFile(join(config.root, 'provisioners', `${p}.sh`))));
    }
  }
  const out = new Map<string, Fingerprinted>();
  for (const node of tree.order) {
    const template = templates.get(node.name);
    if (template === undefined) throw new Error(`bug: no template rendered for ${node.name}`);
    const files: Record<string, string> = { ...libFiles };
    const resolved = node.parent === undefined ? base(node.name) : undefined;
    for (const p of node.image.provisioners) files[`provisioners/${p}.sh`] = scriptHashes.get(p)!;
    const inputs: FingerprintInputs = {
      template: sha256(template),
      files,
      // Secrets count by name only: their values must not be derivable from a label or tag.
      variables: {
        ...Object.fromEntries(Object.entries(node.image.variables).map(([k, v]) => [k, sha256(v)])),
        ...Object.fromEntries((config.secrets ?? []).map((name) => [name, 'secret'])),
      },
      // Canonical JSON: the key order of a setting's value (a map such as region_kms_key_ids) is not content.
      settings: Object.fromEntries(Object.entries(settings(node)).map(([k, v]) => [k, sha256(canonicalJson(v))])),
      parent: node.parent === undefined ? null : out.get(node.parent)!.fingerprint,
      // Present only when resolved: an absent key, not `undefined`, keeps canonical JSON (and old fingerprints) unchanged.
      ...(resolved === undefined ? {} : { base: { name: resolved.name, id: resolved.id } }),
    };
    out.set(node.name, { fingerprint: fingerprint(inputs), inputs });
  }
  return out;
}

/** path (relative to root, forward slashes) → sha256, for every regular file below dir; empty when dir is absent. */
async function hashDirectory(root: string, dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const out: Record<string, string> = {};
  for (const file of files.sort()) out[relative(root, file).split('\\').join('/')] = sha256(await readFile(file));
  return out;
}
