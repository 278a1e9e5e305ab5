import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Packer's build containers carry a NAME that says whose they are: project, host, pid of the run, image.
 * A killed run (kill -9, a closed terminal before SIGHUP was handled, an engine that died mid-build) leaves
 * its container behind, and the container holds /tmp/build-images/env.sh with the build's variables and
 * secrets (issue 13 #6, #8); the next run (under the project lock) and `doctor` find such containers by name.
 *
 * A name, not a label: `docker commit` copies the container's labels into the image it makes (checked on
 * Docker 20.10.24: a container run with `--label org.x.run=abc` and committed gave an image labelled
 * {"org.x.run":"abc"}), so every container later started from a built image, Terraform's included, would carry
 * the build label, and a clean-up by label would remove them. A container's name is not copied.
 *
 * The name reaches Packer 1.6.6's docker builder through run_command (builder/docker/driver_docker.go,
 * StartContainer: `docker run` + the rendered run_command arguments), so it must not contain `{{`: it holds
 * only hex digits, digits and the image name (IMAGE_NAME: a-z, 0-9, "-", "_").
 */
export const BUILD_CONTAINER_PREFIX = 'build-images';

export interface BuildContainerOwner {
  /** projectId(root): 12 hex digits. */
  readonly project: string;
  /** hostTag(hostname()): 8 hex digits. */
  readonly host: string;
  readonly pid: number;
}

/** A host name may hold characters a container name may not: its hash stands for it. */
export const hostTag = (host: string = hostname()): string => createHash('sha256').update(host).digest('hex').slice(0, 8);

export function buildContainerName(owner: BuildContainerOwner, image: string): string {
  return `${BUILD_CONTAINER_PREFIX}-${owner.project}-${owner.host}-${owner.pid}-${image}`;
}

/** The engine's name filter is a regular expression on `/<name>`: every build container of this project. */
export const projectContainerFilter = (project: string): string => `^/?${BUILD_CONTAINER_PREFIX}-${project}-`;

const NAME = new RegExp(`^/?${BUILD_CONTAINER_PREFIX}-([0-9a-f]{12})-([0-9a-f]{8})-([0-9]+)-(.+)$`);

export function parseBuildContainerName(name: string): (BuildContainerOwner & { readonly image: string }) | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  return { project: m[1]!, host: m[2]!, pid: Number(m[3]), image: m[4]! };
}

export interface ContainerSummary {
  readonly id: string;
  readonly name: string;
  /** The engine's state word: running, exited, created, dead, … */
  readonly state: string;
}

export type ContainerVerdict =
  /** This project's, from a run on this host that is no longer running: to remove. */
  | { readonly kind: 'left-over'; readonly container: ContainerSummary; readonly pid: number; readonly image: string }
  /** From a run that is still going (this host, live pid): left alone. */
  | { readonly kind: 'running'; readonly container: ContainerSummary; readonly pid: number }
  /** From another host sharing the engine: its process cannot be asked, so it is left alone. */
  | { readonly kind: 'other-host'; readonly container: ContainerSummary };

/**
 * Pure: what each of this project's build containers is. `isLeftOver(pid)` says whether a run with that pid on
 * this host is gone: for a run holding the lock, any other pid; for doctor, a pid that is not alive.
 */
export function judgeBuildContainers(
  containers: readonly ContainerSummary[],
  owner: Pick<BuildContainerOwner, 'project' | 'host'>,
  isLeftOver: (pid: number) => boolean,
): ContainerVerdict[] {
  const out: ContainerVerdict[] = [];
  for (const container of containers) {
    const parsed = parseBuildContainerName(container.name);
    // The engine's filter is a prefix match; anything not exactly ours is not ours.
    if (parsed === undefined || parsed.project !== owner.project) continue;
    if (parsed.host !== owner.host) out.push({ kind: 'other-host', container });
    else if (isLeftOver(parsed.pid)) out.push({ kind: 'left-over', container, pid: parsed.pid, image: parsed.image });
    else out.push({ kind: 'running', container, pid: parsed.pid });
  }
  return out;
}

/** Whether a process with this pid runs on this host (the one check src/engine/lock.ts uses too). */
export { pidAlive } from '../../fs/atomic.js';
