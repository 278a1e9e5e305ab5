import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import { err, ok, type Result } from '../../result.js';
import { registryTransfer, type RegistryTransfer } from './registry/transfer.js';
import { engineAddress, httpEngineApi, modemEngineApi, type EngineApi } from './engine-api.js';
import type { ContainerSummary } from './build-container.js';

/** What the engine says about a build container after a failed build (Engine API ContainerInspect, State). */
export interface ContainerState {
  readonly id: string;
  readonly running: boolean;
  readonly exitCode: number;
  /** The kernel's OOM killer stopped the container's processes (State.OOMKilled). */
  readonly oomKilled: boolean;
  /** The engine's own error for the container, if any (State.Error). */
  readonly error: string;
}

/** What the engine's image list gives without inspecting each image. */
export interface ImageSummary {
  readonly id: string;
  /** ISO 8601, to the second. */
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `repository:tag` names the image has (none for an image whose tag moved to a newer build). */
  readonly tags: readonly string[];
}

export interface ImageInfo {
  readonly id: string;
  /** ISO 8601. */
  readonly created: string;
  /** RootFS layer digests, bottom first. */
  readonly layers: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  /** `repository@sha256:…` for each registry the image was pulled from or pushed to; empty for a local image. */
  readonly repoDigests: readonly string[];
  /** null when the image has none. */
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
}

/** The slice of the Docker engine API the tool uses. */
export interface DockerEngine {
  /** Resolves with a one-line description of the engine, or why it cannot be reached. */
  ping(): Promise<Result<string, string>>;
  /** undefined when the engine does not have the image. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /** `auth`: the engine's X-Registry-Auth (registry credentials); never logged. */
  pull(ref: string, auth?: Record<string, string>, signal?: AbortSignal): Promise<Result<void, string>>;
  /** Pushes `repository:tag`; the manifest digest the registry stored. */
  push(repository: string, tag: string, auth: Record<string, string> | undefined, signal?: AbortSignal): Promise<Result<string, string>>;
  /**
   * The manifest digest a registry serves for `ref`, asked through the engine (its credentials, proxy and
   * insecure-registry settings) without pulling: Engine API `GET /distribution/{name}/json`, "Return image
   * digest and platform information by contacting the registry" (API >= 1.30).
   */
  registryDigest(ref: string, auth?: Record<string, string>): Promise<Result<string, string>>;
  /** Every image carrying label `key` (any value), newest first: one engine call, whatever the count. */
  listByLabel(key: string): Promise<ImageSummary[]>;
  /** Removes an image with its tags; fails (with the engine's message) when a container uses it. */
  removeImage(id: string): Promise<Result<void, string>>;
  /** Points `repository:tag` at the image. */
  tag(id: string, repository: string, tag: string): Promise<void>;
  /** Containers (running or not) whose name matches the engine's `name` filter (a regular expression). */
  listContainers(nameFilter: string): Promise<ContainerSummary[]>;
  /** undefined when the engine has no such container; throws when the engine cannot be asked. */
  inspectContainer(nameOrId: string): Promise<ContainerState | undefined>;
  /**
   * The engine's events about a container (by name or ID; it may be gone) of these kinds (e.g. `oom`) from
   * `since` until now: their actions, oldest first. The engine keeps recent events in memory (GET /events).
   */
  containerEvents(nameOrId: string, since: Date, kinds: readonly string[]): Promise<string[]>;
  /** Removes a container, stopping it first (`docker rm -f`); a container already gone is fine. */
  removeContainer(nameOrId: string): Promise<Result<void, string>>;
}

/**
 * How long one engine call may stay silent. A stopped engine (`kill -STOP dockerd`) accepts the connection and
 * never answers: without a limit the tool waited forever (issue 13 #5). docker-modem destroys a request idle
 * this long (lib/modem.js, req.setTimeout); BUILD_IMAGES_ENGINE_TIMEOUT (seconds) changes it.
 */
export function engineTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env['BUILD_IMAGES_ENGINE_TIMEOUT']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

