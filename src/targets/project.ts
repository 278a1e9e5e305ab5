import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';

/**
 * The project's identity, stored on every image it builds (Docker label, AMI tag) so that prune only ever
 * considers its own images. It is the first 12 hex digits of the SHA-256 of the project root's real path:
 * the config has no project name (and two projects may share a repository and image names), while the
 * root tells two checkouts apart on one machine. Moving or re-cloning the project gives a new identity, so
 * prune then keeps the older images rather than removing another project's: the safe way to be wrong.
 * `prune` prints it, and `docker inspect` shows it as the `org.build-images.project` label.
 */
export function projectId(root: string): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // A root that cannot be resolved is used as given: the identity is still stable for that path.
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 12);
}
