import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../result.js';

/**
 * Registry credentials as the Docker client keeps them. Never printed, logged or written: they go into
 * request headers (and the engine's X-Registry-Auth for push and pull) and nowhere else.
 */
export type Credentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user), exchanged at the token endpoint. */
  | { readonly kind: 'identity-token'; readonly token: string }
  /** A bearer token given as is (`registrytoken`). */
  | { readonly kind: 'registry-token'; readonly token: string };

/** Where the credentials came from, for messages: never the credentials themselves. */
export interface FoundCredentials {
  readonly credentials: Credentials | undefined;
  readonly source: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The Docker client's config file: $DOCKER_CONFIG/config.json, else ~/.docker/config.json (docker/cli cli/config/config.go). */
export const dockerConfigPath = (env: NodeJS.ProcessEnv = process.env): string =>
  join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');

/** Docker Hub's credentials live under this key, whatever host the API is reached at. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const isDockerHub = (host: string): boolean => host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io';

/** "https://host:5000/v1/" → "host:5000", as docker/cli's registry.ConvertToHostname does for `auths` keys. */
export function keyHostname(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';
}

/**
 * The credentials the Docker client would use for `host`, in its order (docker/cli configfile.GetAuthConfig):
 * a `credHelpers` entry for the host, else `credsStore`, else the `auths` entry in the file. No config
 * file, or no entry: anonymous (undefined), which public registries accept for pulls.
 */
export async function findCredentials(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
  runHelper: HelperRunner = runCredentialHelper,
): Promise<Result<FoundCredentials, string>> {
  const path = dockerConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok({ credentials: undefined, source: `no ${path}: anonymous` });
    return err(`cannot read the Docker client config ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let config: DockerConfigFile;
  try {
    config = JSON.parse(text) as DockerConfigFile;
  } catch {
    // The parser's message may quote the file, and the file holds secrets: say where, not what.
    return err(`the Docker client config ${path} is not valid JSON: fix it, or point DOCKER_CONFIG at another directory`);
  }
  const key = isDockerHub(host) ? DOCKER_HUB_KEY : host;
  const helper = config.credHelpers?.[key] ?? config.credsStore;
  if (helper !== undefined && helper !== '') {
    const got = await runHelper(helper, key);
    if (!got.ok) return err(got.error);
    return ok({ credentials: got.value, source: `credential helper docker-credential-${helper}` });
  }
  const entry =
    config.auths?.[key] ?? Object.entries(config.auths ?? {}).find(([k]) => keyHostname(k) === keyHostname(key) && k !== '')?.[1];
  if (entry === undefined) return ok({ credentials: undefined, source: `no entry for ${key} in ${path}: anonymous` });
  const source = `${path} (auths)`;
  if (entry.identitytoken) return ok({ credentials: { kind: 'identity-token', token: entry.identitytoken }, source });
  if (entry.registrytoken) return ok({ credentials: { kind: 'registry-token', token: entry.registrytoken }, source });
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      return err(`the "auth" entry for ${key} in ${path} is not base64 of "user:password": log in again with \`docker login ${host}\``);
    return ok({ credentials: { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, source });
  }
  if (entry.username && entry.password)
    return ok({ credentials: { kind: 'basic', username: entry.username, password: entry.password }, source });
  return ok({ credentials: undefined, source: `empty entry for ${key} in ${path}: anonymous` });
}

export type HelperRunner = (helper: string, serverUrl: string) => Promise<Result<Credentials | undefined, string>>;

/** docker-credential-helpers' "not found" answer (credentials/error.go): anonymous, not a failure. */
const NOT_FOUND = 'credentials not found in native keychain';
/** A helper's Username that means "Secret is an identity token" (docker/cli cli/config/credentials/native_store.go). */
const TOKEN_USERNAME = '<token>';

/**
 * The credential-helper protocol (docker/docker-credential-helpers client/client.go `Get`): run
 * `docker-credential-<name> get`, write the server URL on stdin, read `{"ServerURL","Username","Secret"}`.
 */
export async function runCredentialHelper(helper: string, serverUrl: string): Promise<Result<Credentials | undefined, string>> {
  const program = `docker-credential-${helper}`;
  // execa loads only when a credential helper is asked (the Docker target imports this module for every command).
  const { execa } = await import('execa');
  const run = await execa(program, ['get'], { input: serverUrl, reject: false, timeout: 30_000, stripFinalNewline: true });
  if (run.failed) {
    const said = `${run.stdout}`.trim();
    if (said.includes(NOT_FOUND)) return ok(undefined);
    if ((run as { code?: string }).code === 'ENOENT')
      return err(
        `the Docker client config names the credential helper ${program}, which is not on PATH: install it, or remove it from the config`,
      );
    // A helper's error text is a message, never the secret; it is still kept short.
    return err(`${program} get failed (exit ${run.exitCode ?? '?'}): ${said.split('\n')[0]?.slice(0, 200) ?? ''}`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(`${run.stdout}`) as typeof answer;
  } catch {
    return err(`${program} get printed something that is not the helper protocol's JSON`);
  }
  if (typeof answer.Secret !== 'string' || answer.Secret === '') return ok(undefined);
  if (answer.Username === TOKEN_USERNAME) return ok({ kind: 'identity-token', token: answer.Secret });
  return ok({ kind: 'basic', username: typeof answer.Username === 'string' ? answer.Username : '', password: answer.Secret });
}
