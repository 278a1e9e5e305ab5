import { unreachable } from '../../../result.js';

/** Why the registry could not be used. Messages name the registry and the fix, never credentials. */
export type RegistryFailure =
  | { readonly reason: 'unreachable'; readonly registry: string; readonly detail: string }
  | { readonly reason: 'tls'; readonly registry: string; readonly detail: string }
  | {
      readonly reason: 'unauthorized';
      readonly registry: string;
      readonly status: 401 | 403;
      readonly anonymous: boolean;
      readonly detail: string;
    }
  | { readonly reason: 'credentials'; readonly registry: string; readonly detail: string }
  | { readonly reason: 'protocol'; readonly registry: string; readonly status: number; readonly detail: string };

export function describeRegistryFailure(f: RegistryFailure): string {
  switch (f.reason) {
    case 'unreachable':
      return `cannot reach the registry ${f.registry}: ${f.detail}. Check the address in targets.docker.registry, that the registry runs, and the network between here and it.`;
    case 'tls':
      return `TLS with the registry ${f.registry} failed: ${f.detail}. The registry must present a certificate this machine trusts for that name: add its CA to the system store (or NODE_EXTRA_CA_CERTS and the engine's /etc/docker/certs.d/${f.registry}/ca.crt).`;
    case 'unauthorized':
      return f.status === 401
        ? `the registry ${f.registry} refused ${f.anonymous ? 'anonymous access' : 'the credentials'} (401): ${f.detail}. ${f.anonymous ? 'Log in' : 'Log in again'} with \`docker login ${f.registry}\` (credentials come from the Docker client config: DOCKER_CONFIG or ~/.docker/config.json, and its credential helpers).`
        : `the registry ${f.registry} denied access (403): ${f.detail}. The credentials work but lack permission to pull and push there: grant it, or use another targets.docker.registry.`;
    case 'credentials':
      return `cannot get credentials for the registry ${f.registry}: ${f.detail}`;
    case 'protocol':
      return `the registry ${f.registry} answered HTTP ${f.status}: ${f.detail}`;
    default:
      return unreachable(f);
  }
}
