import { packerCli } from '../../packer/run.js';
import { parseDockerTfvars, DOCKER_TFVARS_PATH } from '../../terraform/tfvars.js';
import { ok } from '../../result.js';
import type { Target, TargetDefinition } from '../target.js';
import { dockerDoctor, doctorDocker, type DockerDoctorAdapters } from './doctor.js';
import { dockerEngine, type DockerEngine } from './engine.js';
import { dockerTarget } from './target.js';
import { DOCKER_TEMPLATE_DIR, dockerTemplates } from './templates.js';
import { registryClient, type RegistryClient } from './registry/client.js';
import { findCredentials } from './registry/credentials.js';
import { registryLocation } from './registry/location.js';
import { registrySide } from './registry/side.js';
import { FINGERPRINT_LABEL } from './build-image.js';

export interface DockerAdapters extends DockerDoctorAdapters {
  /** The engine builds use (dockerode; reads DOCKER_HOST like the docker CLI). */
  readonly engine: () => DockerEngine;
  /** The registry client for `targets.docker.registry` (credentials from the Docker client config). */
  readonly registry: (registry: string) => RegistryClient;
}

const REAL: DockerAdapters = {
  engine: () => dockerEngine(),
  docker: doctorDocker,
  plugins: () => packerCli().plugins(),
  registry: (registry) => {
    const location = registryLocation(registry);
    return registryClient({ location, credentials: () => findCredentials(location.host) });
  },
};

/** `--target docker`; tests pass stand-in adapters. */
export function dockerDefinition(adapters: Partial<DockerAdapters> = {}): TargetDefinition {
  const use = { ...REAL, ...adapters };
  const definition: TargetDefinition = {
    name: 'docker',
    templates: { dir: DOCKER_TEMPLATE_DIR, render: dockerTemplates },
    terraform: {
      root: 'terraform/docker',
      tfvars: DOCKER_TFVARS_PATH,
      read: (text) => {
        const parsed = parseDockerTfvars(text);
        return parsed.ok ? ok(new Map(Object.entries(parsed.value).map(([image, id]) => [image, [id]]))) : parsed;
      },
    },
    rootSource: (config) => config.targets.docker.baseImage,
    wording: { cleanup: 'build containers' },
    // The docker section always has defaults: nothing the config can lack.
    problems: () => [],
    doctor: (input) => dockerDoctor(input, use),
    open: (config, deps = {}) => {
      const engine = use.engine();
      const registry = config.targets.docker.registry;
      const side =
        registry === undefined ? undefined : registrySide({ client: use.registry(registry), engine, fingerprintLabel: FINGERPRINT_LABEL });
      return dockerTarget(
        definition,
        config,
        engine,
        deps.note ?? ((message) => process.stderr.write(`${message}\n`)),
        side,
      ) as unknown as Target<unknown>;
    },
  };
  return definition;
}
