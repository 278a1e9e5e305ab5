import { stat, statfs } from 'node:fs/promises';
import { err, ok as okResult, type Result } from '../result.js';
import { fail, ok, warn, type CheckResult } from './check.js';

export interface DiskFacts {
  readonly path: string;
  /** Bytes an unprivileged process may still write. */
  readonly freeBytes: number;
  /** stat().dev: two paths with the same device share their free space. */
  readonly device: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * The project root holds logs, templates and the manifest (megabytes); the Docker root dir holds every
 * layer of every build (the reference tree takes about a gigabyte), so it gets the higher bar.
 */
export const DISK_LIMITS = {
  project: { fail: 100 * MiB, warn: 1 * GiB },
  docker: { fail: 2 * GiB, warn: 5 * GiB },
} as const;

export async function probeDisk(path: string): Promise<Result<DiskFacts, string>> {
  try {
    const [fs, info] = await Promise.all([statfs(path), stat(path)]);
    return okResult({ path, freeBytes: fs.bavail * fs.bsize, device: info.dev });
  } catch (e: unknown) {
    return err(e instanceof Error ? e.message : String(e));
  }
}

/**
 * Free space where a build writes. `docker` is undefined when the engine's root dir is unknown, and a
 * string saying why when it is not on this machine (a remote DOCKER_HOST).
 */
export function diskChecks(project: Result<DiskFacts, string>, docker: Result<DiskFacts, string> | string | undefined): CheckResult[] {
  const name = 'disk space';
  if (!project.ok) return [warn(name, `cannot read the free space of the project root: ${project.error}`)];
  const remote = typeof docker === 'string' ? `; ${docker}` : '';
  if (docker === undefined || typeof docker === 'string') {
    return [
      judge(`${free(project.value)} for ${project.value.path} (project root)${remote}`, project.value.freeBytes, DISK_LIMITS.project),
    ];
  }
  if (!docker.ok) {
    return [
      judge(`${free(project.value)} for ${project.value.path} (project root)`, project.value.freeBytes, DISK_LIMITS.project),
      warn(name, `cannot read the free space of the Docker root dir: ${docker.error}`),
    ];
  }
  if (docker.value.device === project.value.device) {
    return [
      judge(
        `${free(docker.value)} for ${project.value.path} (project root) and ${docker.value.path} (Docker root dir), one filesystem`,
        docker.value.freeBytes,
        DISK_LIMITS.docker,
      ),
    ];
  }
  return [
    judge(`${free(project.value)} for ${project.value.path} (project root)`, project.value.freeBytes, DISK_LIMITS.project),
    judge(`${free(docker.value)} for ${docker.value.path} (Docker root dir)`, docker.value.freeBytes, DISK_LIMITS.docker),
  ];
}

function judge(detail: string, bytes: number, limits: { fail: number; warn: number }): CheckResult {
  const fix = `free some space (\`docker image prune\` removes dangling images): doctor fails below ${formatBytes(limits.fail)} and warns below ${formatBytes(limits.warn)}`;
  if (bytes < limits.fail) return fail('disk space', `only ${detail}`, fix);
  if (bytes < limits.warn) return warn('disk space', `only ${detail}`, fix);
  return ok('disk space', detail);
}

const free = (d: DiskFacts): string => `${formatBytes(d.freeBytes)} free`;

export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  return `${Math.floor(bytes / MiB)} MiB`;
}
