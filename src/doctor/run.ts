import { dirname, resolve } from 'node:path';
import { rootSource } from '../commands/graph.js';
import { displayPath } from '../config/load.js';
import type { TargetName } from '../targets/target.js';
import { lockPath } from '../engine/lock.js';
import { usesPlugins } from '../packer/version.js';
import { notChecked, type CheckResult } from './check.js';
import { credentialsCheck, DRY_RUN_CALLS, permissionsCheck, type DoctorAws } from './aws.js';
import { configCheck, probeConfig } from './config.js';
import { diskChecks, probeDisk } from './disk.js';
import { baseImageCheck, buildNetworkCheck, engineAddress, engineCheck, type DoctorDocker } from './docker.js';
import { lockCheck, probeLock } from './lock.js';
import { dockerPluginCheck, packerCheck, type PackerFacts, type PluginFacts } from './packer.js';
import { probeScripts, scriptsCheck } from './scripts.js';

export interface DoctorOptions {
  /** --config files; empty means ./images.yaml. */
  readonly files: readonly string[];
  readonly cwd: string;
  readonly target: TargetName;
  /** For DOCKER_HOST. */
  readonly env: NodeJS.ProcessEnv;
}

/** The outside world doctor asks; tests pass stand-ins. */
export interface DoctorDeps {
  readonly packer: { version(): Promise<PackerFacts>; plugins(): Promise<PluginFacts> };
  readonly docker: DoctorDocker;
  /** Made only for --target ami (loading the AWS SDK takes a second). */
  readonly aws: () => Promise<DoctorAws>;
}

export interface DoctorReport {
  readonly results: readonly CheckResult[];
  /** The config's problems as `build` prints them, when it is not valid. */
  readonly configProblems: string | undefined;
}

/** Gathers the facts (in parallel where they do not depend on each other) and judges each. */
export async function runChecks(options: DoctorOptions, deps: DoctorDeps): Promise<DoctorReport> {
  const dockerTarget = options.target === 'docker';
  const [config, packer, engine] = await Promise.all([
    probeConfig(options.files, options.cwd, options.target),
    deps.packer.version(),
    dockerTarget ? deps.docker.info() : undefined,
  ]);
  const root = config.ok ? config.config.root : dirname(resolve(options.cwd, options.files[0] ?? 'images.yaml'));
  const invalid = 'the config is not valid';
  const where = engineAddress(options.env);

  const results: CheckResult[] = [configCheck(config, (c) => rootSource(c, options.target))];
  results.push(config.ok ? scriptsCheck(await probeScripts(config.config)) : notChecked('provisioner scripts', invalid));
  const packerResult = packerCheck(packer);
  results.push(packerResult);
  if (dockerTarget) {
    if (packer.kind !== 'found' || packerResult.status === 'fail') results.push(notChecked('packer docker plugin', 'no usable Packer'));
    else results.push(dockerPluginCheck(packer.version, usesPlugins(packer.version) ? await deps.packer.plugins() : undefined));
  }
  if (engine !== undefined) {
    results.push(engineCheck(where, engine));
    const unreachable = 'the Docker engine cannot be reached';
    if (!engine.ok) results.push(notChecked('build network', unreachable), notChecked('base image', unreachable));
    else if (!config.ok) results.push(notChecked('build network', invalid), notChecked('base image', invalid));
    else {
      const docker = config.config.targets.docker;
      results.push(
        buildNetworkCheck(engine.value, docker.runArgs),
        baseImageCheck(docker.baseImage, await deps.docker.baseImage(docker.baseImage)),
      );
    }
  } else if (!config.ok || config.config.targets.ami?.region === undefined) {
    results.push(
      notChecked('aws credentials', 'no targets.ami.region in a valid config'),
      notChecked('aws permissions', 'no targets.ami.region in a valid config'),
    );
  } else {
    const region = config.config.targets.ami.region;
    const aws = await deps.aws();
    const credentials = await aws.credentials(region);
    results.push(credentialsCheck(credentials));
    if (!credentials.ok) results.push(notChecked('aws permissions', 'no AWS credentials'));
    else
      results.push(
        permissionsCheck(region, await Promise.all(DRY_RUN_CALLS.map(async (call) => [call, await aws.dryRun(region, call)] as const))),
      );
  }

  const local = where.startsWith('unix://');
  const rootDir = engine?.ok ? engine.value.rootDir : undefined;
  const dockerDisk =
    rootDir === undefined
      ? undefined
      : local
        ? await probeDisk(rootDir)
        : `the Docker root dir is on the engine's machine (${where}), not checked here`;
  results.push(...diskChecks(await probeDisk(root), dockerDisk));
  results.push(lockCheck(await probeLock(root), displayPath(lockPath(root), options.cwd)));
  return { results, configProblems: config.ok ? undefined : config.report };
}
