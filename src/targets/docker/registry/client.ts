import { err, ok, type Result } from '../../../result.js';
import type { Credentials, FoundCredentials } from './credentials.js';
import type { RegistryFailure } from './failure.js';
import type { RegistryLocation } from './location.js';

/**
 * A client for the distribution HTTP API v2 (docker/distribution docs/spec/api.md), just the calls
 * build-images makes: it reads manifests and the small image config, lists tags and deletes
 * manifests; it never transfers a layer (the engine pushes and pulls those).
 */
export interface RegistryClient {
  readonly location: RegistryLocation;
  /** GET /v2/ with the credentials: the registry answers and accepts them. A one-line description. */
  ping(): Promise<Result<string, RegistryFailure>>;
  /** HEAD a manifest by tag or digest: its digest, without the body; undefined when there is none. */
  headManifest(repository: string, reference: string): Promise<Result<ManifestHead | undefined, RegistryFailure>>;
  getManifest(repository: string, reference: string): Promise<Result<Manifest | undefined, RegistryFailure>>;
  /** A small JSON blob (an image config); undefined when absent. */
  getJsonBlob(repository: string, digest: string): Promise<Result<unknown, RegistryFailure>>;
  /** Every tag of the repository; empty when the repository does not exist. */
  listTags(repository: string): Promise<Result<string[], RegistryFailure>>;
  /** Deletes a manifest by digest; 'unsupported' where the registry does not allow deletion. */
  deleteManifest(repository: string, digest: string): Promise<Result<'deleted' | 'absent' | 'unsupported', RegistryFailure>>;
  /** The engine's X-Registry-Auth for pushes and pulls: the same credentials, or undefined for anonymous. */
  engineAuth(): Promise<Result<Record<string, string> | undefined, RegistryFailure>>;
}

export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string;
}
export interface Manifest extends ManifestHead {
  readonly body: unknown;
}

/**
 * Without these the registry rewrites a schema2 manifest fetched by tag as schema1, with another digest
 * (docker/distribution registry/handlers/manifests.go, GetManifest: "Only rewrite schema2 manifests when
 * they are being fetched by tag"); OCI ones it refuses. The engine pushes schema2 (Docker 20.10).
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
];

export interface RegistryClientOptions {
  readonly location: RegistryLocation;
  /** Called at most once, when the registry first asks for credentials (or the engine needs them). */
  readonly credentials: () => Promise<Result<FoundCredentials, string>>;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

type Challenge =
  { readonly scheme: 'basic' } | { readonly scheme: 'bearer'; readonly realm: string; readonly service?: string; readonly scope?: string };

const MAX_JSON_BYTES = 4 << 20;

