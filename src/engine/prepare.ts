import type { Config } from '../config/types.js';
import { buildTree, type ImageTree } from '../graph/tree.js';
import { fingerprintTree, type Fingerprinted } from '../cache/collect-inputs.js';
import { decide, type Decision, type EarlierBuild } from '../cache/decide.js';
import type { FingerprintInputs, ResolvedBase } from '../cache/fingerprint.js';
import { MINIMUM_PACKER, atLeast, type PackerVersion } from '../packer/version.js';
import type { Packer } from '../packer/run.js';
import type { GeneratedFile, ReuseQuery, Target } from '../targets/target.js';
import { readTfvarsFile, type TfvarsProblem } from '../targets/tfvars-file.js';
import { err, ok, type Result } from '../result.js';
import type { RunFailure } from './failure.js';
import { hasProvisionerLib } from './generate.js';
import { readManifest, type Manifest } from './manifest.js';

/** Everything decided before any build starts: the data `plan` prints and `build` executes. */
export interface PreparedRun<A, C = unknown> {
  readonly tree: ImageTree;
  readonly packer: PackerVersion;
  /** The target's one-line description from its preflight. */
  readonly engine: string;
  /** What the target's preflight found, for its builds. */
  readonly context: C;
  /** What the roots' base resolved to (in their fingerprints, and in every image's provenance). */
  readonly base: ResolvedBase | undefined;
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
export async function detectPacker(packer: Packer): Promise<Result<PackerVersion, RunFailure>> {
  const version = await packer.version();
  if (!version.ok) return err({ reason: 'packer-unusable', message: version.error });
  if (!atLeast(version.value, MINIMUM_PACKER.major, MINIMUM_PACKER.minor)) return err({ reason: 'packer-too-old', found: version.value });
  return ok(version.value);
}

/** Fingerprints of the whole tree as the target would render it. */
export async function fingerprintsFor<A, C>(
  config: Config,
  tree: ImageTree,
  target: Target<A, C>,
  packer: PackerVersion,
  base?: ResolvedBase,
) {
  const templates = target.definition.templates.render(tree, packer, await hasProvisionerLib(config.root));
  const byImage = new Map(tree.order.map((node, i) => [node.name, templates[i]!.content]));
  return {
    templates,
    fingerprints: await fingerprintTree(
      config,
      tree,
      byImage,
      (image) => target.settings(image),
      () => base,
    ),
  };
}

export async function prepareRun<A, C>(
  config: Config,
  deps: { packer: Packer; target: Target<A, C> },
  selection: Selection,
): Promise<Result<PreparedRun<A, C>, RunFailure>> {
  const { target } = deps;
  const tree = buildTree(config.images);
  // Both ask another process or the network: ask at once.
  const [packer, engine] = await Promise.all([detectPacker(deps.packer), target.preflight()]);
  if (!packer.ok) return packer;
  const name = target.definition.name;
  if (!engine.ok) return err({ reason: 'target-unusable', target: name, message: engine.error });

  const base = engine.value.base;
  const { templates, fingerprints } = await fingerprintsFor(config, tree, target, packer.value, base);
  const manifest = await readManifest(config.root, target.definition.name);
  const recorded = await recordedIds(config.root, target, manifest);
  if (!recorded.ok) return recorded;
  const queries = tree.order.map((node) => ({
    image: node.name,
    fingerprint: fingerprints.get(node.name)!.fingerprint,
    recorded: recorded.value.get(node.name) ?? [],
    ...(node.parent === undefined ? {} : { parent: node.parent }),
  }));
  const found = await target.findReusable(queries, engine.value.context);
  if (!found.ok) return err({ reason: 'reuse-lookup', target: name, message: found.error });
  const existing = new Map<string, A | undefined>(tree.order.map((node) => [node.name, found.value.get(node.name)]));
  const previous = previousInputs(manifest);
  const earlier = await earlierBuilds(
    target,
    engine.value.context,
    queries,
    (image) => previous.has(image) || existing.get(image) !== undefined,
  );
  const decisions = decide({
    tree,
    fingerprints,
    existing,
    previous,
    ...(earlier === undefined ? {} : { earlier }),
    ...selection,
    // Ages from the artifacts themselves, measured at one moment for the whole plan.
    builtAt: (artifact) => target.builtAt(artifact),
    now: new Date(),
    ...(target.definition.wording.base === undefined ? {} : { baseWording: target.definition.wording.base }),
  });
  return {
    ok: true,
    value: {
      tree,
      packer: packer.value,
      engine: engine.value.description,
      context: engine.value.context,
      base,
      templates,
      fingerprints,
      decisions,
      manifest,
    },
  };
}

/**
 * For images the manifest does not know and nothing can be reused for: their newest earlier build and the base
 * it records, so a fresh runner's plan can say "base moved" or "changed" rather than "new". Undefined when the
 * target cannot look.
 */
async function earlierBuilds<A, C>(
  target: Target<A, C>,
  context: C,
  queries: readonly ReuseQuery[],
  known: (image: string) => boolean,
): Promise<Map<string, EarlierBuild> | undefined> {
  if (target.findEarlier === undefined) return undefined;
  const unknown = queries.filter((q) => !known(q.image));
  if (unknown.length === 0) return new Map();
  const found = await target.findEarlier(unknown, context);
  return new Map(
    [...found].map(([image, artifact]) => {
      const base = target.provenance(artifact)?.base;
      return [image, { shown: target.describe(artifact), ...(base === undefined ? {} : { base }) }] as const;
    }),
  );
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
async function recordedIds<A, C>(
  root: string,
  target: Target<A, C>,
  manifest: Manifest | undefined,
): Promise<Result<Map<string, string[]>, TfvarsProblem>> {
  const ids = new Map<string, string[]>();
  for (const [image, entry] of Object.entries(manifest?.images ?? {})) if (entry.id) ids.set(image, [entry.id]);
  const inTfvars = await readTfvarsFile(root, target.definition);
  if (!inTfvars.ok) return inTfvars;
  // The manifest and the tfvars name the same ID after a good run: once each.
  for (const [image, list] of inTfvars.value) ids.set(image, [...new Set([...(ids.get(image) ?? []), ...list])]);
  return ok(ids);
}
