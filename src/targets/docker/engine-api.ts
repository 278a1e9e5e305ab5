import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type Docker from 'dockerode';

/**
 * The Engine API calls that answer with one JSON body (inspect, list, tag, remove, info, events with an
 * `until`), sent the way the docker CLI sends them: a plain HTTP request over the engine's socket.
 *
 * Why not dockerode for these: requiring dockerode costs ~260 ms of CPU here (measured with
 * `node --cpu-prof` on a no-op build: @grpc/grpc-js, protobufjs and @grpc/proto-loader, which
 * dockerode/lib/docker.js requires at the top for BuildKit sessions, and ssh2, which
 * docker-modem/lib/modem.js requires at the top for ssh:// hosts), about a quarter of a no-op build. A
 * no-op build asks the engine four questions; node:http answers them with nothing to load. dockerode stays
 * for what it does well and is rare: streamed pushes and pulls with progress (registry/transfer.ts), and
 * `ssh://` engines, whose connection (ssh2 + `docker system dial-stdio`) it owns: for those this port
 * sends the same requests through docker-modem's `dial`.
 */
export interface EngineApi {
  /** Sends one request; resolves with the parsed JSON body (undefined for an empty one). */
  json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, query?: Query, headers?: Record<string, string>): Promise<T>;
  /** Like json, with the raw body (for streams the engine ends itself, like /events with `until`). */
  text(method: 'GET', path: string, query?: Query): Promise<string>;
}

export type Query = Readonly<Record<string, string | number | boolean | Readonly<Record<string, readonly string[]>>>>;

/** An error the engine answered with: its own words and its status. */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    engineMessage: string,
  ) {
    // The engine's own words carry the meaning ("No such image: x"); the status says which kind of answer it was.
    super(`${engineMessage} (HTTP ${statusCode})`);
  }
}

/** Where DOCKER_HOST points, read as the docker CLI reads it; undefined for a scheme only dockerode speaks (ssh://). */
export interface EngineAddress {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer };
}

export function engineAddress(env: NodeJS.ProcessEnv = process.env): EngineAddress | undefined {
  const host = env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const tcp = /^(?:tcp|https?):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (tcp === null) return undefined;
  // The docker CLI's rule (and docker-modem's): TLS when DOCKER_TLS_VERIFY is set, with the three files in
  // DOCKER_CERT_PATH (default ~/.docker).
  const verify = (env['DOCKER_TLS_VERIFY'] ?? '') !== '' && env['DOCKER_TLS_VERIFY'] !== '0';
  const certs = env['DOCKER_CERT_PATH'] ?? join(env['HOME'] ?? '', '.docker');
  const tls = verify
    ? { ca: readFileSync(join(certs, 'ca.pem')), cert: readFileSync(join(certs, 'cert.pem')), key: readFileSync(join(certs, 'key.pem')) }
    : undefined;
  return { host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2] ?? (verify ? 2376 : 2375)), ...(tls ? { tls } : {}) };
}

/** The query string as the engine reads it: objects (filters) as JSON, like docker-modem's buildQuerystring. */
export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) params.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * node:http straight to the engine. `timeoutMs`: the longest the engine may stay silent before the request is
 * destroyed (a stopped engine accepts the connection and never answers, issue 13 #5), as docker-modem's
 * `timeout` does (req.setTimeout).
 */
export function httpEngineApi(address: EngineAddress, timeoutMs: number): EngineApi {
  const send = (method: string, path: string, query: Query | undefined, headers: Record<string, string> = {}): Promise<string> =>
    new Promise((resolve, reject) => {
      const options: RequestOptions = {
        method,
        path: path + queryString(query),
        headers: { ...headers, ...(method === 'POST' ? { 'Content-Length': '0' } : {}) },
        ...(address.socketPath !== undefined ? { socketPath: address.socketPath } : { host: address.host, port: address.port }),
        ...(address.tls ?? {}),
      };
      const req = (address.tls ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(body);
          reject(new EngineHttpError(status, engineWords(body)));
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  return {
    async json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, query?: Query, headers?: Record<string, string>) {
      const body = await send(method, path, query, headers);
      return (body.trim() === '' ? undefined : JSON.parse(body)) as T;
    },
    text: (method, path, query) => send(method, path, query),
  };
}

/** The same requests through dockerode's modem (for ssh:// engines): `dial` with docker-modem's own options. */
export function modemEngineApi(docker: Docker): EngineApi {
  type Dial = (options: object, callback: (e: unknown, data: unknown) => void) => void;
  const modem = docker.modem as unknown as { dial: Dial };
  const dial = (method: string, path: string, query: Query | undefined, headers: Record<string, string> | undefined, stream: boolean) =>
    new Promise<unknown>((resolve, reject) => {
      // The `?` tells dial to append the query (lib/modem.js, Modem.prototype.dial); `_body: {}` sends no body.
      modem.dial(
        {
          path: `${path}?`,
          method,
          options: { _query: query ?? {}, _body: {} },
          statusCodes: { 200: true, 201: true, 204: true },
          isStream: stream,
          ...(headers ? { headers } : {}),
        },
        (e, data) => (e ? reject(e instanceof Error ? e : new Error(String(e))) : resolve(data)),
      );
    });
  return {
    json: async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, query?: Query, headers?: Record<string, string>) =>
      (await dial(method, path, query, headers, false)) as T,
    async text(method, path, query) {
      const stream = (await dial(method, path, query, undefined, true)) as AsyncIterable<Buffer | string>;
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      return text;
    },
  };
}

/** The engine's error body is `{"message": "..."}`; anything else is shown as it came. */
function engineWords(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the body itself
  }
  return body.trim();
}
