import { join, relative } from 'node:path';

/** `.build-images/<target>/manifest.json`: what the last run did, image by image. */
export type ImageStatus = 'built' | 'failed' | 'skipped';

export interface ManifestImage {
  readonly status: ImageStatus;
  readonly id?: string;
  readonly parent: string | null;
  /** What the image was built from: the parent's ID, or the base image. */
  readonly source?: string;
  readonly durationMs?: number;
  readonly log?: string;
  readonly error?: string;
}

export interface Manifest {
  readonly version: 1;
  readonly target: 'docker';
  readonly tool: string;
  readonly packer: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly images: Readonly<Record<string, ManifestImage>>;
}

export const manifestPath = (root: string, target: string): string => join(root, '.build-images', target, 'manifest.json');

export const renderManifest = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

/** Log paths are stored relative to the project root so the manifest survives a moved checkout. */
export const relativeLog = (root: string, log: string): string => relative(root, log);