/** The engine's address as dockerode and the docker CLI read it. */
export const where = (): string => process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

/** The engine's error, or that it did not answer in time (a request destroyed by the timeout). */
function engineError(e: unknown, timeoutMs: number): Error {
  const text = message(e);
  if (/socket hang up|ECONNRESET|timeout/i.test(text)) {
    return new Error(`the Docker engine at ${where()} did not answer within ${timeoutMs / 1000}s (is it hung or stopped?)`);
  }
  return e instanceof Error ? e : new Error(text);
}

/**
 * dockerode, required when a client is first made rather than when this module is imported: with its
 * gRPC and SSH dependencies it is the heaviest thing the CLI loads. It honours DOCKER_HOST (and
 * DOCKER_TLS_VERIFY / DOCKER_CERT_PATH) like the docker CLI.
 */
export const newDockerClient = (options: Docker.DockerOptions): Docker =>
  new (createRequire(import.meta.url)('dockerode') as typeof Docker)(options);

/** X-Registry-Auth as docker-modem sends it (lib/modem.js, Modem.prototype.dial): URL-safe base64 of the JSON. */
const registryAuthHeader = (auth: Record<string, string>): string =>
  Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The engine's questions go out as plain HTTP (engine-api.ts: nothing to load); dockerode is loaded only for
 * a push or a pull, or to reach an ssh:// engine.
 */
export function dockerEngine(options: { readonly api?: EngineApi; readonly docker?: () => Docker } = {}): DockerEngine {
  const limit = engineTimeoutMs();
  let client: Docker | undefined;
  const docker = options.docker ?? (() => (client ??= newDockerClient({ timeout: limit })));
  let api: EngineApi | undefined = options.api;
  const engine = (): EngineApi => {
    if (api !== undefined) return api;
    const address = engineAddress();
    return (api = address === undefined ? modemEngineApi(docker()) : httpEngineApi(address, limit));
  };
  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e: unknown) {
      throw isStatus(e, 404) ? e : engineError(e, limit);
    }
  };
  let transfer: RegistryTransfer | undefined;
  const transfers = (): RegistryTransfer => (transfer ??= registryTransfer(docker()));
  const image = (ref: string): string => `/images/${ref}`;
  const container = (ref: string): string => `/containers/${encodeURIComponent(ref)}`;
  return {
    push: (repository, tag, auth, signal) => transfers().push(repository, tag, auth, signal),
    async ping() {
      try {
        const info = await call(() => engine().json<{ ServerVersion?: string; Driver?: string }>('GET', '/info'));
        return ok(`Docker ${info.ServerVersion ?? '?'} (storage driver ${info.Driver ?? '?'})`);
      } catch (e: unknown) {
        return err(
          `cannot reach the Docker engine at ${where()}: ${message(e)}. Start it (e.g. \`systemctl start docker\`) or set DOCKER_HOST.`,
        );
      }
    },

    async inspectImage(ref) {
      try {
        return toInfo(await call(() => engine().json<RawImageInspect>('GET', `${image(ref)}/json`)));
      } catch (e: unknown) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },

    async listByLabel(key) {
      const found = await call(() => engine().json<RawImageSummary[]>('GET', '/images/json', { filters: { label: [key] } }));
      return (
        found
          .map((i) => ({
            id: i.Id,
            created: new Date(i.Created * 1000).toISOString(),
            labels: i.Labels ?? {},
            tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
          }))
          // The engine matched the label already; checking again guards against a filter the engine ignored.
          .filter((i) => i.labels[key] !== undefined)
          .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0))
      );
    },

    async removeImage(id) {
      try {
        await engine().json('DELETE', image(id), { force: true, noprune: false });
        return ok(undefined);
      } catch (e: unknown) {
        return err(message(e));
      }
    },

    async tag(id, repository, tag) {
      await call(() => engine().json('POST', `${image(id)}/tag`, { repo: repository, tag }));
    },

    async listContainers(nameFilter) {
      const found = await call(() =>
        engine().json<RawContainerSummary[]>('GET', '/containers/json', { all: true, filters: { name: [nameFilter] } }),
      );
      return found.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State }));
    },

    async inspectContainer(nameOrId) {
      try {
        const info = await call(() => engine().json<RawContainerInspect>('GET', `${container(nameOrId)}/json`));
        const state = info.State ?? {};
        return {
          id: info.Id,
          running: state.Running === true,
          exitCode: state.ExitCode ?? 0,
          oomKilled: state.OOMKilled === true,
          error: state.Error ?? '',
        };
      } catch (e: unknown) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },

    async containerEvents(nameOrId, since, kinds) {
      const text = await call(() =>
        engine().text('GET', '/events', {
          since: Math.floor(since.getTime() / 1000),
          // An `until` ends the stream; the engine holds it open until that second has passed.
          until: Math.ceil(Date.now() / 1000),
          filters: { container: [nameOrId], event: [...kinds] },
        }),
      );
      // One JSON object per line.
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const event = JSON.parse(line) as { Action?: string; status?: string };
          return event.Action ?? event.status ?? '?';
        });
    },

    async removeContainer(nameOrId) {
      try {
        await call(() => engine().json('DELETE', container(nameOrId), { force: true }));
        return ok(undefined);
      } catch (e: unknown) {
        return isStatus(e, 404) ? ok(undefined) : err(message(e));
      }
    },

    // Every progress event is checked: the engine reports a failed pull mid-stream with HTTP 200.
    pull: (ref, auth, signal) => transfers().pull(ref, auth, signal),

    async registryDigest(ref, auth) {
      try {
        const info = await engine().json<{ Descriptor?: { digest?: string } }>(
          'GET',
          `/distribution/${ref}/json`,
          undefined,
          auth === undefined ? undefined : { 'X-Registry-Auth': registryAuthHeader(auth) },
        );
        const digest = info.Descriptor?.digest;
        return digest === undefined ? err('the engine answered without a digest') : ok(digest);
      } catch (e: unknown) {
        return err(message(e));
      }
    },
  };
}

