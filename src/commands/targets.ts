import type { Diagnostic } from '../config/diagnostic.js';
import { amiTarget as buildableAmiTarget } from '../config/normalise.js';
import type { Config } from '../config/types.js';
import { err, ok, type Result } from '../result.js';
import { amiTarget } from '../targets/ami/target.js';
import { ec2Api } from '../targets/ami/ec2.js';
import { dockerEngine, type DockerEngine } from '../targets/docker/engine.js';
import { dockerTarget } from '../targets/docker/target.js';
import type { Target, TargetName } from '../targets/target.js';

export interface TargetFactoryDeps {
  readonly docker?: () => DockerEngine;
  readonly note?: (message: string) => void;
}

/** The target named on the command line, or the config problems that keep it from being built. */
export function createTarget(name: TargetName, config: Config, deps: TargetFactoryDeps = {}): Result<Target<unknown>, Diagnostic[]> {
  const note = deps.note ?? ((message: string) => process.stderr.write(`${message}\n`));
  switch (name) {
    case 'docker':
      return ok(dockerTarget(config, (deps.docker ?? dockerEngine)(), note) as Target<unknown>);
    case 'ami': {
      const settings = buildableAmiTarget(config);
      if (!settings.ok) return err(settings.error);
      return ok(amiTarget(config, settings.value, { ec2: ec2Api() }) as Target<unknown>);
    }
  }
}

/** Where `terraform apply` runs for a target's tfvars. */
export const terraformRoot = (name: TargetName): string => (name === 'docker' ? 'terraform/docker' : 'terraform/aws');
