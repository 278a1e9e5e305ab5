import type { Diagnostic } from '../config/diagnostic.js';
import { amiTarget as buildableAmiTarget } from '../config/normalise.js';
import type { Config } from '../config/types.js';
import { err, ok, type Result } from '../result.js';
import { dockerEngine, type DockerEngine } from '../targets/docker/engine.js';
import { dockerTarget } from '../targets/docker/target.js';
import type { Target, TargetName } from '../targets/target.js';

export interface TargetFactoryDeps {
  readonly docker?: () => DockerEngine;
  readonly note?: (message: string) => void;
}

/**
 * The target named on the command line, or the config problems that keep it from being built. The AMI
 * modules are loaded only for --target ami: the AWS SDK takes about a second to load.
 */
export async function createTarget(
  name: TargetName,
  config: Config,
  deps: TargetFactoryDeps = {},
): Promise<Result<Target<unknown>, Diagnostic[]>> {
  const note = deps.note ?? ((message: string) => process.stderr.write(`${message}\n`));
  switch (name) {
    case 'docker':
      return ok(dockerTarget(config, (deps.docker ?? dockerEngine)(), note) as Target<unknown>);
    case 'ami': {
      const settings = buildableAmiTarget(config);
      if (!settings.ok) return err(settings.error);
      const [{ amiTarget }, { ec2Api }] = await Promise.all([import('../targets/ami/target.js'), import('../targets/ami/ec2.js')]);
      return ok(amiTarget(config, settings.value, { ec2: ec2Api() }) as Target<unknown>);
    }
  }
}

/** Where `terraform apply` runs for a target's tfvars. */
export const terraformRoot = (name: TargetName): string => (name === 'docker' ? 'terraform/docker' : 'terraform/aws');
