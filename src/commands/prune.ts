import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MaxAge } from '../config/max-age.js';
import type { Config } from '../config/types.js';
import { acquireLock } from '../engine/lock.js';
import { outputsJournal } from '../engine/outputs.js';
import { recoverCommit } from '../fs/commit.js';
import type { Target } from '../targets/target.js';
import { readTfvarsFile } from '../targets/tfvars-file.js';
import { describeRunFailure } from '../engine/failure.js';
import { EXIT } from './exit-codes.js';

/** How long a launch keeps an image when --launched-within is not given. EC2 reports a launch up to 24 h late. */
export const DEFAULT_LAUNCHED_WITHIN: MaxAge = { text: '30d', ms: 30 * 86_400_000 };

export interface PruneOptions {
  readonly target: Target<unknown>;
  readonly keep: number | undefined;
  readonly dryRun: boolean;
  readonly write: (line: string) => void;
  /**
   * Where Terraform's variables file is: undefined for the target's own (terraform/<target>/images.auto.tfvars.json),
   * a path for a copy of it (e.g. the artifact of the CI job that built), false (--no-tfvars) to prune without one.
   */
  readonly tfvars?: string | false;
  /** Images that launched an instance this recently stay (AMIs); default DEFAULT_LAUNCHED_WITHIN. */
  readonly launchedWithin?: MaxAge;
  readonly now?: Date;
}

export async function runPruneCommand(config: Config, options: PruneOptions): Promise<number> {
  const { target } = options;
  const keep = options.keep ?? target.prune.defaultKeep;
  const path = typeof options.tfvars === 'string' ? options.tfvars : target.definition.terraform.tfvars;
  // The lock first, then what Terraform uses: a build committing its tfvars between the two would otherwise
  // leave this prune judging by the old file and removing the images the new one names.
  const lock = await acquireLock(config.root, `prune --target ${target.definition.name}`);
  if (!lock.ok) {
    process.stderr.write(`error: ${lock.message}\n`);
    return EXIT.buildFailed;
  }
  try {
    // A build killed after deciding its outputs (tfvars + manifest) left a journal: its new tfvars names images
    // the old one does not, and they must not be pruned. Completed here as the next build would (fs/commit.ts).
    await recoverCommit(config.root, outputsJournal(target.definition.name));
    // The tfvars file is not committed (.gitignore): a fresh checkout, such as a CI job's, has none. Taking
    // that as "Terraform uses nothing" would remove every image but the newest --keep, deployed ones too.
    const present = await exists(resolve(config.root, path));
    if (!present && options.tfvars !== false) {
      process.stderr.write(
        `error: ${path} does not exist, so prune cannot tell which images Terraform uses (the file is not committed: a fresh checkout or CI job does not have it).\n` +
          "  Run prune where the last build ran, or give it the file that build wrote with --tfvars <file> (e.g. the CI job's artifact),\n" +
          '  or pass --no-tfvars if no Terraform uses these images: then only the newest --keep and their parents stay' +
          (target.prune.alsoKept === undefined ? '.\n' : `, and ${target.prune.alsoKept}.\n`),
      );
      return EXIT.badInput;
    }
    // Images the tfvars reference never go; a tfvars file that cannot be read stops the prune.
    const referenced = present
      ? await readTfvarsFile(config.root, target.definition, path)
      : { ok: true as const, value: new Map<string, string[]>() };
    if (!referenced.ok) {
      process.stderr.write(`error: ${describeRunFailure(referenced.error)}: refusing to prune without knowing what Terraform uses.\n`);
      return EXIT.buildFailed;
    }
    const ids = new Set([...referenced.value.values()].flat());
    const plan = await target.prune.plan(keep, ids, {
      usedWithin: options.launchedWithin ?? DEFAULT_LAUNCHED_WITHIN,
      now: options.now ?? new Date(),
    });
    if (plan.problem !== undefined) {
      process.stderr.write(`error: ${plan.problem}\n`);
      return EXIT.buildFailed;
    }
    options.write(
      present
        ? `Terraform uses ${ids.size} ID${ids.size === 1 ? '' : 's'} (${path}).`
        : `No tfvars file (--no-tfvars): nothing is kept for Terraform’s sake.`,
    );
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === 'ENOENT') return false;
    return true; // Anything else (a permission problem) is for the reader to report, with the path.
  }
}
