import { dirname, resolve } from 'node:path';
import { displayPath } from '../config/load.js';
import type { TargetDefinition } from '../targets/target.js';
import { lockPath } from '../engine/lock.js';
import type { CheckResult } from './check.js';
import { configCheck, probeConfig } from './config.js';
import { diskChecks, probeDisk } from './disk.js';
import { lockCheck, probeLock } from './lock.js';
import type { PackerProbe } from '../packer/run.js';
import { packerCheck } from './packer.js';
import { probeScripts, scriptsCheck } from './scripts.js';
import { notChecked } from './check.js';
import { leftoversCheck, probeLeftovers } from './leftovers.js';

export interface DoctorOptions {
  /** --config files; empty means ./images.yaml. */
  readonly files: readonly string[];
  readonly cwd: string;
  /** The target checked (from the registry, or one with stand-in adapters in tests): it owns its checks. */
  readonly target: TargetDefinition;
  /** For DOCKER_HOST. */
  readonly env: NodeJS.ProcessEnv;
}

/** The outside world doctor asks itself (the target asks its own); tests pass stand-ins. */
export interface DoctorDeps {
  readonly packer: Pick<PackerProbe, 'probe'>;
}

export interface DoctorReport {
  readonly results: readonly CheckResult[];
  /** The config's problems as `build` prints them, when it is not valid. */
  readonly configProblems: string | undefined;
}

/** Gathers the facts (in parallel where they do not depend on each other) and judges each. */
export async function runChecks(options: DoctorOptions, deps: DoctorDeps): Promise<DoctorReport> {
  const { target } = options;
  const [config, packer] = await Promise.all([probeConfig(options.files, options.cwd, target), deps.packer.probe()]);
  const root = config.ok ? config.config.root : dirname(resolve(options.cwd, options.files[0] ?? 'images.yaml'));
  const invalid = 'the config is not valid';

  const results: CheckResult[] = [configCheck(config, (c) => target.rootSource(c))];
  results.push(config.ok ? scriptsCheck(await probeScripts(config.config)) : notChecked('provisioner scripts', invalid));
  const packerResult = packerCheck(packer);
  results.push(packerResult);
  const usable = packer.kind === 'found' && packerResult.status !== 'fail' ? packer.version : undefined;
  const own = await target.doctor({ config: config.ok ? config.config : undefined, packer: usable, env: options.env });
  results.push(...own.checks);

  const disk = own.disk;
  const targetDisk = disk === undefined ? undefined : 'path' in disk ? await probeDisk(disk.path) : disk.remote;
  results.push(...diskChecks(await probeDisk(root), targetDisk));
  const lock = await probeLock(root);
  results.push(lockCheck(lock, displayPath(lockPath(root), options.cwd)));
  results.push(leftoversCheck(await probeLeftovers(root, target.name), lock));
  return { results, configProblems: config.ok ? undefined : config.report };
}
