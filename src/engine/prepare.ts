import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { buildTree, type ImageTree } from '../graph/tree.js';
import { fingerprintTree, type Fingerprinted } from '../cache/collect-inputs.js';
import { decide, type Decision } from '../cache/decide.js';
import type { FingerprintInputs } from '../cache/fingerprint.js';
import { formatVersion, MINIMUM_PACKER, atLeast, type PackerVersion } from '../packer/version.js';
import type { Packer } from '../packer/run.js';
import type { Target } from '../targets/target.js';
import { hasProvisionerLib, type GeneratedFile } from './generate.js';
import { readManifest, type Manifest } from './manifest.js';

/** Everything decided before any build starts: the data `plan` prints and `build` executes. */
export interface PreparedRun<A> {
  readonly tree: ImageTree;
  readonly packer: PackerVersion;
  /** The target's one-line description from its preflight. */
  readonly engine: string;
  readonly templates: readonly GeneratedFile[];
  readonly fingerprints: ReadonlyMap<string, Fingerprinted>;
  readonly decisions: ReadonlyMap<string, Decision<A>>;
  readonly manifest: Manifest | undefined;
}

export interface Selection {
  readonly force: 'all' | ReadonlySet<string>;
  readonly only: ReadonlySet<string> | undefined;
}

export const SELECT_ALL: Selection = { force: new Set(), only: undefined };

/** Checks Packer before anything is written: missing or too old stops the run with the fix. */
export async function detectPacker(packer: Packer): Promise<{ ok: true; version: PackerVersion } | { ok: false; message: string }> {
  const version = await packer.version();
  if (!version.ok) return { ok: false, message: version.error };
  if (!atLeast(version.value, MINIMUM_PACKER.major, MINIMUM_PACKER.minor)) {
    return {
      ok: false,
      message: `Packer ${formatVersion(version.value)} is too old: build-images needs >= ${formatVersion(MINIMUM_PACKER)} (HCL2 templates).`,
    };
  }
  return { ok: true, version: version.value };
}

/** Fingerprints of the whole tree as the target would render it. */
export async function fingerprintsFor<A>(config: Config, tree: ImageTree, target: Target<A>, packer: PackerVersion) {
  const templates = target.templates(tree, packer, await hasProvisionerLib(config.root));
  const byImage = new Map(tree.order.map((node, i) => [node.name, templates[i]!.content]));
  return { templates, fingerprints: await fingerprintTree(config, tree, byImage, (image) => target.settings(image)) };
}

export async function prepareRun<A>(
  config: Config,
  deps: { packer: Packer; target: Target<A> },
  selection: Selection,
): Promise<{ ok: true; value: PreparedRun<A> } | { ok: false; message: string }> {
  const { target } = deps;
  const tree = buildTree(config.images);
  // Both ask another process or the network: ask at once.
  const [packer, engine] = await Promise.all([detectPacker(deps.packer), target.preflight()]);
  if (!packer.ok) return packer;
  if (!engine.ok) return { ok: false, message: engine.error };

  const { templates, fingerprints } = await fingerprintsFor(config, tree, target, packer.version);
  const manifest = await readManifest(config.root, target.name);
  const recorded = await recordedIds(config.root, target, manifest);
  const existing = new Map<string, A | undefined>();
  for (const node of tree.order) {
    existing.set(node.name, await target.findReusable(node.name, fingerprints.get(node.name)!.fingerprint, recorded.get(node.name) ?? []));
  }
  const decisions = decide({ tree, fingerprints, existing, previous: previousInputs(manifest), ...selection });
  return { ok: true, value: { tree, packer: packer.version, engine: engine.value, templates, fingerprints, decisions, manifest } };
}

/** The inputs of each image's last good build, from the last manifest; empty when there is none. */
function previousInputs(manifest: Manifest | undefined): Map<string, FingerprintInputs> {
  return new Map(Object.entries(manifest?.images ?? {}).flatMap(([name, entry]) => (entry.inputs ? [[name, entry.inputs] as const] : [])));
}

/**
 * The IDs the project last handed out, per image (manifest, then the tfvars Terraform uses). Several
 * artifacts may carry one fingerprint (a forced rebuild, a colleague's build); preferring these keeps an
 * unchanged tree handing Terraform the same IDs.
 */
async function recordedIds<A>(root: string, target: Target<A>, manifest: Manifest | undefined): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  for (const [image, entry] of Object.entries(manifest?.images ?? {})) if (entry.id) ids.set(image, [entry.id]);
  const parsed = await readFile(join(root, target.tfvarsPath), 'utf8').then(
    (t) => JSON.parse(t) as unknown,
    () => undefined,
  );
  for (const [image, list] of target.recordedInTfvars(parsed)) ids.set(image, [...(ids.get(image) ?? []), ...list]);
  return ids;
}
