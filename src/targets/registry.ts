import type { Diagnostic } from '../config/diagnostic.js';
import type { Config } from '../config/types.js';
import { err, ok, type Result } from '../result.js';
import type { OpenDeps, Target, TargetDefinition, TargetName } from './target.js';

/**
 * The one place that maps a target's name to its implementation. Each is loaded when asked for: the AMI
 * modules pull in the AWS SDK, which takes about a second to load.
 */
export async function targetDefinition(name: TargetName): Promise<TargetDefinition> {
  switch (name) {
    case 'docker':
      return (await import('./docker/definition.js')).dockerDefinition();
    case 'ami':
      return (await import('./ami/definition.js')).amiDefinition();
  }
}

/** The port for this config, or the config's problems for this target (exit 2). */
export async function openTarget(
  name: TargetName,
  config: Config,
  deps: OpenDeps = {},
): Promise<Result<Target<unknown>, readonly Diagnostic[]>> {
  const definition = await targetDefinition(name);
  const problems = definition.problems(config);
  return problems.length > 0 ? err(problems) : ok(definition.open(config, deps));
}

/** Whether `build-images rehearse` can run this target's provisioning locally (the AMI builds: over SSH into systemd hosts). */
export function canRehearse(name: TargetName): boolean {
  return name === 'ami';
}
