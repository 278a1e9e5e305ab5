import type Docker from 'dockerode';
import { notChecked, fail, ok, warn, type CheckResult } from '../../doctor/check.js';
import { dockerPluginCheck } from '../../doctor/packer.js';
import type { PluginFacts } from '../../packer/run.js';
import type { Config } from '../../config/types.js';
import { usesPlugins } from '../../packer/version.js';
import { err, ok as okResult, type Result } from '../../result.js';
import { shortId } from '../../text.js';
import { projectIdentity, type ProjectIdentity } from '../project.js';
import type { DoctorInput, DoctorOutput } from '../target.js';
import { isStatus, newDockerClient } from './engine.js';
import type { RegistryClient } from './registry/client.js';
import { explainRegistryFailure } from './registry/failure.js';
import { projectId } from '../project.js';
import { hostTag, judgeBuildContainers, pidAlive, projectContainerFilter, type ContainerSummary } from './build-container.js';

/** What `docker info` and `docker network ls` said about the engine. */
export interface EngineFacts {
  readonly serverVersion: string;
  readonly storageDriver: string;
  /** Where the engine keeps images, on the engine's machine. */
  readonly rootDir: string | undefined;
  readonly networks: readonly string[];
}

export type BaseImageFacts =
  | { readonly kind: 'present'; readonly id: string }
  /** Not in the engine, but its registry answers for it (checked without pulling). */
  | { readonly kind: 'pullable'; readonly digest: string | undefined }
  | { readonly kind: 'unpullable'; readonly message: string };

/** The slice of the engine API doctor asks; a test substitutes it. */
export interface DoctorDocker {
  info(): Promise<Result<EngineFacts, string>>;
  /** `auth`: registry credentials for a base image in targets.docker.registry's registry. */
  baseImage(ref: string, auth?: Record<string, string>): Promise<BaseImageFacts>;
  /** Containers (any state) matching the engine's `name` filter: this project's build containers. */
  containers(nameFilter: string): Promise<Result<ContainerSummary[], string>>;
}

/** The engine's address as the docker CLI and dockerode read it. */
export const engineAddress = (env: NodeJS.ProcessEnv = process.env): string => env.DOCKER_HOST || 'unix:///var/run/docker.sock';

/** dockerode reads DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) like the docker CLI. */
export function doctorDocker(): DoctorDocker {
  let docker: Docker | undefined;
  let setupError: string | undefined;
  try {
    docker = newDockerClient({ timeout: 20_000 });
  } catch (e: unknown) {
    setupError = message(e);
  }
  return {
    async info() {
      if (!docker) return err(setupError ?? 'no engine');
      try {
        const info = (await docker.info()) as { ServerVersion?: string; Driver?: string; DockerRootDir?: string };
        const networks = await docker.listNetworks();
        return okResult({
          serverVersion: info.ServerVersion ?? '?',
          storageDriver: info.Driver ?? '?',
          rootDir: info.DockerRootDir,
          networks: networks.map((n) => n.Name),
        });
      } catch (e: unknown) {
        return err(message(e));
      }
    },
    async baseImage(ref, auth) {
      if (!docker) return { kind: 'unpullable', message: setupError ?? 'no engine' };
      try {
        const image = await docker.getImage(ref).inspect();
        return { kind: 'present', id: image.Id };
      } catch (e: unknown) {
        if (!isStatus(e, 404)) return { kind: 'unpullable', message: message(e) };
      }
      try {
        // The engine asks the registry for the manifest only: nothing is downloaded.
        const found = (await docker.getImage(ref).distribution(auth ? { authconfig: auth } : {})) as { Descriptor?: { digest?: string } };
        return { kind: 'pullable', digest: found.Descriptor?.digest };
      } catch (e: unknown) {
        return { kind: 'unpullable', message: message(e) };
      }
    },
    async containers(nameFilter) {
      if (!docker) return err(setupError ?? 'no engine');
      try {
        const found = await docker.listContainers({ all: true, filters: { name: [nameFilter] } });
        return okResult(found.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State })));
      } catch (e: unknown) {
        return err(message(e));
      }
    },
  };
}

