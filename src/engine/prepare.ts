import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { buildTree, type ImageTree } from '../graph/tree.js';
import { fingerprintTree, type Fingerprinted } from '../cache/collect-inputs.js';
import { decide, type Decision } from '../cache/decide.js';
import type { FingerprintInputs } from '../cache/fingerprint.js';
import { formatVersion, MINIMUM_PACKER, atLeast, type PackerVersion } from '../packer/version.js';
import type { Packer } from '../packer/run.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { FINGERPRINT_LABEL } from '../targets/docker/build-image.js';
import { dockerTemplates, hasProvisionerLib, type GeneratedFile } from './generate.js';
import { readManifest, type Manifest } from './manifest.js';
import { DOCKER_TFVARS_PATH } from '../terraform/tfvars.js';

/** Everything decided before any build starts: the data `plan` prints and `build` executes. */
export interface PreparedRun {
  readonly tree: ImageTree;
  readonly packer: PackerVersion;
  readonly engine: string;
  readonly templates: readonly GeneratedFile[];
  readonly fingerprints: ReadonlyMap<string, Fingerprinted>;
  readonly decisions: ReadonlyMap<string, Decision>;
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
    return { ok: false, message: `Packer ${formatVersion(version.value)} is too old: build-images needs >= ${formatVersion(MINIMUM_PACKER)} (HCL2 templates).` };
  }
  return { ok: true, version: version.value };
}

/** The settings of the Docker target that shape an image's content (repository and tag do not). */
export const dockerSettings = (config: Config) => (image: { parent: string | undefined }) => ({
  ...(image.parent === undefined ? { 'targets.docker.base_image': config.targets.docker.baseImage } : {}),
  'targets.docker.run_args': config.targets.docker.runArgs,
});

export async function prepareDockerRun(
  config: Config,
  deps: { packer: Packer; docker: DockerEngine },
  selection: Selection,
): Promise<{ ok: true; value: PreparedRun } | { ok: false; message: string }> {
  const tree = buildTree(config.images);
  const packer = await detectPacker(deps.packer);
  if (!packer.ok) return packer;
  const engine = await deps.docker.ping();
  if (!engine.ok) return { ok: false, message: engine.error };

  const templates = dockerTemplates(tree, packer.version, await hasProvisionerLib(config.root));
  const byImage = new Map(tree.order.map((node, i) => [node.name, templates[i]!.content]));
  const fingerprints = await fingerprintTree(config, tree, byImage, dockerSettings(config));
  const manifest = await readManifest(config.root, 'docker');
  const recorded = await recordedIds(config.root, manifest);
  const existing = new Map<string, string | undefined>();
  for (const node of tree.order) {
    const found = await deps.docker.findByLabel(FINGERPRINT_LABEL, fingerprints.get(node.name)!.fingerprint);
    existing.set(node.name, pickReusable(found.map((i) => i.id), recorded.get(node.name)));
  }
  const previous = previousInputs(manifest);
  const decisions = decide({ tree, fingerprints, existing, previous, ...selection });
  return { ok: true, value: { tree, packer: packer.version, engine: engine.value, templates, fingerprints, decisions } };
}

/** The inputs of each image's last good build, from the last manifest; empty when there is none. */
function previousInputs(manifest: Manifest | undefined): Map<string, FingerprintInputs> {
  return new Map(Object.entries(manifest?.images ?? {}).flatMap(([name, entry]) => (entry.inputs ? [[name, entry.inputs] as const] : [])));
}

/** The IDs the last run handed out, per image: from the manifest, else from the tfvars Terraform uses. */
async function recordedIds(root: string, manifest: Manifest | undefined): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  const add = (image: string, id: unknown): void => {
    if (typeof id === 'string') ids.set(image, [...(ids.get(image) ?? []), id]);
  };
  for (const [image, entry] of Object.entries(manifest?.images ?? {})) add(image, entry.id);
  const tfvars = await readFile(join(root, DOCKER_TFVARS_PATH), 'utf8').then((t) => JSON.parse(t) as { images?: Record<string, unknown> }, () => undefined);
  for (const [image, id] of Object.entries(tfvars?.images ?? {})) add(image, id);
  return ids;
}

/**
 * Several images may carry one fingerprint (a forced rebuild, a colleague's build). Prefer the one this
 * project last used, so an unchanged tree keeps handing Terraform the same IDs; else the newest.
 */
export function pickReusable(candidatesNewestFirst: readonly string[], recorded: readonly string[] | undefined): string | undefined {
  return candidatesNewestFirst.find((id) => recorded?.includes(id)) ?? candidatesNewestFirst[0];
}
