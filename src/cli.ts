import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Config } from './config/types.js';
import { TOOL_VERSION } from './version.js';
import { EXIT } from './commands/exit-codes.js';
import { DETAILED_EXIT } from './commands/detailed-exitcode.js';
import { TARGET_NAMES, type Target, type TargetName } from './targets/target.js';
import type { SelectionFlags } from './commands/selection.js';
import { parseDuration } from './commands/duration.js';
import { parseMaxAge, type MaxAge } from './config/max-age.js';
import { GRAPH_FORMATS, type GraphFormat } from './commands/graph-formats.js';
import { didYouMean } from './config/suggest.js';
import { applyVariableOverrides, varOverridesOrReport, type VarFlags } from './commands/cli-variables.js';
import type { RehearseFlags } from './commands/rehearse.js';
import { watchSignals } from './commands/interrupts.js';
import type { Packer, PackerProbe } from './packer/run.js';

export { exitWhenFlushed } from './flush-exit.js';

// Start-up loads only commander and the few small modules above; each command imports what it runs
// when it runs (`--version` and `--help` load nothing else; `generate` never loads the Docker client).
let packerAdapter: Promise<Packer & PackerProbe> | undefined;
const packerCli = (): Promise<Packer & PackerProbe> => (packerAdapter ??= import('./packer/run.js').then((m) => m.packerCli()));
/**
 * Starts `packer version` for a command that will ask for it, before the config is parsed: the Go binary
 * starts on the other CPU while this one parses YAML (0.65 s wall under load here, ~0.14 s of it CPU), and
 * the answer waits in the adapter. Its failure is reported where it is asked for, as before.
 */
const prefetchPackerVersion = (): void => void packerCli().then((p) => p.version());
const targetDefinition = async (name: TargetName) => (await import('./targets/registry.js')).targetDefinition(name);

export interface GlobalOptions {
  readonly config: string[];
  readonly target: TargetName;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (/^\s*[+-]?[\d.]+(e[+-]?\d+)?\s*$/i.test(value) && (!Number.isFinite(n) || (Number.isInteger(n) && n > MAX_COUNT))) {
    throw new InvalidArgumentError(`${value} is out of range: expected a whole number from 1 to ${MAX_COUNT}.`);
  }
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1.');
  return n;
}

/** --launched-within: an age as max_age writes it ("30d"); EC2 reports a launch up to 24 h late, so less than a day misleads. */
function launchedWithin(value: string): MaxAge {
  const age = parseMaxAge(value);
  if (age === undefined) throw new InvalidArgumentError('expected an age: a whole number from 1 and a unit, s, m, h or d (like "14d").');
  if (age.ms < 86_400_000) throw new InvalidArgumentError('EC2 reports a launch up to 24 hours late: give at least 1d.');
  return age;
}

/** Beyond this a count (--concurrency, --keep) means nothing; 1e400 is Infinity in JavaScript, not a count. */
const MAX_COUNT = 10_000;

/**
 * `build` is the default command, so commander reads `build-images biuld` as `build biuld` and complains
 * about "too many arguments for 'build'". A first word that is no command is a mistyped command.
 */
function unknownCommand(argv: readonly string[], commands: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || commands.includes(first) || first === 'help') return undefined;
  const near = didYouMean(first, commands);
  return `error: unknown command '${first}'${near === undefined ? '' : ` (did you mean ${near}?)`}\n  hint: commands are ${commands.join(', ')}; see build-images --help\n`;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Loads and validates the config, printing every problem found; undefined means exit 2. */
export async function loadConfigOrReport(files: readonly string[]): Promise<Config | undefined> {
  const [{ loadConfig }, { formatDiagnostics }] = await Promise.all([import('./config/load.js'), import('./config/format.js')]);
  const loaded = await loadConfig(files.length > 0 ? files : ['images.yaml'], { cwd: process.cwd() });
  if (loaded.ok) return loaded.value;
  process.stderr.write(`${formatDiagnostics(loaded.error, readSource)}\n`);
  const n = loaded.error.length;
  process.stderr.write(`\n${n} problem${n === 1 ? '' : 's'} in the config: nothing was built or written.\n`);
  return undefined;
}

