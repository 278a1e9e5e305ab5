import type { Config } from '../config/types.js';
import { runBuild } from '../engine/build.js';
import type { BuildEvent } from '../engine/events.js';
import type { Packer } from '../packer/run.js';
import type { Target } from '../targets/target.js';
import { listrRenderer } from '../ui/listr.js';
import { plainRenderer } from '../ui/plain.js';
import { summaryCollector } from '../ui/summary.js';
import { EXIT } from './exit-codes.js';
import { buildResultJson } from './build-result.js';
import { runInputs } from './run-inputs.js';
import type { SelectionFlags } from './selection.js';
import { acquireLock } from '../engine/lock.js';
import type { Selection } from '../engine/prepare.js';
import { forceStop } from '../packer/run.js';
import { unreachable } from '../result.js';
import type { CommitOptions } from '../fs/commit.js';
import { watchSignals, type Interrupts } from './interrupts.js';

export interface BuildCommandOptions {
  readonly packer: Packer;
  readonly target: Target<unknown>;
  readonly concurrency: number | undefined;
  readonly verbose: boolean;
  readonly plain: boolean;
  readonly flags: SelectionFlags;
  readonly timeoutMs: number | undefined;
  /** Print the result object (schema/build-result.schema.json) on stdout. */
  readonly json: boolean;
  /** Test seam: called at each step of the outputs' commit. */
  readonly onCommitStep?: CommitOptions['at'];
}

/** Interactive display only for a person at a terminal; CI logs and pipes get plain lines. */
const interactive = (plain: boolean): boolean => !plain && process.stderr.isTTY === true && !process.env.CI;

/**
 * `interrupts`: the signal watch cli.ts starts before it reads the config (a test passes none: the command then
 * watches for itself). Whenever a signal came, the run exits 130.
 */
export async function runBuildCommand(config: Config, options: BuildCommandOptions, watched?: Interrupts): Promise<number> {
  const interrupts = watched ?? watchSignals();
  interrupts.cleanup = options.target.definition.wording.cleanup;
  interrupts.forceStop = forceStop;
  try {
    if (interrupts.signal.aborted) {
      process.stderr.write('Interrupted before anything was built or written.\n');
      return EXIT.interrupted;
    }
    const code = await lockedBuild(config, options, interrupts);
    return interrupts.signal.aborted ? EXIT.interrupted : code;
  } finally {
    if (!watched) interrupts.stop();
  }
}

async function lockedBuild(config: Config, options: BuildCommandOptions, interrupts: Interrupts): Promise<number> {
  const inputs = runInputs(config, options.flags, process.env);
  if (!inputs.ok) {
    process.stderr.write(inputs.error);
    return EXIT.badInput;
  }
  // The command line is not recorded: it may carry values the user would not want in a file.
  const lock = await acquireLock(config.root, `build --target ${options.target.definition.name}`);
  if (!lock.ok) {
    process.stderr.write(`error: ${lock.message}\nNothing was built or written.\n`);
    return EXIT.buildFailed;
  }
  if (lock.recovered)
    process.stderr.write(
      `note: took over a stale lock left by pid ${lock.recovered.pid} (started ${lock.recovered.startedAt}), which is no longer running.\n`,
    );
  try {
    return await build(config, options, inputs.value.selection, inputs.value.secrets, interrupts);
  } finally {
    interrupts.phase = 'finishing';
    await lock.release();
  }
}

async function build(
  config: Config,
  options: BuildCommandOptions,
  selection: Selection,
  secrets: Record<string, string>,
  interrupts: Interrupts,
): Promise<number> {
  const summary = summaryCollector();
  const failures: Extract<BuildEvent, { type: 'failed' }>[] = [];
  const fancy = interactive(options.plain) && !options.verbose && !options.json ? listrRenderer() : undefined;
  const plain = fancy
    ? undefined
    : plainRenderer((line) => process.stderr.write(`${line}\n`), { verbose: options.verbose, images: config.images.map((i) => i.name) });

  interrupts.phase = 'building';
  const outcome = await runBuild({
    config,
    packer: options.packer,
    target: options.target,
    signal: interrupts.signal,
    concurrency: options.concurrency,
    selection,
    secrets,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.onCommitStep === undefined ? {} : { onCommitStep: options.onCommitStep }),
    emit: (event) => {
      summary.onEvent(event);
      if (event.type === 'failed') failures.push(event);
      fancy?.onEvent(event);
      plain?.(event);
    },
  });
  interrupts.phase = 'finishing';
  await fancy?.finish();
  if (options.json) {
    const result = buildResultJson(options.target.definition.name, outcome, interrupts.signal.aborted);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
  if (outcome.status === 'not-started') {
    process.stderr.write(`error: ${outcome.message}\nNothing was built or written.\n`);
    return EXIT.buildFailed;
  }
  process.stderr.write(`\n${summary.render()}\n\n`);
  if (fancy) {
    for (const f of failures) {
      process.stderr.write(
        `${f.image} failed: ${f.message}\n${f.logTail.map((l) => `  ${l}`).join('\n')}\n${f.logFile ? `full log: ${f.logFile}\n` : ''}\n`,
      );
    }
  }
  // A signal after the outputs' decision point: they were written in full; the run still exits 130 (the caller
  // asked it to stop, and a script chaining `build && terraform apply` must not go on), saying what was written.
  const late = interrupts.signal.aborted ? `The run was interrupted after its outputs were written; it exits ${EXIT.interrupted}.\n` : '';
  switch (outcome.status) {
    case 'succeeded':
      process.stderr.write(
        outcome.tfvars
          ? `Wrote ${outcome.tfvars}: \`terraform -chdir=${options.target.definition.terraform.root} apply\` rolls out these images.\n${late}`
          : `Not every image has an ID (--only left some out with nothing to reuse): the Terraform variables file was left as it was.\n${late}`,
      );
      return EXIT.ok;
    case 'failed':
      if (outcome.error !== undefined) process.stderr.write(`error: ${outcome.error}\n`);
      process.stderr.write(
        `${outcome.error !== undefined ? 'The run failed; see the error above.' : 'Some images did not build; the Terraform variables file was left as it was.'}\n${late}`,
      );
      return EXIT.buildFailed;
    case 'interrupted':
      process.stderr.write(
        'Interrupted before the outputs were written: the Terraform variables file and the manifest were left as they were.\n',
      );
      return EXIT.interrupted;
    default:
      return unreachable(outcome);
  }
}
