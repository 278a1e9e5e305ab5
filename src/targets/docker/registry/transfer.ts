import type Docker from 'dockerode';
import { err, ok, type Result } from '../../../result.js';

/**
 * Pushes and pulls through the engine (it moves the layers; build-images never does), with the
 * registry credentials in the engine's X-Registry-Auth header. The engine reports failures mid-stream
 * as `{"error": …}` events with HTTP 200, so every event is checked, not only the stream's end.
 */
export interface RegistryTransfer {
  /** Pushes `repository:tag`; the manifest digest the registry stored (the engine's `aux.Digest`). */
  push(repository: string, tag: string, auth: Record<string, string> | undefined, signal?: AbortSignal): Promise<Result<string, string>>;
  /** Pulls `ref` (by digest: `<registry>/<image>@sha256:…`). */
  pull(ref: string, auth: Record<string, string> | undefined, signal?: AbortSignal): Promise<Result<void, string>>;
}

interface ProgressEvent {
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
  readonly aux?: { readonly Digest?: string; readonly Tag?: string };
}

export function registryTransfer(docker: Docker): RegistryTransfer {
  const follow = (stream: NodeJS.ReadableStream): Promise<Result<ProgressEvent[], string>> =>
    new Promise((resolve) => {
      const events: ProgressEvent[] = [];
      docker.modem.followProgress(
        stream,
        (e: Error | null) => {
          if (e) return resolve(err(message(e)));
          const failed = events.find((ev) => ev.error !== undefined);
          resolve(failed ? err((failed.errorDetail?.message ?? failed.error ?? '').trim()) : ok(events));
        },
        (event: ProgressEvent) => events.push(event),
      );
    });

  return {
    async push(repository, tag, auth, signal) {
      try {
        const stream = (await docker
          .getImage(repository)
          .push({ tag, ...(auth ? { authconfig: auth } : {}), ...(signal ? { abortSignal: signal } : {}) })) as NodeJS.ReadableStream;
        const events = await follow(stream);
        if (!events.ok) return events;
        const digest = events.value.find((e) => e.aux?.Digest !== undefined)?.aux?.Digest;
        return digest === undefined ? err('the engine finished the push without reporting a digest') : ok(digest);
      } catch (e: unknown) {
        return err(message(e));
      }
    },
    async pull(ref, auth, signal) {
      try {
        const stream = (await docker.pull(ref, {
          ...(auth ? { authconfig: auth } : {}),
          ...(signal ? { abortSignal: signal } : {}),
        })) as NodeJS.ReadableStream;
        const events = await follow(stream);
        return events.ok ? ok(undefined) : events;
      } catch (e: unknown) {
        return err(message(e));
      }
    },
  };
}

/** dockerode puts the engine's JSON error body in the message; keep the engine's words only. */
function message(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).trim();
  const json = /\{"message":"(.*)"\}\s*$/.exec(text)?.[1];
  return json === undefined ? text : json.replace(/\\"/g, '"');
}
