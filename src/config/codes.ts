import type { Diagnostic, SourceLocation } from './diagnostic.js';

/** Every error code config/ can produce. Stable: tests, docs and users key on them. */
export type ConfigErrorCode =
  // The --config files themselves.
  | 'config-not-found'
  | 'config-not-a-file'
  | 'config-unreadable'
  // YAML level.
  | 'yaml-syntax'
  | 'yaml-alias-limit'
  | 'duplicate-key'
  | 'unsupported-key'
  | 'empty-config'
  | 'config-not-a-map'
  // Schema level.
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'invalid-value'
  | 'unsupported-version'
  | 'no-images'
  | 'no-provisioners'
  | 'invalid-image-name'
  | 'invalid-variable-name'
  | 'invalid-provisioner-name'
  | 'provisioner-path'
  | 'run-args-template'
  | 'empty-list'
  // Semantic rules.
  | 'unknown-parent'
  | 'self-parent'
  | 'parent-cycle'
  | 'missing-provisioner'
  | 'provisioner-not-a-file'
  | 'provisioner-outside-root'
  | 'provisioner-unreadable'
  | 'provisioner-lib-entry'
  | 'variable-nul'
  | 'variable-too-large'
  | 'environment-too-large'
  | 'invalid-base-image'
  // AMI target rules.
  | 'ami-copy-to-build-region'
  | 'ami-kms-without-encryption'
  | 'ami-kms-region-not-copied'
  | 'ami-kms-region-missing'
  | 'ami-subnet-conflict'
  | 'ami-vpc-filter-alone'
  | 'reserved-tag'
  | 'invalid-tag-key'
  | 'packer-template-text'
  // Docker target rules.
  | 'invalid-registry'
  | 'run-args-name';

export function diagnostic(code: ConfigErrorCode, message: string, location?: SourceLocation, hint?: string): Diagnostic {
  return {
    code,
    message,
    ...(location === undefined ? {} : { location }),
    ...(hint === undefined ? {} : { hint }),
  };
}
