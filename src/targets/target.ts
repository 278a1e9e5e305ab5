import type { ImageNode, ImageTree } from '../graph/tree.js';
import type { GeneratedFile } from '../engine/generate.js';
import type { Packer } from '../packer/run.js';
import type { PackerVersion } from '../packer/version.js';
import type { Result } from '../result.js';

export type TargetName = 'docker' | 'ami';
export const TARGET_NAMES: readonly TargetName[] = ['docker', 'ami'];

export interface TargetBuildFailure {
  readonly message: string;
  readonly logFile: string | undefined;
  readonly interrupted: boolean;
}

export interface TargetBuildContext {
  readonly packer: Packer;
  /** Secret values by name (config `secrets`, read from the environment): given to provisioners, never written or logged. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly timeoutMs: number | undefined;
  readonly onLine: (line: string) => void;
}

/**
 * What the engine needs from a place images are built (a Docker engine, an AWS account). The engine
 * owns planning, scheduling, the manifest and the tfvars; a target knows its templates, its reuse
 * lookup, one image's build and what it hands to Terraform. `A` is one image's artifact.
 */
export interface Target<A> {
  readonly name: TargetName;
  readonly templateDir: string;
  templatePath(image: string): string;
  templates(tree: ImageTree, packer: PackerVersion, uploadLib: boolean): GeneratedFile[];
  /** The target settings that shape an image's content, for its fingerprint. */
  settings(image: { name: string; parent: string | undefined }): Readonly<Record<string, unknown>>;
  /** Checks before anything is written (engine reachable, credentials); a one-line description on success. */
  preflight(): Promise<Result<string, string>>;
  /** An existing artifact with this fingerprint; `recorded` are the IDs the project last used for the image. */
  findReusable(image: string, fingerprint: string, recorded: readonly string[]): Promise<A | undefined>;
  /** Work before the first build of a root (e.g. pulling the base image); returns why roots cannot build. */
  beforeRoots(): Promise<string | undefined>;
  build(node: ImageNode, parent: A | undefined, fingerprint: string, ctx: TargetBuildContext): Promise<Result<A, TargetBuildFailure>>;
  /** Makes a reused artifact current (e.g. re-tags it); may do nothing. */
  adopt(image: string, artifact: A): Promise<void>;
  /** What the image was built from, for the manifest: the parent's ID or the base. */
  source(parent: A | undefined): string;
  /** The artifact's IDs as recorded in the manifest and the `--json` result. */
  ids(artifact: A): { readonly id: string; readonly regions?: Readonly<Record<string, string>> };
  /** A short form for progress lines and the summary. */
  describe(artifact: A): string;
  readonly logFile: (image: string) => string;
  /** The Terraform variables file for a complete tree: path relative to the root, and content. */
  tfvars(artifacts: ReadonlyArray<readonly [image: string, artifact: A]>): { readonly path: string; readonly content: string };
  /** IDs recorded in the target's tfvars file, per image, to prefer them among equal reusable artifacts. */
  readonly tfvarsPath: string;
  recordedInTfvars(parsed: unknown): Map<string, string[]>;
}
