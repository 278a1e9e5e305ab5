/** Packer versions, and what a version needs from a template. */
export interface PackerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parsePackerVersion(output: string): PackerVersion | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export const formatVersion = (v: PackerVersion): string => `${v.major}.${v.minor}.${v.patch}`;

export function atLeast(v: PackerVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** HCL2 templates with `variable` blocks and the docker builder's `changes` need 1.6. */
export const MINIMUM_PACKER: PackerVersion = { major: 1, minor: 6, patch: 0 };

/** From 1.7 builders are plugins: templates declare `required_plugins` and the tool runs `packer init`. */
export const usesPlugins = (v: PackerVersion): boolean => atLeast(v, 1, 7);
