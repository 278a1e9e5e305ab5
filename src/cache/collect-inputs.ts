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
  // Each script is read and hashed once per run, however many images run it.
  // Read at once, not one awaited round trip through libuv's pool after another (36 files in the synthetic tree).
  const scripts = [...new Set(tree.order.flatMap((node) => node.image.provisioners))];
  const scriptHashes = new Map(
    await Promise.all(scripts.map(async (p) => [p, sha256(await readFile(join(config.root, 'provisioners', `${p}.sh`)))] as const)),
  );
  // Images with the same scripts share one files record, serialised once (a 1,000-image tree has a few dozen).
  const filesByScripts = new Map<string, Readonly<Record<string, string>>>();
  const serialised = new WeakMap<object, string>();
  const filesFor = (provisioners: readonly string[]): Readonly<Record<string, string>> => {
    const key = provisioners.join('\0');
    let files = filesByScripts.get(key);
    if (files === undefined) {
      const record: Record<string, string> = { ...libFiles };
      for (const p of provisioners) record[`provisioners/${p}.sh`] = scriptHashes.get(p)!;
      files = Object.freeze(record);
      filesByScripts.set(key, files);
      serialised.set(files, canonicalJson(files));
    }
    return files;
  };
  // Variable values and settings repeat across images (globals, shared settings): each distinct text hashed once.
  const hashes = new Map<string, string>();
  const hashOf = (text: string): string => {
    let hash = hashes.get(text);
    if (hash === undefined) hashes.set(text, (hash = sha256(text)));
    return hash;
  };
  const secrets = Object.fromEntries((config.secrets ?? []).map((name) => [name, 'secret']));
  const out = new Map<string, Fingerprinted>();
  for (const node of tree.order) {
    const template = templates.get(node.name);
    if (template === undefined) throw new Error(`bug: no template rendered for ${node.name}`);
    const resolved = node.parent === undefined ? base(node.name) : undefined;
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(node.image.variables)) variables[k] = hashOf(v);
    const inputs: FingerprintInputs = {
      template: sha256(template),
      files: filesFor(node.image.provisioners),
      // Secrets count by name only: their values must not be derivable from a label or tag.
      variables: Object.assign(variables, secrets),
      // Canonical JSON: the key order of a setting's value (a map such as region_kms_key_ids) is not content.
      settings: Object.fromEntries(Object.entries(settings(node)).map(([k, v]) => [k, hashOf(canonicalJson(v))])),
      parent: node.parent === undefined ? null : out.get(node.parent)!.fingerprint,
      // Present only when resolved: an absent key, not `undefined`, keeps canonical JSON (and old fingerprints) unchanged.
      ...(resolved === undefined ? {} : { base: { name: resolved.name, id: resolved.id } }),
    };
    out.set(node.name, { fingerprint: fingerprint(inputs, serialised), inputs });
  }
  return out;
}

/** path (relative to root, forward slashes) → sha256, for every regular file below dir; empty when dir is absent. */
async function hashDirectory(root: string, dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const out: Record<string, string> = {};
  const sorted = files.sort();
  const hashes = await Promise.all(sorted.map(async (file) => sha256(await readFile(file))));
  sorted.forEach((file, i) => (out[relative(root, file).split('\\').join('/')] = hashes[i]!));
  return out;
}
