import type { Config, ImageConfig } from './types.js';
import { locate, type LocationMap } from './locations.js';
import { toPointer, type ValuePath } from './pointer.js';
import type { RawConfig, RawVariableValue } from './raw.js';

export const DEFAULT_BASE_IMAGE = 'ubuntu:22.04';
export const DEFAULT_REPOSITORY = 'build-images';
export const DEFAULT_TAG = 'latest';

/** Raw → validated: defaults applied, variables as strings. Only for a RawConfig with no diagnostics. */
export function normalise(
  raw: RawConfig,
  locations: LocationMap,
  source: { readonly root: string; readonly files: readonly string[] },
): Config {
  const globals = stringify(raw.variables, ['variables'], locations);
  const docker = raw.targets?.docker ?? {};
  const images = Object.entries(raw.images).map(([name, image]): ImageConfig => {
    const location = locate(locations, toPointer(['images', name]), 'key');
    if (location === undefined) throw new Error(`internal error: no location for image "${name}"`);
    return {
      name,
      parent: image.parent,
      provisioners: [...image.provisioners],
      variables: { ...globals, ...stringify(image.variables, ['images', name, 'variables'], locations) },
      location,
    };
  });
  return {
    root: source.root,
    files: [...source.files],
    version: 1,
    variables: globals,
    targets: {
      docker: {
        baseImage: docker.base_image ?? DEFAULT_BASE_IMAGE,
        repository: docker.repository ?? DEFAULT_REPOSITORY,
        tag: docker.tag ?? DEFAULT_TAG,
        runArgs: [...(docker.run_args ?? [])],
        concurrency: docker.concurrency,
      },
    },
    images,
  };
}

/** Numbers and booleans become the text the user wrote (`1.10` stays "1.10"). */
function stringify(
  variables: Readonly<Record<string, RawVariableValue>> | undefined,
  path: ValuePath,
  locations: LocationMap,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables ?? {}).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : (locations.get(toPointer([...path, name]))?.source ?? String(value)),
    ]),
  );
}
