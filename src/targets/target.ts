import type { BaseWording, ResolvedBase } from '../cache/fingerprint.js';
import type { Diagnostic } from '../config/diagnostic.js';
import type { Config } from '../config/types.js';
import type { CheckResult } from '../doctor/check.js';
import type { ImageNode, ImageTree } from '../graph/tree.js';
import type { Packer } from '../packer/run.js';
import type { PackerVersion } from '../packer/version.js';
import type { Provenance } from '../provenance/provenance.js';
import type { Result } from '../result.js';
import type { ProjectIdentity } from './project.js';

export type TargetName = 'docker' | 'ami';
export const TARGET_NAMES: readonly TargetName[] = ['docker', 'ami'];

/** A file the tool generates (a Packer template): path relative to the project root, forward slashes. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * What a target is before any config is read: the registry (targets/registry.ts) maps a name to one.
 * Everything here is pure or reads only the arguments it is given; `open` makes the port for one config.
 */
export interface TargetDefinition {
  readonly name: TargetName;
  /** Templates need no target settings (those travel in the variables file): only the tree and Packer's version. */
  readonly templates: {
    readonly dir: string;
    render(tree: ImageTree, packer: PackerVersion, uploadLib: boolean): GeneratedFile[];
  };
  /** The Terraform root that consumes the images, its variables file, and the one reader of that file. */
  readonly terraform: {
    readonly root: string;
    /** Relative to the project root. */
    readonly tfvars: string;
    /** The IDs per image in a tfvars file this target wrote; an error for anything else (never a guess). */
    read(text: string): Result<Map<string, string[]>, string>;
  };
  /** What the root images start from, for people: the base image, or the source AMI filter. */
  rootSource(config: Config): string;
  /** How the target's words differ. */
  readonly wording: {
    /** What Packer removes when a build is stopped (interrupt or timeout). */
    readonly cleanup: string;
    /** How `plan` says the roots' resolved base changed; undefined: "base image <name> moved (a → b)". */
    readonly base?: BaseWording;
  };
  /** Problems in the config that keep it from being built for this target (exit 2). */
  problems(config: Config): readonly Diagnostic[];
  /** Doctor's checks for this target, after the config and Packer were probed (same order every run). */
  doctor(input: DoctorInput): Promise<DoctorOutput>;
  /** The port for one config; the caller checked `problems(config)` first. */
  open(config: Config, deps?: OpenDeps): Target<unknown>;
}

export interface OpenDeps {
  /** Where a target says what it is doing outside an image's build (e.g. pulling the base image). */
  readonly note?: (message: string) => void;
}

export interface DoctorInput {
  /** undefined when the config is not valid. */
  readonly config: Config | undefined;
  /** The Packer version found, when a usable one was. */
  readonly packer: PackerVersion | undefined;
  readonly env: NodeJS.ProcessEnv;
}

export interface DoctorOutput {
  readonly checks: readonly CheckResult[];
  /** A directory of the target's that needs disk space on this machine, or why it is not checked here. */
  readonly disk?: { readonly path: string } | { readonly remote: string };
}

export interface TargetBuildFailure {
  readonly message: string;
  readonly logFile: string | undefined;
  readonly interrupted: boolean;
}

/** What the engine hands one image's build: `context` is what the target's preflight returned for this run. */
export interface TargetBuildContext<C> {
  readonly context: C;
  readonly packer: Packer;
  readonly packerVersion: PackerVersion;
  /** Secret values by name (config `secrets`, read from the environment): given to provisioners, never written or logged. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly timeoutMs: number | undefined;
  readonly onLine: (line: string) => void;
  /** This run's provenance (resolved base, tool version, git state): the target adds the image's fingerprint and records it on the artifact. */
  readonly provenance: Omit<Provenance, 'fingerprint'>;
}

/** One image the engine wants reused if it can be: `recorded` are the IDs the project last handed out for it. */
export interface ReuseQuery {
  readonly image: string;
  readonly fingerprint: string;
  readonly recorded: readonly string[];
  /** The parent image's name; queries come parent first, so a target can reuse only children of its choice. */
  readonly parent?: string;
}

/** What a prune would do, as the target planned it; `apply` removes what the plan says. */
export interface TargetPrunePlan {
  readonly lines: readonly string[];
  readonly removeCount: number;
  /** Set when the target could not learn what is still in use (an API refused): nothing may be removed. */
  readonly problem?: string;
  apply(onRemoved: (line: string) => void): Promise<{ readonly failed: readonly string[] }>;
}

