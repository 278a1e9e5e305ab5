import Docker from 'dockerode';
import { err, ok, type Result } from '../../result.js';

export interface ImageInfo {
  readonly id: string;
  /** RootFS layer digests, bottom first. */
  readonly layers: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
}

/** The slice of the Docker engine API the tool uses. */
export interface DockerEngine {
  /** Resolves with a one-line description of the engine, or why it cannot be reached. */
  ping(): Promise<Result<string, string>>;
  /** undefined when the engine does not have the image. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  pull(ref: string): Promise<Result<void, string>>;
}

/** dockerode honours DOCKER_HOST (and DOCKER_TLS_VERIFY / DOCKER_CERT_PATH) like the docker CLI. */
export function dockerEngine(docker: Docker = new Docker()): DockerEngine {
  return {
    async ping() {
      try {
        const info = (await docker.info()) as { ServerVersion?: string; Driver?: string };
        return ok(`Docker ${info.ServerVersion ?? '?'} (storage driver ${info.Driver ?? '?'})`);
      } catch (e: unknown) {
        const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
        return err(`cannot reach the Docker engine at ${where}: ${message(e)}. Start it (e.g. \`systemctl start docker\`) or set DOCKER_HOST.`);
      }
    },

    async inspectImage(ref) {
      try {
        const info = await docker.getImage(ref).inspect();
        return {
          id: info.Id,
          layers: info.RootFS?.Layers ?? [],
          labels: info.Config?.Labels ?? {},
          tags: info.RepoTags ?? [],
        };
      } catch (e: unknown) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },

    async pull(ref) {
      try {
        const stream = await docker.pull(ref);
        await new Promise<void>((resolve, reject) =>
          docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())),
        );
        return ok(undefined);
      } catch (e: unknown) {
        return err(message(e));
      }
    },
  };
}

const isStatus = (e: unknown, code: number): boolean =>
  typeof e === 'object' && e !== null && (e as { statusCode?: unknown }).statusCode === code;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim();
