/**
 * The config after overlaying and a schema check that found its shape right (every value of
 * the right type, nothing required missing). Values may still break rules (names, version),
 * which is why `version` stays unknown here; config/normalise.ts only sees a RawConfig that
 * produced no diagnostics at all.
 */
export type RawVariableValue = string | number | boolean;

export interface RawConfig {
  readonly version: unknown;
  readonly project?: string;
  readonly variables?: Readonly<Record<string, RawVariableValue>>;
  readonly secrets?: readonly string[];
  readonly max_age?: string;
  readonly targets?: { readonly docker?: RawDockerTarget; readonly ami?: RawAmiTarget };
  readonly images: Readonly<Record<string, RawImage>>;
}

export interface RawDockerTarget {
  readonly base_image?: string;
  readonly repository?: string;
  readonly tag?: string;
  readonly run_args?: readonly string[];
  readonly concurrency?: number;
  readonly registry?: string;
}

export interface RawAmiTarget {
  readonly region?: string;
  readonly copy_to?: readonly string[];
  readonly instance_type?: string;
  readonly ssh_username?: string;
  readonly source_ami_filter?: {
    readonly name: string;
    readonly owners: readonly string[];
    readonly virtualization_type?: string;
    readonly root_device_type?: string;
  };
  readonly subnet_id?: string;
  readonly subnet_filter?: { readonly tags?: Readonly<Record<string, string>> };
  readonly vpc_filter?: { readonly tags?: Readonly<Record<string, string>> };
  readonly associate_public_ip_address?: boolean;
  readonly encrypt_boot?: boolean;
  readonly kms_key_id?: string;
  readonly region_kms_key_ids?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly concurrency?: number;
  readonly keep?: number;
}

export interface RawImage {
  readonly parent?: string;
  readonly provisioners: readonly string[];
  readonly variables?: Readonly<Record<string, RawVariableValue>>;
  readonly max_age?: string;
  readonly docker?: RawImageDocker;
}

export interface RawImageDocker {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly expose?: readonly string[];
}
