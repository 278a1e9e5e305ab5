import { execFile } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { err, ok, type Result } from '../result.js';
import { ArtifactCollector, humanText, parseMachineLine, type Artifact } from './machine-readable.js';
import { parsePackerVersion, type PackerVersion } from './version.js';
import { redact } from './redact.js';
import { versionCache, type VersionCache } from './version-cache.js';

export { redact };

export interface PackerBuildRequest {
  /** Project root: packer runs here so relative paths in messages read naturally. */
  readonly cwd: string;
  readonly template: string;
  readonly varFile: string;
  /** The build's target name in machine-readable output, e.g. "docker.base". */
  readonly target: string;
  readonly logFile: string;
  /** Values replaced by [redacted] in the log and in every line passed on (secrets). */
  readonly redact?: readonly string[];
  /** Aborting sends Packer one SIGINT, so it cleans up (removes its container or instance) and exits. */
  readonly signal: AbortSignal;
  /** How long Packer may clean up after the SIGINT before it is killed; default CLEANUP_GRACE_MS. */
  readonly cleanupGraceMs?: number;
  /** Each line a person would see, as it arrives. */
  readonly onLine: (text: string) => void;
  /** Added to this build's environment (e.g. PACKER_TMP_DIR: where the docker builder keeps its temp files). */
  readonly env?: Readonly<Record<string, string>>;
}

export type PackerBuildFailure =
  | { readonly reason: 'exited'; readonly exitCode: number | undefined; readonly message: string }
  | { readonly reason: 'interrupted' }
  | { readonly reason: 'not-found'; readonly message: string };

/** The narrow slice of Packer the engine uses; tests substitute it without module mocking. */
export interface Packer {
  version(): Promise<Result<PackerVersion, string>>;
  init(cwd: string, template: string): Promise<Result<void, string>>;
  build(request: PackerBuildRequest): Promise<Result<Artifact[], PackerBuildFailure>>;
}

/** What `packer version` said, as doctor judges it: where the executable is, and whether it answered. */
export type PackerFacts =
  | { readonly kind: 'missing' }
  | { readonly kind: 'broken'; readonly path: string; readonly message: string }
  | { readonly kind: 'found'; readonly path: string; readonly version: PackerVersion };

/** What `packer plugins installed` said (Packer >= 1.7 only). */
export type PluginFacts =
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'listed'; readonly binaries: readonly string[] }
  | { readonly kind: 'error'; readonly message: string };

/** What doctor asks Packer beyond what a build needs; the same executable and environment as `Packer`. */
export interface PackerProbe {
  /** `packer version`, with the executable's path on PATH and "not installed" told apart from "broken". */
  probe(): Promise<PackerFacts>;
  /** `packer plugins installed`. */
  plugins(): Promise<PluginFacts>;
}