/**
 * Build containers a killed run left (kill -9, an engine that died mid-build; issue 13 #6, #8): each holds its
 * build's environment (variables, secrets) in /tmp/build-images/env.sh. Found by name (build-container.ts); a
 * container whose run is alive on this host is a running build, one from another host is left to that host.
 */
export function buildContainersCheck(
  found: Result<ContainerSummary[], string>,
  owner: { project: string; host: string },
  isAlive: (pid: number) => boolean,
): CheckResult {
  const name = 'build containers';
  if (!found.ok) return warn(name, `could not list the engine's containers: ${found.error}`);
  const verdicts = judgeBuildContainers(found.value, owner, (pid) => !isAlive(pid));
  const left = verdicts.filter((v) => v.kind === 'left-over');
  const running = verdicts.filter((v) => v.kind === 'running').length;
  const elsewhere = verdicts.filter((v) => v.kind === 'other-host').length;
  const also = [
    ...(running > 0 ? [`${running} of a running build`] : []),
    ...(elsewhere > 0 ? [`${elsewhere} from another host sharing this engine, not judged here`] : []),
  ];
  const tail = also.length > 0 ? ` (${also.join('; ')})` : '';
  if (left.length === 0) return ok(name, `none left by killed runs of this project${tail}`);
  const names = left.map((v) => v.container.name);
  return warn(
    name,
    `${left.length} left by killed runs, holding their builds' environment (variables, secrets): ${left
      .map((v) => `${v.container.name} (${v.container.state}, pid ${v.pid} gone)`)
      .join(', ')}${tail}`,
    `the next \`build-images build\` removes them before building; or now: \`docker rm -f ${names.join(' ')}\``,
  );
}

export function engineCheck(where: string, engine: Result<EngineFacts, string>): CheckResult {
  const name = 'docker engine';
  if (!engine.ok) {
    return fail(
      name,
      `cannot reach ${where}: ${engine.error}`,
      'start the engine (`systemctl start docker`, or scripts/start-docker where there is no systemd) or point DOCKER_HOST at a running one',
    );
  }
  const { serverVersion, storageDriver } = engine.value;
  const detail = `Docker ${serverVersion} at ${where}, storage driver ${storageDriver}`;
  if (storageDriver === 'vfs') {
    return warn(
      name,
      `${detail}: vfs copies every layer in full, so builds are slow and use much more disk`,
      'start dockerd with --storage-driver=overlay2',
    );
  }
  return ok(name, detail);
}

/** A `--bridge=none` engine is fine, as long as the build containers get a network some other way. */
export function buildNetworkCheck(engine: EngineFacts, runArgs: readonly string[]): CheckResult {
  const name = 'build network';
  const chosen = networkArgs(runArgs);
  if (chosen.length > 0) return ok(name, `build containers run with ${chosen.join(' ')} (targets.docker.run_args)`);
  if (engine.networks.includes('bridge')) return ok(name, "build containers use the engine's default bridge network");
  return warn(
    name,
    'the engine has no default bridge network (dockerd --bridge=none) and targets.docker.run_args names none: build containers get no network, so provisioners that download anything fail',
    'add "--network=host" to targets.docker.run_args (as examples/offline/images.yaml does)',
  );
}

export function baseImageCheck(ref: string, facts: BaseImageFacts): CheckResult {
  const name = 'base image';
  switch (facts.kind) {
    case 'present':
      return ok(name, `${ref} is in the engine (${shortId(facts.id)})`);
    case 'pullable':
      return ok(
        name,
        `${ref} is not in the engine; its registry has it${facts.digest ? ` (${facts.digest})` : ''}, and the build will pull it`,
      );
    case 'unpullable':
      return fail(
        name,
        `${ref} is not in the engine and cannot be pulled: ${facts.message}`,
        'pull or load it into the engine, or point targets.docker.base_image at a local image (offline: examples/offline/prepare makes local/debian:bookworm, see docs/offline.md)',
      );
  }
}

/** `--network=host`, `--network host`, `--net=host` as given in run_args. */
function networkArgs(runArgs: readonly string[]): string[] {
  const out: string[] = [];
  runArgs.forEach((arg, i) => {
    if (/^--net(work)?=/.test(arg)) out.push(arg);
    else if (arg === '--network' || arg === '--net') out.push(`${arg} ${runArgs[i + 1] ?? ''}`.trim());
  });
  return out;
}

