import type { DockerEngine } from './engine.js';
import { where } from './engine.js';

/** How long the engine may take to say what happened to a failed build's container. */
export const DIAGNOSIS_LIMIT_MS = 10_000;

/**
 * Packer reports an engine that died mid-build, or a container the kernel killed, as its own last line
 * (`Script exited with non-zero exit status: 137`, `packer exited with code unknown`; issue 13 #8). After a
 * failed build the engine is asked, with a short time limit, what became of the build container:
 * - the engine does not answer: that is the error, with the engine's own words;
 * - the container stopped before Packer's clean-up (OOMKilled, or killed from outside): that is the error.
 *   Packer 1.6.6 then leaves it behind, because its clean-up is `docker kill` and only on success `docker rm`
 *   (builder/docker/driver_docker.go, KillContainer), and `docker kill` fails on a stopped container; it is
 *   removed here, since it holds the build's environment;
 * - the container is gone: Packer removed it after an ordinary failure, and Packer's message stands.
 */
export async function explainBuildFailure(
  docker: Pick<DockerEngine, 'inspectContainer' | 'removeContainer' | 'containerEvents'>,
  container: string,
  image: string,
  packerSaid: string,
  startedAt: Date,
  limitMs: number = DIAGNOSIS_LIMIT_MS,
): Promise<string> {
  const asked = await withinLimit(docker.inspectContainer(container), limitMs);
  if (!asked.ok) {
    return (
      `the Docker engine at ${where()} stopped answering during the build of ${image}: ${asked.error}. ` +
      `Its build container ${container} may still hold the build's environment (variables, secrets): ` +
      `the next build removes it once the engine is back (\`build-images doctor\` lists it). Packer said: ${packerSaid}`
    );
  }
  const state = asked.value;
  if (state === undefined || state.running) {
    // The kernel's OOM killer often stops only the provisioner's process (`docker exec`), not the container:
    // the container then runs on (State.OOMKilled stays false), Packer removes it, and the script's exit 137 is
    // all Packer says. The engine still recorded an `oom` event for the container (seen on Docker 20.10.24).
    const events = await withinLimit(docker.containerEvents(container, startedAt, ['oom']), limitMs);
    if (events.ok && events.value.length > 0) {
      if (state !== undefined) await withinLimit(docker.removeContainer(container), limitMs);
      return (
        `a process in the build container of ${image} ran out of memory: the kernel's OOM killer stopped it (the engine reported an oom event). ` +
        `Give the build more memory (targets.docker.run_args --memory) or build fewer images at once (--concurrency). Packer said: ${packerSaid}`
      );
    }
  }
  if (state === undefined) return packerSaid;
  const removed = await withinLimit(docker.removeContainer(container), limitMs);
  const leftNote =
    removed.ok && removed.value.ok
      ? ''
      : ` The container could not be removed (${removed.ok ? (removed.value.ok ? '' : removed.value.error) : removed.error}): the next build removes it.`;
  if (state.running) return `${packerSaid}${leftNote}`;
  const engineSays = state.error === '' ? '' : `; the engine says: ${state.error}`;
  if (state.oomKilled) {
    return (
      `the build container of ${image} ran out of memory: the kernel killed it (OOMKilled, exit ${state.exitCode}${engineSays}). ` +
      `Give the engine more memory or build fewer images at once (--concurrency).${leftNote} Packer said: ${packerSaid}`
    );
  }
  const how = state.exitCode === 137 ? ': killed with SIGKILL' : state.exitCode === 143 ? ': stopped with SIGTERM' : '';
  return (
    `the build container of ${image} stopped during the build, not by Packer (exit ${state.exitCode}${how}${engineSays}).` +
    `${leftNote} Packer said: ${packerSaid}`
  );
}

type Limited<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

async function withinLimit<T>(work: Promise<T>, ms: number): Promise<Limited<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Limited<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `it did not answer within ${ms / 1000}s` }), ms);
  });
  try {
    return await Promise.race([
      work.then(
        (value): Limited<T> => ({ ok: true, value }),
        (e: unknown): Limited<T> => ({ ok: false, error: e instanceof Error ? e.message : String(e) }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
