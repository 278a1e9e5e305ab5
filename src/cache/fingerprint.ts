import { createHash } from 'node:crypto';

/**
 * Everything that determines an image's content, as hashes. Values are never stored raw (variables
 * may hold secrets); the record goes into the manifest so a later plan can say what changed.
 */
export interface FingerprintInputs {
  /** The rendered template (structure only; the parent appears as `parent` below, never as an ID). */
  readonly template: string;
  /** Project-relative path → sha256 of the bytes: the image's provisioner scripts and provisioners/lib/. */
  readonly files: Readonly<Record<string, string>>;
  /** Variable name → sha256 of its effective value. */
  readonly variables: Readonly<Record<string, string>>;
  /** Target setting → sha256 of its value (e.g. the base image of a root, the build container's run args). */
  readonly settings: Readonly<Record<string, string>>;
  /** The parent's fingerprint; null for a root. */
  readonly parent: string | null;
  /**
   * A root's base as resolved when planning: its name and what the name pointed at (a Docker image ID or
   * digest, a source AMI ID). Kept raw, not hashed (an ID is no secret), so `plan` can show the move.
   * Absent for children (the parent fingerprint carries it) and in manifests older than this field.
   */
  readonly base?: ResolvedBase;
}

/** What a root is built from: the name in the config and the immutable ID it resolved to. */
export interface ResolvedBase {
  /** e.g. "ubuntu:22.04", or the source AMI filter's name. */
  readonly name: string;
  /** e.g. "sha256:…" (Docker image ID or manifest digest) or "ami-…". */
  readonly id: string;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * JSON with object keys sorted at every level: key order in the config cannot change a fingerprint.
 * Otherwise as JSON.stringify: keys whose value is undefined are left out, undefined in an array is null.
 * `known`: the canonical JSON of objects already serialised (objects shared by many images), used as is.
 */
export function canonicalJson(value: unknown, known?: WeakMap<object, string>): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item, known))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const cached = known?.get(value);
    if (cached !== undefined) return cached;
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, known)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Bump when the meaning of the inputs changes, so old artifacts stop matching. */
const SCHEME = 'build-images/fingerprint/v1';

export function fingerprint(inputs: FingerprintInputs, known?: WeakMap<object, string>): string {
  return sha256(`${SCHEME}\n${canonicalJson(inputs, known)}`);
}

/** How a target words a change of its roots' resolved base in `plan` (TargetDefinition.wording.base). */
export interface BaseWording {
  /** The same base name now resolves to another ID. */
  moved(before: ResolvedBase, now: ResolvedBase): string;
  /** The last recorded build had no resolved base in its fingerprint (a manifest from before issue 17). */
  added(now: ResolvedBase): string;
}

/** Docker's words, and the default. */
export const DEFAULT_BASE_WORDING: BaseWording = {
  moved: (before, now) => `base image ${now.name} moved (${shortRef(before.id)} → ${shortRef(now.id)})`,
  added: (now) => `base image ${now.name} now part of the fingerprint (${shortRef(now.id)})`,
};

/** What differs between the inputs of the last recorded build and now, as the text `plan` prints. */
export function describeChanges(
  before: FingerprintInputs,
  now: FingerprintInputs,
  parentName: string | undefined,
  wording: BaseWording = DEFAULT_BASE_WORDING,
): string[] {
  const changes: string[] = [];
  if (before.template !== now.template) changes.push('template changed');
  changes.push(...mapChanges('', before.files, now.files));
  changes.push(...mapChanges('variable ', before.variables, now.variables));
  changes.push(...mapChanges('setting ', before.settings, now.settings));
  changes.push(...baseChange(before.base, now.base, wording));
  if (before.parent !== now.parent) changes.push(`parent ${parentName ?? ''} changed`.replace('  ', ' '));
  return changes;
}

/** A base that moved under the same name; a renamed base is already a changed setting. */
export function baseChange(
  before: ResolvedBase | undefined,
  now: ResolvedBase | undefined,
  wording: BaseWording = DEFAULT_BASE_WORDING,
): string[] {
  if (now === undefined || before?.id === now.id) return [];
  if (before === undefined) return [wording.added(now)];
  if (before.name !== now.name) return [];
  return [wording.moved(before, now)];
}

/** `sha256:` and 12 hex digits (Docker's short ID length) and an ellipsis; other IDs (ami-…) are short already. */
export const shortRef = (id: string): string => {
  const digest = /^sha256:([0-9a-f]{64})$/.exec(id)?.[1];
  return digest === undefined ? id : `sha256:${digest.slice(0, 12)}…`;
};

function mapChanges(prefix: string, before: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  return keys.flatMap((key) => {
    if (!(key in before)) return [`${prefix}${key} added`];
    if (!(key in now)) return [`${prefix}${key} removed`];
    return before[key] === now[key] ? [] : [`${prefix}${key} changed`];
  });
}
