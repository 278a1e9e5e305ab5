import type { SourceLocation } from './diagnostic.js';
import type { MaxAge } from './max-age.js';

/** Validated configuration: nothing downstream of config/ sees raw YAML. */
export interface Config {
  /** Absolute directory of the first config file: provisioners/, packer/, terraform/ and .build-images/ live here. */
  readonly root: string;
  /** The config files in overlay order, as the user named them. */
  readonly files: readonly string[];
  readonly version: 1;
  /**
   * Top-level `project`: the name stored on every image as the project's identity (targets/project.ts).
   * undefined: the identity is a hash of `root`'s real path.
   */
  readonly project?: ProjectName;
  /** Global provisioner environment, already stringified. */
  readonly variables: Readonly<Record<string, string>>;
  /** Names of environment variables passed to provisioners but never written or logged. */
  readonly secrets?: readonly string[];
  /** Top-level `max_age`: images older than this are rebuilt; undefined: no limit. Each image's effective one is on the image. */
  readonly maxAge?: MaxAge;
  readonly targets: {
    readonly docker: DockerTargetConfig;
    /** Present when the config has a `targets.ami` section; `amiTarget()` checks what --target ami needs. */
    readonly ami?: AmiTargetConfig;
  };
  /** In the order the images first appear in the config. */
  readonly images: readonly ImageConfig[];
}

export interface ProjectName {
  readonly name: string;
  /** Where `project:` is set (the last overlay that sets it). */
  readonly location: SourceLocation | undefined;
}

export interface DockerTargetConfig {
  /** Source image of root images, e.g. "ubuntu:22.04". */
  readonly baseImage: string;
  /** Images are tagged <repository>/<image name>:<tag>. */
  readonly repository: string;
  readonly tag: string;
  /** Extra `docker run` arguments for build containers. */
  readonly runArgs: readonly string[];
  /** Builds at once; undefined means "decide at run time". */
  readonly concurrency: number | undefined;
  /**
   * Registry and repository prefix images are pushed to as `<registry>/<image>` (e.g. "ghcr.io/acme/cortex");
   * the tfvars then pins `<registry>/<image>@sha256:<digest>`. undefined: the local engine only.
   */
  readonly registry?: string;
}

/** `targets.ami`, defaults applied. Names follow Packer's amazon-ebs options. */
export interface AmiTargetConfig {
  /** Build region. Optional in the config (only --target ami needs it): `amiTarget()` reports it missing. */
  readonly region: string | undefined;
  /** Regions the AMIs are copied to (Packer's ami_regions), never including `region`. */
  readonly copyTo: readonly string[];
  readonly instanceType: string;
  readonly sshUsername: string;
  /** Where root images start: the newest AMI matching this. */
  readonly sourceAmiFilter: AmiSourceFilter;
  readonly subnetId: string | undefined;
  /** Tags the build subnet must have; empty means no subnet filter. */
  readonly subnetTags: Readonly<Record<string, string>>;
  /** Tags the build VPC must have; empty means no VPC filter. */
  readonly vpcTags: Readonly<Record<string, string>>;
  /** undefined: the subnet's default. */
  readonly associatePublicIpAddress: boolean | undefined;
  /** undefined: as the source AMI is. */
  readonly encryptBoot: boolean | undefined;
  readonly kmsKeyId: string | undefined;
  /** KMS key per copy_to region. */
  readonly regionKmsKeyIds: Readonly<Record<string, string>>;
  /** The user's extra tags; the tool's own `build-images:*` tags are added when rendering. */
  readonly tags: Readonly<Record<string, string>>;
  readonly concurrency: number;
  /** AMIs per image that prune keeps. */
  readonly keep: number;
  /** Where `targets.ami` is written (its key), for problems with the section as a whole. */
  readonly location: SourceLocation | undefined;
}

export interface AmiSourceFilter {
  /** AMI name, with `*` and `?` wildcards. */
  readonly name: string;
  readonly owners: readonly string[];
  readonly virtualizationType: string;
  readonly rootDeviceType: string;
}

/** The AMI target once --target ami has checked it: the build region is known. */
export type BuildableAmiTarget = AmiTargetConfig & { readonly region: string };

export interface ImageConfig {
  readonly name: string;
  readonly parent: string | undefined;
  /** Names of provisioners/<name>.sh, in run order. */
  readonly provisioners: readonly string[];
  /** Effective environment for this image: global variables overlaid with the image's own. */
  readonly variables: Readonly<Record<string, string>>;
  /** Docker runtime settings set in the config (each unset field comes from the source image). */
  readonly docker?: DockerImageSettings;
  /** Effective `max_age`: the image's own, else the top-level one; undefined: reused at any age. */
  readonly maxAge?: MaxAge;
  /** Where the image's key is defined (the last overlay that mentions it wins). */
  readonly location: SourceLocation;
}

export interface DockerImageSettings {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly expose?: readonly string[];
}
