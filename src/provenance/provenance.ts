import type { ResolvedBase } from '../cache/fingerprint.js';

/** What the project's git work tree looked like when the run started. */
export interface GitState {
  readonly commit: string;
  /** Tracked or untracked changes under the project root, leaving out the tool's own outputs. */
  readonly dirty: boolean;
}

/**
 * Where an image came from, recorded on the image itself (Docker labels, AMI tags) and in `build --json`:
 * enough to answer "which images were built on that revoked base, from which commit, by which tool".
 */
export interface Provenance {
  /** The tree's base as resolved for this run: every image of a tree records the base its root was built on. */
  readonly base: ResolvedBase | undefined;
  readonly fingerprint: string;
  readonly toolVersion: string;
  /** undefined outside a git work tree (or without a git binary). */
  readonly git: GitState | undefined;
}

/** Docker labels. Ours under org.build-images.*, plus the OCI keys tools already read (image-spec annotations.md). */
export function provenanceLabels(p: Provenance): Record<string, string> {
  return {
    'org.build-images.fingerprint': p.fingerprint,
    'org.build-images.version': p.toolVersion,
    ...(p.base === undefined
      ? {}
      : {
          'org.build-images.base': p.base.name,
          'org.build-images.base-id': p.base.id,
          // OCI's name for "the image this one was built on" (opencontainers/image-spec annotations.md).
          'org.opencontainers.image.base.name': p.base.name,
        }),
    ...(p.git === undefined
      ? {}
      : {
          'org.build-images.git-commit': p.git.commit,
          'org.build-images.git-dirty': String(p.git.dirty),
          'org.opencontainers.image.revision': p.git.commit,
        }),
  };
}

/** AMI (and snapshot) tags, under the tool's reserved `build-images:` prefix. */
export function provenanceTags(p: Provenance, prefix = 'build-images:'): Record<string, string> {
  return {
    [`${prefix}fingerprint`]: p.fingerprint,
    [`${prefix}version`]: p.toolVersion,
    ...(p.base === undefined ? {} : { [`${prefix}base`]: p.base.name, [`${prefix}base-id`]: p.base.id }),
    ...(p.git === undefined ? {} : { [`${prefix}commit`]: p.git.commit, [`${prefix}dirty`]: String(p.git.dirty) }),
  };
}

/** The `provenance` object of an image in `build --json` (schema/build-result.schema.json). */
export interface ProvenanceJson {
  readonly base: { readonly name: string; readonly id: string } | null;
  readonly fingerprint: string;
  readonly toolVersion: string;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
}

export function provenanceJson(p: Provenance): ProvenanceJson {
  return {
    base: p.base === undefined ? null : { name: p.base.name, id: p.base.id },
    fingerprint: p.fingerprint,
    toolVersion: p.toolVersion,
    gitCommit: p.git?.commit ?? null,
    gitDirty: p.git?.dirty ?? null,
  };
}

/** Reads provenance back from labels or tags written by provenanceLabels/provenanceTags; undefined without a fingerprint. */
export function readProvenance(labels: Readonly<Record<string, string>>, prefix: string): Provenance | undefined {
  const get = (key: string): string | undefined => labels[`${prefix}${key}`];
  const fingerprint = get('fingerprint');
  if (fingerprint === undefined) return undefined;
  const baseName = get('base');
  const baseId = get('base-id');
  const commit = get('git-commit') ?? get('commit');
  const dirty = get('git-dirty') ?? get('dirty');
  return {
    fingerprint,
    toolVersion: get('version') ?? 'unknown',
    base: baseName === undefined || baseId === undefined ? undefined : { name: baseName, id: baseId },
    git: commit === undefined ? undefined : { commit, dirty: dirty === 'true' },
  };
}
