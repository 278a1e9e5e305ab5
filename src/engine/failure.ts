import { formatVersion, MINIMUM_PACKER, type PackerVersion } from '../packer/version.js';
import { unreachable } from '../result.js';
import type { TargetName } from '../targets/target.js';
import type { TfvarsProblem } from '../targets/tfvars-file.js';

/**
 * Why a run (build, plan, graph --plan) could not start: nothing was built or written. One closed union,
 * rendered in one place (describeRunFailure); the compiler checks that every reason has its words.
 */
export type RunFailure =
  /** `packer version` failed: not on PATH, or it did not answer. */
  | { readonly reason: 'packer-unusable'; readonly message: string }
  | { readonly reason: 'packer-too-old'; readonly found: PackerVersion }
  /** The target's preflight: the engine or the account cannot be used. */
  | { readonly reason: 'target-unusable'; readonly target: TargetName; readonly message: string }
  | TfvarsProblem
  /** Looking for reusable images failed (e.g. EC2 access denied): planning "build" would hide it. */
  | { readonly reason: 'reuse-lookup'; readonly target: TargetName; readonly message: string }
  | { readonly reason: 'packer-init'; readonly template: string; readonly message: string }
  /** An output location (tfvars, manifest, templates, logs) cannot be written: found before building. */
  | { readonly reason: 'outputs-unwritable'; readonly message: string }
  /** A signal came before any build started (e.g. while a hung engine was being asked what exists). */
  | { readonly reason: 'interrupted' };

export function describeRunFailure(failure: RunFailure): string {
  switch (failure.reason) {
    case 'packer-unusable':
      return failure.message;
    case 'packer-too-old':
      return `Packer ${formatVersion(failure.found)} is too old: build-images needs >= ${formatVersion(MINIMUM_PACKER)} (HCL2 templates).`;
    case 'target-unusable':
      return failure.message;
    case 'tfvars-damaged':
      return `${failure.path} is not a variables file build-images wrote (${failure.problem}): restore it from version control, or delete it to start afresh`;
    case 'tfvars-unreadable':
      return `${failure.path} cannot be read: ${failure.message}`;
    case 'reuse-lookup':
      return failure.message;
    case 'packer-init':
      return `packer init failed for ${failure.template}: ${failure.message}`;
    case 'outputs-unwritable':
      return failure.message;
    case 'interrupted':
      return 'interrupted before any build started';
    default:
      return unreachable(failure);
  }
}
