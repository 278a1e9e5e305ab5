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
}

/** Interactive display only for a person at a terminal; CI logs and pipes get plain lines. */
const interactive = (plain: boolean): boolean => !plain && process.stderr.isTTY === true && !process.env.CI;

export async function runBuildCommand(config: Config, options: BuildCommandOptions): Promise<number> {
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
    return await build(config, options, inputs.value.selection, inputs.value.secrets);
  } finally {
    await lock.release();
  }
}

async function build(config: Config, options: BuildCommandOptions, selection: Selection, secrets: Record<string, string>): Promise<number> {
  const summary = summaryCollector();
  const failures: Extract<BuildEvent, { type: 'failed' }>[] = [];
  const fancy = interactive(options.plain) && !options.verbose && !options.json ? listrRenderer() : undefined;
  const plain = fancy
    ? undefined
    : plainRenderer((line) => process.stderr.write(`${line}\n`), { verbose: options.verbose, images: config.images.map((i) => i.name) });

  const controller = new AbortController();
  // SIGHUP (the terminal closed) is a request to stop like any other: without a handler Node exits at once
  // and orphans Packer, whose build container keeps the env file with the secrets (issue 13 #6).
  const interrupt = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second signal is obeyed at once, even when Packer or the engine hang (issue 13 #5): Packer's process
      // groups are killed; what they leave (labelled build containers, env files) the next run removes.
      process.stderr.write(`\n${signal} again: stopping now; the next run removes what the builds left behind.\n`);
      forceStop();
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\n${signal}: stopping builds; Packer is removing its ${options.target.definition.wording.cleanup}...\n`);
    controller.abort();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, interrupt);

  try {
    const outcome = await runBuild({
      config,
      packer: options.packer,
      target: options.target,
      signal: controller.signal,
      concurrency: options.concurrency,
      selection,
      secrets,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      emit: (event) => {
        summary.onEvent(event);
        if (event.type === 'failed') failures.push(event);
        fancy?.onEvent(event);
        plain?.(event);
      },
    });
    await fancy?.finish();
    if (options.json) process.stdout.write(`${JSON.stringify(buildResultJson(options.target.definition.name, outcome), null, 2)}\n`);
    if (outcome.status === 'not-started') {
      process.stderr.write(`error: ${outcome.message}\nNothing was built or written.\n`);
      return controller.signal.aborted ? EXIT.interrupted : EXIT.buildFailed;
    }
    process.stderr.write(`\n${summary.render()}\n\n`);
    if (fancy) {
      for (const f of failures) {
        process.stderr.write(
          `${f.image} failed: ${f.message}\n${f.logTail.map((l) => `  ${l}`).join('\n')}\n${f.logFile ? `full log: ${f.logFile}\n` : ''}\n`,
        );
      }
    }
    if (outcome.status !== 'succeeded' && outcome.error !== undefined) process.stderr.write(`error: ${outcome.error}\n`);
    if (outcome.status === 'succeeded' && controller.signal.aborted) {
      // The signal came while the outputs were being written: they were completed, not left half done.
      process.stderr.write(
        `Interrupted while writing the outputs; they were completed first${outcome.tfvars ? `: ${outcome.tfvars} and the manifest are up to date` : ''}.\n`,
      );
      return EXIT.interrupted;
    }
    switch (outcome.status) {
      case 'succeeded':
        process.stderr.write(
          outcome.tfvars
            ? `Wrote ${outcome.tfvars}: \`terraform -chdir=${options.target.definition.terraform.root} apply\` rolls out these images.\n`
            : 'Not every image has an ID (--only left some out with nothing to reuse): the Terraform variables file was left as it was.\n',
        );
        return EXIT.ok;
      case 'failed':
        process.stderr.write(
          outcome.error !== undefined
            ? 'The run failed; see the error above.\n'
            : 'Some images did not build; the Terraform variables file was left as it was.\n',
        );
        return EXIT.buildFailed;
      case 'interrupted':
        process.stderr.write('Interrupted; the Terraform variables file was left as it was.\n');
        return EXIT.interrupted;
      default:
        return unreachable(outcome);
    }
  } finally {
    for (const s of signals) process.off(s, interrupt);
  }
}
