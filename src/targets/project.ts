import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { Config } from '../config/types.js';

/**
 * The project's identity, stored on every image it builds (the Docker label `org.build-images.project`) so
 * that prune only ever considers its own images. It is the config's top-level `project:` when set; else
 * the first 12 hex digits of the SHA-256 of the project root's real path: without a name in the config,
 * the root tells two checkouts apart on one machine. Moving or re-cloning the project then gives a new
 * identity, so prune keeps the older images rather than removing another project's: the safe way to be
 * wrong, but a CI runner that checks out into a new directory each time never prunes what earlier runs
 * built. `project:` is for that: every checkout with the same name is the same project.
 */
export interface ProjectIdentity {
  readonly id: string;
  /** `config`: the `project:` setting; `path`: a hash of the project root's real path. */
  readonly from: 'config' | 'path';
  /** For people: where the identity comes from. */
  readonly source: string;
}

export function projectIdentity(config: Pick<Config, 'root' | 'project'>): ProjectIdentity {
  if (config.project !== undefined) {
    const at = config.project.location;
    return { id: config.project.name, from: 'config', source: `project: in ${at === undefined ? 'the config' : `${at.file}:${at.line}`}` };
  }
  return { id: projectId(config.root), from: 'path', source: `a hash of the path ${config.root}` };
}

/** Said by doctor and plan when the identity comes from the path: what that means for CI, and the fix. */
export const PATH_IDENTITY_ADVICE =
  'another checkout of this project (a CI runner in another directory) is another project to prune; set `project: <name>` in images.yaml so every checkout shares one identity';

/** The path-derived identity: the first 12 hex digits of the SHA-256 of the root's real path. */
export function projectId(root: string): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // A root that cannot be resolved is used as given: the identity is still stable for that path.
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 12);
}
