/** Where `targets.docker.registry` points: the host the API is reached at and the repository prefix. */
export interface RegistryLocation {
  /** As written, e.g. "ghcr.io" or "127.0.0.1:5000": the name references and credentials use. */
  readonly host: string;
  /** Base URL of the distribution API (without /v2/). */
  readonly apiBase: string;
  /** The path after the host, e.g. "acme/cortex"; "" when the registry value is a bare host. */
  readonly prefix: string;
}

/**
 * Plain HTTP only for loopback hosts, which the Docker engine also treats as insecure registries by
 * default (`docker info`: "Insecure Registries: 127.0.0.0/8"); everything else is HTTPS with verified
 * certificates. Docker Hub's API lives at registry-1.docker.io.
 */
export function registryLocation(registry: string): RegistryLocation {
  const slash = registry.indexOf('/');
  const host = slash < 0 ? registry : registry.slice(0, slash);
  const prefix = slash < 0 ? '' : registry.slice(slash + 1);
  const bare = host.replace(/:[0-9]+$/, '');
  const loopback = bare === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '[::1]';
  const apiHost = host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
  return { host, apiBase: `${loopback ? 'http' : 'https'}://${apiHost}`, prefix };
}

/** `<registry>/<image>` without the host: the repository name the API takes. */
export const repositoryOf = (location: RegistryLocation, image: string): string =>
  location.prefix === '' ? image : `${location.prefix}/${image}`;

/** The reference the engine and Terraform use: `<registry>/<image>`. */
export const referenceOf = (location: RegistryLocation, image: string): string => `${location.host}/${repositoryOf(location, image)}`;
