import type { Config } from '../config/types.js';
import { acquireLock } from '../engine/lock.js';
import type { Target } from '../targets/target.js';
import { readTfvarsFile } from '../targets/tfvars-file.js';
import { describeRunFailure } from '../engine/failure.js';
import { EXIT } from './exit-codes.js';

export interface PruneOptions {
  readonly target: Target<unknown>;
  readonly keep: number | undefined;
  readonly dryRun: boolean;
  readonly write: (line: string) => void;
}

export async function runPruneCommand(config: Config, options: PruneOptions): Promise<number> {
  const { target } = options;
  const keep = options.keep ?? target.prune.defaultKeep;
  // Images the current tfvars reference never go; a tfvars file that cannot be read stops the prune.
  const referenced = await readTfvarsFile(config.root, target.definition);
  if (!referenced.ok) {
    process.stderr.write(`error: ${describeRunFailure(referenced.error)}: refusing to prune without knowing what Terraform uses.\n`);
    return EXIT.buildFailed;
  }
  const lock = await acquireLock(config.root, `prune --target ${target.definition.name}`);
  if (!lock.ok) {
    process.stderr.write(`error: ${lock.message}\n`);
    return EXIT.buildFailed;
  }
  try {
    const plan = await target.prune.plan(keep, new Set([...referenced.value.values()].flat()));
    for (const line of plan.lines) options.write(line);
    if (options.dryRun || plan.removeCount === 0) {
      options.write(
        plan.removeCount === 0 ? 'Nothing to remove.' : `${plan.removeCount} would be removed (--dry-run: nothing was removed).`,
      );
      return EXIT.ok;
    }
    const outcome = await plan.apply(options.write);
    for (const failure of outcome.failed) process.stderr.write(`error: ${failure}\n`);
    return outcome.failed.length === 0 ? EXIT.ok : EXIT.buildFailed;
  } finally {
    await lock.release();
  }
}