/** Environment for every Packer process: no update check (our machines are offline), no colours in logs. */
const packerEnv = { CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1' };

/** Packer gets this long after SIGINT to remove its containers before it is killed (targets with slower clean-ups pass their own). */
export const CLEANUP_GRACE_MS = 120_000;

/** `extraEnv` is added to the environment of every Packer process (tests select the stand-in's scenarios with it). */
export function packerCli(
  executable = 'packer',
  extraEnv: Readonly<Record<string, string>> = {},
  cache: VersionCache = versionCache(),
): Packer & PackerProbe {
  const env = { ...extraEnv, ...packerEnv };
  // `version`, `init` and the probes are short and need no streaming: node's execFile, so `plan`, a
  // no-op build and doctor never load execa (about 70 ms of start-up, docs/benchmarks.md).
  const runVersion = () => runShort(executable, ['version'], { env, timeout: 30_000 });
  // One `packer version` per adapter: the CLI starts it before it parses the config (see cli.ts), and the
  // preparation that asks later gets the same answer.
  let versionRun: Promise<Result<PackerVersion, string>> | undefined;
  return {
    version() {
      versionRun ??= (async () => {
        // What this very executable said before (version-cache.ts); only a version that parsed is kept.
        const where = await findOnPath(executable, process.env.PATH ?? '').then((p) => (p === undefined ? undefined : realpath(p).catch(() => undefined)));
        const cached = where === undefined ? undefined : await cache.get(where);
        const known = cached === undefined ? undefined : parsePackerVersion(cached);
        if (known !== undefined) return ok(known);
        const run = await runVersion();
        if (run.kind !== 'done') return err(run.message);
        const version = parsePackerVersion(run.stdout);
        if (version !== undefined && where !== undefined) await cache.set(where, run.stdout);
        return version ? ok(version) : err(`could not read a version from \`${executable} version\`: ${run.stdout.trim()}`);
      })().catch((e: unknown) => err(e instanceof Error ? e.message : String(e)));
      return versionRun;
    },

    async init(cwd, template) {
      const run = await runShort(executable, ['init', template], { cwd, env });
      return run.kind === 'done' ? ok(undefined) : err(run.message);
    },

    async probe() {
      const [where, run] = await Promise.all([findOnPath(executable, process.env.PATH ?? ''), runVersion()]);
      const path = where ?? executable;
      switch (run.kind) {
        case 'not-found':
          return { kind: 'missing' };
        case 'failed':
          return { kind: 'broken', path, message: run.message.split('\n').slice(0, 2).join(': ') };
        case 'done': {
          const version = parsePackerVersion(run.stdout);
          return version
            ? { kind: 'found', path, version }
            : { kind: 'broken', path, message: `unexpected output ${JSON.stringify(run.stdout.trim())}` };
        }
      }
    },

    // Packer prints each plugin binary's path with Ui.Message (stdout) and an error with Ui.Error (stderr):
    // hashicorp/packer command/plugins_installed.go. Packers before 1.7 do not know the command and answer
    // with their usage text and exit code 127.
    async plugins() {
      const run = await runShort(executable, ['plugins', 'installed'], { env, timeout: 30_000 });
      if (run.kind === 'done') {
        const binaries = run.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '');
        return { kind: 'listed', binaries };
      }
      if (run.kind === 'not-found') return { kind: 'error', message: run.message };
      if (run.exitCode === 127 || run.output.startsWith('Usage: packer [--version]')) return { kind: 'unsupported' };
      return { kind: 'error', message: run.output.split('\n')[0] || `exit code ${run.exitCode ?? 'unknown'}` };
    },

    async build(req) {
      const { execa, ExecaError } = await import('execa');
      await mkdir(dirname(req.logFile), { recursive: true });
      const log = createWriteStream(req.logFile, { flags: 'w' });
      const collector = new ArtifactCollector();
      const errors: string[] = [];
      const child = execa(executable, ['build', '-machine-readable', '-color=false', `-var-file=${req.varFile}`, req.template], {
        cwd: req.cwd,
        env: { ...req.env, ...env },
        // Its own process group: a terminal's Ctrl-C reaches only us, and we interrupt the whole group once.
        detached: true,
        stdin: 'ignore',
        stderr: 'pipe',
        lines: true,
        buffer: { stdout: false, stderr: true },
      });
      const stopInterrupting = interruptGroupOnAbort(child.pid, req.signal, req.cleanupGraceMs ?? CLEANUP_GRACE_MS);
      try {
        for await (const raw of child.iterable({ from: 'stdout' })) {
          const line = parseMachineLine(raw);
          if (!line) {
            log.write(`${redact(raw, req.redact)}\n`);
            continue;
          }
          collector.add(line);
          if (line.type === 'error' && line.target === req.target) errors.push(line.data.join(','));
          const said = humanText(line);
          if (said === undefined) continue;
          const text = redact(said, req.redact);
          log.write(text.endsWith('\n') ? text : `${text}\n`);
          for (const part of text.split('\n')) if (part.trim() !== '') req.onLine(part);
        }
        await child;
        return ok(collector.artifacts(req.target));
      } catch (e: unknown) {
        if (req.signal.aborted) return err({ reason: 'interrupted' });
        if (e instanceof ExecaError && e.code === 'ENOENT') return err({ reason: 'not-found', message: notFound(executable) });
        const exitCode = e instanceof ExecaError ? e.exitCode : undefined;
        const stderr = e instanceof ExecaError ? String(e.stderr ?? '').trim() : '';
        if (stderr) log.write(`${redact(stderr, req.redact)}\n`);
        const message = redact(errors.at(-1) ?? (stderr || `packer exited with code ${exitCode ?? 'unknown'}`), req.redact);
        return err({ reason: 'exited', exitCode, message });
      } finally {
        stopInterrupting();
        await new Promise<void>((resolve) => log.end(resolve));
      }
    },
  };
}

/**
 * Packer runs under panicwrap: the process we start ignores SIGINT and a child does the work. Like a
 * terminal's Ctrl-C, the interrupt must go to the whole process group; Packer then cancels the build and
 * removes its container or instance. If it has not exited after the grace period, the group is killed.
 */
/** Process groups of running Packer builds, for forceStop. */
const running = new Set<number>();

/** Kills every running Packer build's process group now (a second Ctrl-C, or a hung engine). */
export function forceStop(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function interruptGroupOnAbort(pid: number | undefined, signal: AbortSignal, graceMs: number): () => void {
  if (pid !== undefined) running.add(pid);
  let force: NodeJS.Timeout | undefined;
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // The group is gone already.
    }
  };
  const onAbort = (): void => {
    signalGroup('SIGINT');
    force = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    force.unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    if (pid !== undefined) running.delete(pid);
    signal.removeEventListener('abort', onAbort);
    if (force) clearTimeout(force);
  };
}

const notFound = (executable: string): string =>
  `\`${executable}\` was not found on PATH. Install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer) and try again.`;

/** How a short Packer command ended. `output` is its stderr, then its stdout, trimmed. */
type ShortRun =
  | { readonly kind: 'done'; readonly stdout: string }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string; readonly exitCode: number | undefined; readonly output: string };

/** Runs a short command to completion: its stdout, or a message worded like execa's (`Command failed with exit code N: …`) plus stderr. */
function runShort(
  executable: string,
  args: readonly string[],
  options: { cwd?: string; env: Readonly<Record<string, string>>; timeout?: number },
): Promise<ShortRun> {
  return new Promise((resolve) => {
    execFile(
      executable,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeout ?? 0, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ kind: 'done', stdout });
        if (error.code === 'ENOENT') return resolve({ kind: 'not-found', message: notFound(executable) });
        const command = [executable, ...args].join(' ');
        const exitCode = typeof error.code === 'number' ? error.code : undefined;
        const why = error.killed
          ? `Command timed out after ${options.timeout} milliseconds: ${command}`
          : exitCode !== undefined
            ? `Command failed with exit code ${exitCode}: ${command}`
            : `Command failed: ${command} (${error.message})`;
        const output = [stderr.trim(), stdout.trim()].filter((t) => t !== '').join('\n');
        resolve({ kind: 'failed', message: `${why}${stderr.trim() ? `\n${stderr.trim()}` : ''}`, exitCode, output });
      },
    );
  });
}

/** Where a bare executable name resolves on PATH (as the build's own lookup would find it); a path is returned as given. */
async function findOnPath(executable: string, path: string): Promise<string | undefined> {
  if (executable.includes('/')) return executable;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, executable);
    const runnable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (runnable) return candidate;
  }
  return undefined;
}