/** How `prune` was asked to judge use beyond the tfvars file; a target that cannot see use ignores it. */
export interface TargetPruneOptions {
  /** Keep what launched something this recently (AMIs: lastLaunchedTime); `text` as the user wrote it, e.g. "30d". */
  readonly usedWithin: { readonly text: string; readonly ms: number };
  readonly now: Date;
}

/** What a target's preflight found: a description for people, its context, and what the roots' base resolved to. */
export interface Preflight<C> {
  readonly description: string;
  readonly context: C;
  /**
   * What the roots start from, resolved now (a Docker image ID or digest, a source AMI ID): a fingerprint input,
   * so a base that moves under its name rebuilds the tree. undefined when the target does not resolve it.
   * A base that cannot be resolved makes preflight fail: nothing is built.
   */
  readonly base?: ResolvedBase;
}

/**
 * What the engine needs from a place images are built (a Docker engine, an AWS account), for one config.
 * The engine owns planning, scheduling, the manifest and writing files; a target knows its settings, its
 * reuse lookup, one image's build and what it hands to Terraform. `A` is one image's artifact, `C` what
 * preflight found (passed back to every later call: the port keeps no state between calls).
 */
export interface Target<A, C = unknown> {
  readonly definition: TargetDefinition;
  /** Builds at once from the config (targets.<name>.concurrency); undefined: decide at run time. */
  readonly concurrency: number | undefined;
  /** The project identity the target records on what it builds (prune keeps to it); undefined when it records none. */
  readonly project?: ProjectIdentity;
  /** The target settings that shape an image's content, for its fingerprint. */
  settings(image: { name: string; parent: string | undefined }): Readonly<Record<string, unknown>>;
  /** Checks before anything is written (engine reachable, credentials): a one-line description and the context. */
  preflight(): Promise<Result<Preflight<C>, string>>;
  /** Existing artifacts with these fingerprints, by image; an error when the lookup itself failed. */
  findReusable(queries: readonly ReuseQuery[], context: C): Promise<Result<ReadonlyMap<string, A>, string>>;
  /**
   * Optional: the newest artifact of each queried image, whatever its fingerprint (this project's only), for
   * saying why an image builds on a runner without a manifest (a fresh CI runner): a base that moved, or a
   * change, rather than "new". A failed lookup answers nothing: it only shapes wording, never stops a run.
   */
  findEarlier?(queries: readonly ReuseQuery[], context: C): Promise<ReadonlyMap<string, A>>;
  /** Work before the first build of a root (e.g. pulling the base image); returns why roots cannot build. */
  beforeRoots(context: C): Promise<string | undefined>;
  build(node: ImageNode, parent: A | undefined, fingerprint: string, ctx: TargetBuildContext<C>): Promise<Result<A, TargetBuildFailure>>;
  /** Makes a reused artifact current (e.g. re-tags it); may do nothing. */
  adopt(image: string, artifact: A): Promise<void>;
  /**
   * Removes what killed runs of this project left in the target (build containers holding the build's
   * environment, Packer's temp files); the caller holds the project lock, after a successful preflight.
   * One line per thing removed (or that could not be), for people.
   */
  removeLeftovers?(context: C): Promise<readonly string[]>;
  /** What the image was built from, for the manifest: the parent's ID or the base (as this run's preflight resolved it). */
  source(parent: A | undefined, context: C): string;
  /** The artifact's IDs as recorded in the manifest and the `--json` result. */
  ids(artifact: A): { readonly id: string; readonly regions?: Readonly<Record<string, string>> };
  /** A short form for progress lines and the summary. */
  describe(artifact: A): string;
  /** When the artifact was built, by the artifact's own record (image Created, AMI CreationDate); undefined when it does not say. */
  builtAt(artifact: A): Date | undefined;
  /** The provenance recorded on the artifact (labels, tags); undefined for one built before provenance was recorded. */
  provenance(artifact: A): Provenance | undefined;
  readonly logFile: (image: string) => string;
  /** The Terraform variables file's content for a complete tree (its path is `definition.terraform.tfvars`). */
  tfvars(artifacts: ReadonlyArray<readonly [image: string, artifact: A]>): string;
  /** Prune: how many per image to keep when --keep is not given, and the plan for `keep` and the IDs Terraform uses. */
  readonly prune: {
    readonly defaultKeep: number;
    /** What else keeps an image besides the newest, their parents and the tfvars (for messages), e.g. "launch templates". */
    readonly alsoKept?: string;
    plan(keep: number, referenced: ReadonlySet<string>, options?: TargetPruneOptions): Promise<TargetPrunePlan>;
  };
}
