import type { BuildOutcome } from '../engine/build.js';
import type { ImageStatus } from '../engine/manifest.js';
import type { ProvenanceJson } from '../provenance/provenance.js';
import type { TargetName } from '../targets/target.js';

/** `build --json`: a stable object for CI scripts, described by schema/build-result.schema.json. */
export interface BuildResultJson {
  readonly version: 1;
  readonly command: 'build';
  readonly target: TargetName;
  readonly status: 'succeeded' | 'failed' | 'interrupted' | 'not-started';
  readonly message: string | null;
  readonly tfvars: string | null;
  readonly images: readonly {
    readonly image: string;
    readonly parent: string | null;
    readonly status: ImageStatus;
    readonly id: string | null;
    readonly regions: Readonly<Record<string, string>> | null;
    readonly reasons: readonly string[];
    readonly startedAt: string | null;
    readonly durationMs: number | null;
    readonly log: string | null;
    readonly error: string | null;
    readonly provenance: ProvenanceJson | null;
  }[];
}

/** `lateSignal`: a signal came after the outputs were written; the run exits 130 and `message` says so. */
export function buildResultJson(target: TargetName, outcome: BuildOutcome, lateSignal = false): BuildResultJson {
  if (outcome.status === 'not-started') {
    return { version: 1, command: 'build', target, status: 'not-started', message: outcome.message, tfvars: null, images: [] };
  }
  return {
    version: 1,
    command: 'build',
    target,
    status: outcome.status,
    message: lateSignal && outcome.status !== 'interrupted' ? LATE_SIGNAL : null,
    tfvars: outcome.status === 'succeeded' ? (outcome.tfvars ?? null) : null,
    images: Object.entries(outcome.images).map(([image, entry]) => ({
      image,
      parent: entry.parent,
      status: entry.status,
      id: entry.id ?? null,
      regions: entry.regions ?? null,
      reasons: entry.reasons ?? [],
      startedAt: entry.startedAt ?? null,
      durationMs: entry.durationMs ?? null,
      log: entry.log ?? null,
      error: entry.error ?? null,
      provenance: entry.provenance ?? null,
    })),
  };
}

/** What `build --json` says when the outputs were written in full and a signal came after. */
export const LATE_SIGNAL = 'interrupted after the outputs were written; the run exits 130';
