import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { FingerprintInputs } from '../cache/fingerprint.js';
import type { ProvenanceJson } from '../provenance/provenance.js';
import type { TargetName } from '../targets/target.js';

/** `.build-images/<target>/manifest.json`: what the last run did, image by image. */
export type ImageStatus = 'built' | 'reused' | 'failed' | 'skipped' | 'absent';

export interface ManifestImage {
  readonly status: ImageStatus;
  readonly id?: string;
  /** AMI target: the AMI in every region. */
  readonly regions?: Readonly<Record<string, string>>;
  readonly parent: string | null;
  /** What the image was built from: the parent's ID, or the base image. */
  readonly source?: string;
  readonly durationMs?: number;
  /** When this run started building it (ISO 8601, ms): with durationMs, the build's time line. */
  readonly startedAt?: string;
  /** How long this image's last successful build took (carried over by runs that reuse it): the scheduler starts long builds first. */
  readonly lastBuildMs?: number;
  readonly log?: string;
  readonly error?: string;
  readonly fingerprint?: string;
  /** Hashes of what went into the last good build of this image (kept across failed runs), for `plan`'s reasons. */
  readonly inputs?: FingerprintInputs;
  /** Why it was built. */
  readonly reasons?: readonly string[];
  /** Where the artifact came from: as this run built it, or as a reused artifact records it (absent when it does not). */
  readonly provenance?: ProvenanceJson;
}

export interface Manifest {
  readonly version: 1;
  readonly target: TargetName;
  readonly tool: string;
  readonly packer: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** `interrupted` only in manifests of older versions: an interrupted run now writes no manifest (issue 13 #15). */
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  /** Why the run failed when no image did (e.g. the tfvars could not be written). */
  readonly error?: string;
  readonly images: Readonly<Record<string, ManifestImage>>;
}

export const manifestPath = (root: string, target: string): string => join(root, '.build-images', target, 'manifest.json');

export const renderManifest = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

/** Log paths are stored relative to the project root so the manifest survives a moved checkout. */
export const relativeLog = (root: string, log: string): string => relative(root, log);

/** The last manifest, or undefined when there is none or it cannot be read (it is a record, not a source of truth). */
export async function readManifest(root: string, target: string): Promise<Manifest | undefined> {
  const text = await readFile(manifestPath(root, target), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Manifest;
  } catch {
    return undefined;
  }
}
