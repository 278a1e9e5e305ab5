import type { SourceLocation } from './diagnostic.js';

/** Validated configuration: nothing downstream of config/ sees raw YAML. */
export interface Config {
  /** Absolute directory of the first config file: provisioners/, packer/, terraform/ and .build-images/ live here. */
  readonly root: string;
  /** The config files in overlay order, as the user named them. */
  readonly files: readonly string[];
  readonly version: 1;
  /** Global provisioner environment, already stringified. */
  readonly variables: Readonly<Record<string, string>>;
  readonly targets: { readonly docker: DockerTargetConfig };
  /** In the order the images first appear in the config. */
  readonly images: readonly ImageConfig[];
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
}

export interface ImageConfig {
  readonly name: string;
  readonly parent: string | undefined;
  /** Names of provisioners/<name>.sh, in run order. */
  readonly provisioners: readonly string[];
  /** Effective environment for this image: global variables overlaid with the image's own. */
  readonly variables: Readonly<Record<string, string>>;
  /** Where the image's key is defined (the last overlay that mentions it wins). */
  readonly location: SourceLocation;
}