export function registryClient(options: RegistryClientOptions): RegistryClient {
  const { location } = options;
  const registry = location.host;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let creds: Promise<Result<FoundCredentials, string>> | undefined;
  const credentials = async (): Promise<Result<Credentials | undefined, RegistryFailure>> => {
    creds ??= options.credentials();
    const found = await creds;
    return found.ok ? ok(found.value.credentials) : err({ reason: 'credentials', registry, detail: found.error });
  };
  /** After a Basic challenge every request carries the header; bearer tokens are kept per scope. */
  let basic = false;
  const tokens = new Map<string, string>();
  /** The scope the registry asked for last time, per method kind and repository, so later calls send the token at once. */
  const scopes = new Map<string, string>();
  const scopeKeyOf = (method: string, path: string): string =>
    `${method === 'GET' || method === 'HEAD' ? 'read' : method} ${/^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(path)?.[1] ?? ''}`;

  async function send(url: string, init: RequestInit, redirects = 5): Promise<Result<Response, RegistryFailure>> {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (e: unknown) {
      return err(networkFailure(registry, e, timeoutMs));
    }
    const next = response.headers.get('location');
    if ([301, 302, 303, 307, 308].includes(response.status) && next !== null && redirects > 0) {
      const target = new URL(next, url);
      // Blob downloads may redirect to storage elsewhere: credentials never follow to another origin.
      const headers = new Headers(init.headers);
      if (target.origin !== new URL(url).origin) headers.delete('authorization');
      return send(target.toString(), { ...init, headers }, redirects - 1);
    }
    return ok(response);
  }

  async function authorization(scope: string | undefined): Promise<Result<string | undefined, RegistryFailure>> {
    if (basic) {
      const c = await credentials();
      if (!c.ok) return c;
      return ok(
        c.value?.kind === 'basic' ? `Basic ${Buffer.from(`${c.value.username}:${c.value.password}`).toString('base64')}` : undefined,
      );
    }
    const token = tokens.get(scope ?? '');
    return ok(token === undefined ? undefined : `Bearer ${token}`);
  }

  async function fetchToken(challenge: Extract<Challenge, { scheme: 'bearer' }>): Promise<Result<string | undefined, RegistryFailure>> {
    const c = await credentials();
    if (!c.ok) return c;
    if (c.value?.kind === 'registry-token') return ok(c.value.token);
    const url = new URL(challenge.realm);
    let init: RequestInit;
    if (c.value?.kind === 'identity-token') {
      // OAuth2 refresh-token grant (docker/distribution docs/spec/auth/oauth.md).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.value.token, client_id: 'build-images' });
      if (challenge.service) form.set('service', challenge.service);
      if (challenge.scope) form.set('scope', challenge.scope);
      init = { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    } else {
      // docker/distribution docs/spec/auth/token.md: GET realm?service=&scope=, basic auth when logged in.
      if (challenge.service) url.searchParams.set('service', challenge.service);
      if (challenge.scope) url.searchParams.set('scope', challenge.scope);
      const headers: Record<string, string> = {};
      if (c.value?.kind === 'basic')
        headers.authorization = `Basic ${Buffer.from(`${c.value.username}:${c.value.password}`).toString('base64')}`;
      init = { method: 'GET', headers };
    }
    const got = await send(url.toString(), init);
    if (!got.ok) return got;
    const res = got.value;
    if (res.status === 401 || res.status === 403)
      return err({ reason: 'unauthorized', registry, status: res.status, anonymous: c.value === undefined, detail: await errorText(res) });
    if (!res.ok)
      return err({
        reason: 'protocol',
        registry,
        status: res.status,
        detail: `token endpoint ${url.origin}${url.pathname}: ${await errorText(res)}`,
      });
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (token === undefined)
      return err({ reason: 'protocol', registry, status: res.status, detail: 'the token endpoint answered without a token' });
    return ok(token);
  }

  /** One API call, answering the registry's auth challenge once (Basic or Bearer). */
  async function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Result<Response, RegistryFailure>> {
    const url = `${location.apiBase}${path}`;
    const kind = scopeKeyOf(method, path);
    let scopeKey: string | undefined = scopes.get(kind);
    for (let attempt = 0; ; attempt++) {
      const auth = await authorization(scopeKey);
      if (!auth.ok) return auth;
      const sent = await send(url, { method, headers: { ...headers, ...(auth.value ? { authorization: auth.value } : {}) } });
      if (!sent.ok) return sent;
      const res = sent.value;
      if (res.status !== 401 || attempt > 0) {
        if (res.status === 401 || res.status === 403) {
          const c = await credentials();
          return err({
            reason: 'unauthorized',
            registry,
            status: res.status,
            anonymous: !c.ok || c.value === undefined,
            detail: await errorText(res),
          });
        }
        return ok(res);
      }
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      if (challenge === undefined)
        return err({ reason: 'unauthorized', registry, status: 401, anonymous: true, detail: 'no usable WWW-Authenticate challenge' });
      if (challenge.scheme === 'basic') {
        const c = await credentials();
        if (!c.ok) return c;
        if (c.value?.kind !== 'basic')
          return err({
            reason: 'unauthorized',
            registry,
            status: 401,
            anonymous: c.value === undefined,
            detail: 'the registry asks for a user name and password',
          });
        basic = true;
      } else {
        const token = await fetchToken(challenge);
        if (!token.ok) return token;
        scopeKey = challenge.scope ?? '';
        scopes.set(kind, scopeKey);
        if (token.value !== undefined) tokens.set(scopeKey, token.value);
      }
    }
  }

  const manifestPath = (repository: string, reference: string): string => `/v2/${repository}/manifests/${reference}`;
  const head = (res: Response): ManifestHead | undefined => {
    const digest = res.headers.get('docker-content-digest');
    return digest === null ? undefined : { digest, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim() };
  };
  const unexpected = async (res: Response, what: string): Promise<{ ok: false; error: RegistryFailure }> =>
    err({ reason: 'protocol', registry, status: res.status, detail: `${what}: ${await errorText(res)}` });

  return {
    location,

    async ping() {
      const got = await call('GET', '/v2/');
      if (!got.ok) return got;
      const res = got.value;
      await res.body?.cancel();
      if (!res.ok) return unexpected(res, 'GET /v2/');
      const api = res.headers.get('docker-distribution-api-version');
      return ok(
        `registry ${registry} answers${api ? ` (${api})` : ''}${basic || tokens.size > 0 ? ', credentials accepted' : ', anonymous access'}`,
      );
    },

    async headManifest(repository, reference) {
      const got = await call('HEAD', manifestPath(repository, reference), { accept: MANIFEST_MEDIA_TYPES.join(', ') });
      if (!got.ok) return got;
      const res = got.value;
      if (res.status === 404) return ok(undefined);
      if (!res.ok) return unexpected(res, `HEAD manifest ${repository}:${reference}`);
      const found = head(res);
      if (found === undefined) return unexpected(res, `HEAD manifest ${repository}:${reference} gave no Docker-Content-Digest`);
      return ok(found);
    },

    async getManifest(repository, reference) {
      const got = await call('GET', manifestPath(repository, reference), { accept: MANIFEST_MEDIA_TYPES.join(', ') });
      if (!got.ok) return got;
      const res = got.value;
      if (res.status === 404) return ok(undefined);
      if (!res.ok) return unexpected(res, `GET manifest ${repository}:${reference}`);
      const found = head(res);
      const body = await readJson(res);
      if (found === undefined || body === undefined) return unexpected(res, `GET manifest ${repository}:${reference} is not a manifest`);
      return ok({ ...found, body });
    },

    async getJsonBlob(repository, digest) {
      const got = await call('GET', `/v2/${repository}/blobs/${digest}`);
      if (!got.ok) return got;
      const res = got.value;
      if (res.status === 404) return ok(undefined);
      if (!res.ok) return unexpected(res, `GET blob ${repository}@${digest}`);
      return ok(await readJson(res));
    },

    async listTags(repository) {
      const tags: string[] = [];
      let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
      while (path !== undefined) {
        const got = await call('GET', path);
        if (!got.ok) return got;
        const res = got.value;
        if (res.status === 404) return ok([]);
        if (!res.ok) return unexpected(res, `GET tags of ${repository}`);
        const body = (await readJson(res)) as { tags?: unknown } | undefined;
        if (Array.isArray(body?.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
        // Pagination: Link: </v2/<name>/tags/list?n=..&last=..>; rel="next" (docs/spec/api.md, "Pagination").
        const link = /<([^>]+)>;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1];
        path = link === undefined ? undefined : link.startsWith('/') ? link : new URL(link).pathname + new URL(link).search;
      }
      return ok(tags);
    },

    async deleteManifest(repository, digest) {
      const got = await call('DELETE', manifestPath(repository, digest));
      if (!got.ok) {
        // distribution answers 405 when storage.delete is off; some registries use 403 DENIED for the same.
        return got;
      }
      const res = got.value;
      const text = await errorText(res);
      if (res.status === 202 || res.status === 200) return ok('deleted');
      if (res.status === 404) return ok('absent');
      if (res.status === 405 || text.includes('UNSUPPORTED')) return ok('unsupported');
      return err({ reason: 'protocol', registry, status: res.status, detail: `DELETE manifest ${repository}@${digest}: ${text}` });
    },

    async engineAuth() {
      const c = await credentials();
      if (!c.ok) return c;
      const value = c.value;
      if (value === undefined) return ok(undefined);
      const serveraddress = registry;
      switch (value.kind) {
        case 'basic':
          return ok({ username: value.username, password: value.password, serveraddress });
        case 'identity-token':
          return ok({ identitytoken: value.token, serveraddress });
        case 'registry-token':
          return ok({ registrytoken: value.token, serveraddress });
      }
    },
  };
}

/** `Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:x:pull"` or `Basic realm="..."`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const scheme = /^\s*(\w+)/.exec(header)?.[1]?.toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return undefined;
  const params = new Map<string, string>();
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params.set(m[1]!.toLowerCase(), m[2]!);
  const realm = params.get('realm');
  if (realm === undefined) return undefined;
  return {
    scheme: 'bearer',
    realm,
    ...(params.has('service') ? { service: params.get('service')! } : {}),
    ...(params.has('scope') ? { scope: params.get('scope')! } : {}),
  };
}

const TLS_CODES = /^(?:CERT_|ERR_TLS_|ERR_SSL_|SELF_SIGNED_|DEPTH_ZERO_|UNABLE_TO_(?:VERIFY|GET_ISSUER)|EPROTO$)/;

/** fetch rejects with "fetch failed" and the socket's error as `cause`; that cause says what went wrong. */
export function networkFailure(registry: string, e: unknown, timeoutMs: number): RegistryFailure {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))
    return { reason: 'unreachable', registry, detail: `no answer within ${Math.round(timeoutMs / 1000)} s` };
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : e instanceof Error ? e.message : String(e);
  if (code !== undefined && TLS_CODES.test(code)) return { reason: 'tls', registry, detail: `${code}: ${message}` };
  return { reason: 'unreachable', registry, detail: code && code !== message ? `${code}: ${message}` : message };
}

async function readJson(res: Response): Promise<unknown> {
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_JSON_BYTES) {
    await res.body?.cancel();
    return undefined;
  }
  return res.json().catch(() => undefined);
}

/** The registry's error codes and messages (docs/spec/api.md "Errors"), short; never request headers. */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const list = (body.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).filter((s) => s !== '');
    if (list.length > 0) return list.join('; ');
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 200) || `HTTP ${res.status}`;
}