/** dockerode puts the engine's JSON answer after its own prefix; the engine's text is the useful part. */
function message(e: unknown): string {
  const json = (e as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message.trim();
  return (e instanceof Error ? e.message : String(e)).trim();
}

/** What doctor asks for --target docker; tests pass stand-ins. */
export interface DockerDoctorAdapters {
  readonly docker: () => DoctorDocker;
  /** `packer plugins installed` (Packer >= 1.7). */
  readonly plugins: () => Promise<PluginFacts>;
  /** The registry client for targets.docker.registry; without it the registry check says "not checked". */
  readonly registry?: (registry: string) => RegistryClient;
}

/** The Docker checks, in the order doctor prints them: plugin, engine, build network, base image, build containers. */
export async function dockerDoctor(input: DoctorInput, adapters: DockerDoctorAdapters): Promise<DoctorOutput> {
  const docker = adapters.docker();
  const [engine, plugins] = await Promise.all([
    docker.info(),
    input.packer !== undefined && usesPlugins(input.packer) ? adapters.plugins() : undefined,
  ]);
  const checks: CheckResult[] = [
    input.packer === undefined ? notChecked('packer docker plugin', 'no usable Packer') : dockerPluginCheck(input.packer, plugins),
  ];
  const where = engineAddress(input.env);
  checks.push(engineCheck(where, engine));
  const config: Config | undefined = input.config;
  const unreachable = 'the Docker engine cannot be reached';
  const invalid = 'the config is not valid';
  if (!engine.ok)
    checks.push(
      notChecked('build network', unreachable),
      notChecked('base image', unreachable),
      notChecked('build containers', unreachable),
    );
  else if (config === undefined)
    checks.push(notChecked('build network', invalid), notChecked('base image', invalid), notChecked('build containers', invalid));
  else {
    const settings = config.targets.docker;
    const client = settings.registry !== undefined ? adapters.registry?.(settings.registry) : undefined;
    const auth = client !== undefined && settings.baseImage.startsWith(`${client.location.host}/`) ? await client.engineAuth() : undefined;
    const project = projectId(config.root);
    checks.push(
      buildNetworkCheck(engine.value, settings.runArgs),
      baseImageCheck(settings.baseImage, await docker.baseImage(settings.baseImage, auth?.ok ? auth.value : undefined)),
      buildContainersCheck(await docker.containers(projectContainerFilter(project)), { project, host: hostTag() }, pidAlive),
    );
  }
  checks.push(config === undefined ? notChecked('project identity', invalid) : projectCheck(projectIdentity(config), input.env));
  if (config?.targets.docker.registry !== undefined) checks.push(await registryCheck(config.targets.docker.registry, adapters));
  const rootDir = engine.ok ? engine.value.rootDir : undefined;
  if (rootDir === undefined) return { checks };
  return {
    checks,
    disk: where.startsWith('unix://')
      ? { path: rootDir }
      : { remote: `the Docker root dir is on the engine's machine (${where}), not checked here` },
  };
}

/**
 * The identity prune goes by (targets/project.ts). From the path it is fine on one machine, and a warning
 * under CI, where runners check the project out into other directories and so never prune what earlier
 * runs built.
 */
export function projectCheck(identity: ProjectIdentity, env: NodeJS.ProcessEnv): CheckResult {
  const name = 'project identity';
  if (identity.from === 'config')
    return ok(name, `${identity.id} (from ${identity.source}): images are labelled with it, and prune keeps to it`);
  const fix = 'set `project: <name>` in images.yaml so every checkout shares one identity';
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')
    return warn(name, `${identity.id} is ${identity.source}: under CI each checkout directory is another project to prune`, fix);
  return ok(name, `${identity.id}, ${identity.source} (if CI or another checkout builds this project too: ${fix})`);
}

/** The registry answers and accepts the credentials (or anonymous access): what plan and build check first. */
async function registryCheck(registry: string, adapters: DockerDoctorAdapters): Promise<CheckResult> {
  if (adapters.registry === undefined) return notChecked('registry', 'no registry client');
  const pinged = await adapters.registry(registry).ping();
  if (pinged.ok) return ok('registry', pinged.value);
  const { problem, fix } = explainRegistryFailure(pinged.error);
  return fail('registry', problem, fix);
}