/** The fields of the Engine API's answers the tool reads (ImageInspect, ImageSummary, ContainerSummary, ContainerInspect). */
interface RawImageInspect {
  readonly Id: string;
  readonly Created: string;
  readonly RootFS?: { readonly Layers?: string[] };
  readonly RepoTags?: string[] | null;
  readonly RepoDigests?: string[] | null;
  readonly Config?: {
    readonly Labels?: Record<string, string> | null;
    readonly Entrypoint?: string[] | string | null;
    readonly Cmd?: string[] | string | null;
  } | null;
}
interface RawImageSummary {
  readonly Id: string;
  readonly Created: number;
  readonly Labels?: Record<string, string> | null;
  readonly RepoTags?: string[] | null;
}
interface RawContainerSummary {
  readonly Id: string;
  readonly Names: string[];
  readonly State: string;
}
interface RawContainerInspect {
  readonly Id: string;
  readonly State?: { Running?: boolean; ExitCode?: number; OOMKilled?: boolean; Error?: string };
}

function toInfo(info: RawImageInspect): ImageInfo {
  const config = info.Config ?? undefined;
  const list = (v: string[] | string | null | undefined): string[] | null =>
    v === undefined || v === null ? null : Array.isArray(v) ? v : [v];
  return {
    id: info.Id,
    created: info.Created,
    layers: info.RootFS?.Layers ?? [],
    labels: config?.Labels ?? {},
    tags: info.RepoTags ?? [],
    repoDigests: info.RepoDigests ?? [],
    entrypoint: list(config?.Entrypoint),
    cmd: list(config?.Cmd),
  };
}

/** Whether the engine's error (engine-api.ts or dockerode's) carries this HTTP status (404: no such image). The one copy: doctor uses it too. */
export const isStatus = (e: unknown, code: number): boolean =>
  typeof e === 'object' && e !== null && (e as { statusCode?: unknown }).statusCode === code;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim();