/** Config with --var applied, and the target; undefined after every problem was printed (exit 2). */
async function configAndTarget(opts: GlobalOptions & VarFlags): Promise<{ config: Config; target: Target<unknown> } | undefined> {
  const vars = varOverridesOrReport(opts.var);
  const loaded = await loadConfigOrReport(opts.config);
  if (!loaded || !vars) return undefined;
  const config = applyVariableOverrides(loaded, vars);
  const target = await targetOrReport(opts.target, config);
  return target && { config, target };
}

/** The target, or undefined after printing why the config cannot build it (exit 2). */
async function targetOrReport(name: TargetName, config: Config): Promise<Target<unknown> | undefined> {
  const { openTarget } = await import('./targets/registry.js');
  const target = await openTarget(name, config);
  if (target.ok) return target.value;
  const { formatDiagnostics } = await import('./config/format.js');
  process.stderr.write(`${formatDiagnostics(target.error, readSource)}\n`);
  return undefined;
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function program(setExit: (code: number) => void): Command {
  const cmd = new Command('build-images')
    .description('Build a tree of machine images with Packer, in dependency order, and hand the image IDs to Terraform.')
    .version(TOOL_VERSION, '--version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const common = (c: Command): Command =>
    c
      .option('-c, --config <file>', 'config file; repeat to overlay (later files win: maps merge, lists replace)', collect, [])
      .addOption(new Option('-t, --target <target>', 'what to build').choices(TARGET_NAMES).default('docker'));

  common(cmd.command('build', { isDefault: true }))
    .description('validate, generate templates, build every image in dependency order, write terraform/<target>/images.auto.tfvars.json')
    .option('-j, --concurrency <n>', 'builds at once (default: targets.<target>.concurrency, else the number of CPUs)', positiveInt)
    .option('-v, --verbose', 'stream Packer output')
    .option('--plain', 'plain timestamped lines instead of the interactive display (automatic when not a TTY or in CI)')
    .option('--json', 'print a result object on stdout when done (schema/build-result.schema.json); progress stays on stderr')
    .option('--timeout <duration>', 'stop and clean up any single build that runs longer (e.g. 30m, 1h30m); it then fails', parseDuration)
    .option('--force [image...]', 'rebuild these images (all when no name is given) even if an image with the same fingerprint exists')
    .option('--only <image...>', 'build only these images, and those ancestors that have nothing to reuse')
    .option('--except <image...>', 'build everything but these images and the images built on them')
    .option('--var <KEY=VALUE>', "set a provisioner variable for every image, over the config's values (repeatable)", collect, [])
    .addHelpText(
      'after',
      '\nExamples:\n  $ build-images --target docker\n  $ build-images --config images.yaml --config examples/offline/images.yaml',
    )
    .action(
      async (
        opts: GlobalOptions &
          SelectionFlags &
          VarFlags & { concurrency?: number; verbose?: boolean; plain?: boolean; timeout?: number; json?: boolean },
      ) => {
        // Signals are watched before the config is read, until the lock is released (issue 13 #15).
        const interrupts = watchSignals();
        prefetchPackerVersion();
        try {
          const loaded = await configAndTarget(opts);
          if (!loaded) return setExit(interrupts.signal.aborted ? EXIT.interrupted : EXIT.badInput);
          const { config, target } = loaded;
          const { runBuildCommand } = await import('./commands/build.js');
          setExit(
            await runBuildCommand(
              config,
              {
                packer: await packerCli(),
                target,
                concurrency: opts.concurrency,
                verbose: opts.verbose ?? false,
                plain: opts.plain ?? false,
                flags: opts,
                timeoutMs: opts.timeout,
                json: opts.json ?? false,
              },
              interrupts,
            ),
          );
        } finally {
          interrupts.stop();
        }
      },
    );

  common(cmd.command('plan'))
    .description('show, per image, whether it would be built (and why) or reused (and which ID); builds nothing')
    .option('--force [image...]', 'plan as if these images (all when no name is given) were forced')
    .option('--only <image...>', 'plan as if only these images were asked for')
    .option('--except <image...>', 'plan as if these images (and those built on them) were left out')
    .option(
      '--var <KEY=VALUE>',
      "plan with this provisioner variable set for every image, over the config's values (repeatable)",
      collect,
      [],
    )
    .option('--json', 'print the plan as JSON (per image: action, reasons, id, fingerprint; and the tree level by level)')
    .option(
      '--detailed-exitcode',
      "exit 0 when there is nothing to build, 2 when there is something to build, 1 on any error (like terraform plan's)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ build-images plan\n  $ build-images plan --detailed-exitcode; [ $? -eq 2 ] && build-images   # build only when something is due',
    )
    .action(async (opts: GlobalOptions & SelectionFlags & VarFlags & { json?: boolean; detailedExitcode?: boolean }) => {
      prefetchPackerVersion();
      const loaded = await configAndTarget(opts);
      // With --detailed-exitcode, 2 means "something to build": bad input is an error like any other.
      if (!loaded) return setExit(opts.detailedExitcode ? DETAILED_EXIT.error : EXIT.badInput);
      const { config, target } = loaded;
      const { runPlanCommand } = await import('./commands/plan.js');
      setExit(await runPlanCommand(config, { packer: await packerCli(), target }, opts, (s) => process.stdout.write(s)));
    });

  common(cmd.command('generate'))
    .description('write the Packer templates to packer/<target>/ (committed, so template changes show in review)')
    .option('--check', 'write nothing; exit 1 when the committed templates are stale')
    .option('--packer-version <version>', 'render for this Packer version instead of the installed one (e.g. 1.6.6 or 1.10.0)')
    .action(async (opts: GlobalOptions & { check?: boolean; packerVersion?: string }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return setExit(EXIT.badInput);
      const { runGenerateCommand } = await import('./commands/generate.js');
      setExit(
        await runGenerateCommand(config, {
          definition: await targetDefinition(opts.target),
          packer: await packerCli(),
          check: opts.check ?? false,
          packerVersion: opts.packerVersion,
        }),
      );
    });

  common(cmd.command('prune'))
    .description(
      'remove old images made by build-images: per image keep the newest N, and always what the tfvars reference and the parents of what is kept',
    )
    .option('--keep <n>', 'images to keep per image name (default: targets.ami.keep for AMIs, 3 for Docker)', positiveInt)
    .option('--dry-run', 'list what would be removed and kept; remove nothing')
    .option('--tfvars <file>', "Terraform's variables file, when it is not at terraform/<target>/ (e.g. the CI build's artifact)")
    .option('--no-tfvars', 'prune although there is no tfvars file (no Terraform uses these images); without it a missing file stops prune')
    .option(
      '--launched-within <age>',
      'AMIs that launched an instance this recently stay (EC2 lastLaunchedTime, reported up to 24 h late; default: 30d)',
      launchedWithin,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ build-images prune --target docker --dry-run\n  $ build-images prune --target ami --keep 2\n  $ build-images prune --target ami --tfvars artifacts/images.auto.tfvars.json --launched-within 14d',
    )
    .action(async (opts: GlobalOptions & { keep?: number; dryRun?: boolean; tfvars?: string | false; launchedWithin?: MaxAge }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return setExit(EXIT.badInput);
      const target = await targetOrReport(opts.target, config);
      if (!target) return setExit(EXIT.badInput);
      const { runPruneCommand } = await import('./commands/prune.js');
      setExit(
        await runPruneCommand(config, {
          target,
          keep: opts.keep,
          dryRun: opts.dryRun ?? false,
          write: (line) => process.stdout.write(`${line}\n`),
          // --tfvars <file> gives a string, --no-tfvars false, neither undefined (commander: --foo defined before --no-foo).
          ...(opts.tfvars === undefined ? {} : { tfvars: opts.tfvars }),
          ...(opts.launchedWithin === undefined ? {} : { launchedWithin: opts.launchedWithin }),
        }),
      );
    });

  common(cmd.command('doctor'))
    .description('check that this machine can build: Packer, the Docker engine, the base image, the config, scripts, disk space, the lock')
    .addHelpText(
      'after',
      '\nPrints one line per check (OK, WARN or FAIL, with the fix); exits 1 when any check fails.\n\nExamples:\n  $ build-images doctor\n  $ DOCKER_HOST=ssh://builder build-images doctor --config images.yaml --config examples/offline/images.yaml',
    )
    .action(async (opts: GlobalOptions) => {
      const { runDoctorCommand } = await import('./commands/doctor.js');
      setExit(
        await runDoctorCommand({ config: opts.config, target: await targetDefinition(opts.target), packer: await packerCli() }, (s) =>
          process.stdout.write(s),
        ),
      );
    });

  common(cmd.command('rehearse'))
    .description(
      'run the AMI provisioning for real without AWS: Packer over SSH into local systemd hosts (a container each), then boot and check every image',
    )
    .option('--only <image...>', 'rehearse only these images (and their ancestors, whose state they start from)')
    .option('--except <image...>', 'rehearse everything but these images and the images built on them')
    .option('-v, --verbose', 'stream Packer output')
    .addHelpText('after', '\nExamples:\n  $ build-images rehearse --target ami --config images.yaml --config examples/offline/images.yaml')
    .action(async (opts: GlobalOptions & RehearseFlags) => {
      const { canRehearse } = await import('./targets/registry.js');
      if (!canRehearse(opts.target)) {
        process.stderr.write("error: rehearse runs the AMI builds' provisioning: use --target ami\n");
        return setExit(EXIT.badInput);
      }
      const config = await loadConfigOrReport(opts.config);
      if (!config) return setExit(EXIT.badInput);
      const [{ dockerSystemdHosts }, { runRehearseCommand }] = await Promise.all([
        import('./targets/ami/rehearse/host.js'),
        import('./commands/rehearse.js'),
      ]);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        setExit(
          await runRehearseCommand(
            config,
            { packer: await packerCli(), hosts: dockerSystemdHosts(), write: (s) => process.stdout.write(s), signal: controller.signal },
            opts,
          ),
        );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });

  common(cmd.command('graph'))
    .description('print the image tree; with --plan, mark what `plan` would build or reuse')
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('text'))
    .option('--plan', 'mark each image as `plan` would (needs what `plan` needs: Packer, and the Docker engine or AWS access)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ build-images graph\n  $ build-images graph --plan --format mermaid > images.mmd\n  $ build-images graph --format dot | dot -Tsvg > images.svg',
    )
    .action(async (opts: GlobalOptions & { format: GraphFormat; plan?: boolean }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return setExit(EXIT.badInput);
      const { runGraphCommand } = await import('./commands/graph.js');
      setExit(
        await runGraphCommand(
          config,
          {
            format: opts.format,
            plan: opts.plan ?? false,
            definition: await targetDefinition(opts.target),
            deps: async () => {
              const target = await targetOrReport(opts.target, config);
              return target && { packer: await packerCli(), target };
            },
          },
          (s) => process.stdout.write(s),
        ),
      );
    });
  return cmd;
}

/** Runs the CLI and returns the exit code (bin/ sets it). */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  try {
    const cli = program((c) => (code = c));
    const mistyped = unknownCommand(
      argv,
      cli.commands.map((c) => c.name()),
    );
    if (mistyped !== undefined) {
      process.stderr.write(mistyped);
      return EXIT.badInput;
    }
    await cli.parseAsync([...argv], { from: 'user' });
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every usage mistake is bad input (an error, under --detailed-exitcode).
      if (e.exitCode === 0) return EXIT.ok;
      return argv.includes('--detailed-exitcode') ? DETAILED_EXIT.error : EXIT.badInput;
    }
    // Expected failures are values and never get here; what does is an engine or API that went away
    // mid-call, or a bug. One readable line, the stack only when asked for.
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.BUILD_IMAGES_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    else
      process.stderr.write('  (unexpected: set BUILD_IMAGES_DEBUG=1 for the stack trace, and report it if it is not an outside failure)\n');
    return EXIT.buildFailed;
  }
  return code;
}
