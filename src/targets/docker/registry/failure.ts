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

/** The problem and what to do about it, apart (doctor prints them apart). */
export function explainRegistryFailure(f: RegistryFailure): { readonly problem: string; readonly fix: string } {
  const login = `\`docker login ${f.registry}\` (credentials come from the Docker client config: DOCKER_CONFIG or ~/.docker/config.json, and its credential helpers)`;
  switch (f.reason) {
    case 'unreachable':
      return {
        problem: `cannot reach the registry ${f.registry}: ${f.detail}`,
        fix: 'Check the address in targets.docker.registry, that the registry runs, and the network between here and it.',
      };
    case 'tls':
      return {
        problem: `TLS with the registry ${f.registry} failed: ${f.detail}`,
        fix: `The registry must present a certificate this machine trusts for that name: add its CA to the system store (or NODE_EXTRA_CA_CERTS) and to the engine (/etc/docker/certs.d/${f.registry}/ca.crt).`,
      };
    case 'unauthorized':
      return f.status === 401
        ? {
            problem: `the registry ${f.registry} refused ${f.anonymous ? 'anonymous access' : 'the credentials'} (401): ${f.detail}`,
            fix: `${f.anonymous ? 'Log in' : 'Log in again'} with ${login}.`,
          }
        : {
            problem: `the registry ${f.registry} denied access (403): ${f.detail}`,
            fix: 'The credentials are accepted but may not pull and push there: grant that, or use another targets.docker.registry.',
          };
    case 'credentials':
      return {
        problem: `cannot get credentials for the registry ${f.registry}: ${f.detail}`,
        fix: `Fix the Docker client config, or log in with ${login}.`,
      };
    case 'protocol':
      return {
        problem: `the registry ${f.registry} answered HTTP ${f.status}: ${f.detail}`,
        fix: 'Check that targets.docker.registry names a registry that serves the distribution API v2 (/v2/).',
      };
    default:
      return unreachable(f);
  }
}

export function describeRegistryFailure(f: RegistryFailure): string {
  const { problem, fix } = explainRegistryFailure(f);
  return `${problem}. ${fix}`;
}
