import { EXIT } from './exit-codes.js';

/**
 * SIGINT, SIGTERM and SIGHUP during `build`, from the moment the command starts (before the config is read)
 * until the lock is released: a signal in a gap used to kill the process there, leaving a stale lock or none of
 * the messages (issue 13 #15). SIGHUP (a closed terminal) is a request to stop like any other: without a handler
 * Node exits at once and orphans Packer, whose build container keeps the env file with the secrets (issue 13 #6).
 * Small on purpose: cli.ts loads it at start-up.
 */
export interface Interrupts {
  readonly signal: AbortSignal;
  /** What the run is doing, for the message a signal gets. */
  phase: 'starting' | 'building' | 'finishing';
  /** What Packer removes when stopped (the target's wording), once the target is known. */
  cleanup: string;
  /** Kills Packer's process groups (set once Packer may run). */
  forceStop: () => void;
  stop(): void;
}

export function watchSignals(): Interrupts {
  const controller = new AbortController();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const state: Interrupts = {
    signal: controller.signal,
    phase: 'starting',
    cleanup: 'build containers',
    forceStop: () => undefined,
    stop: () => {
      for (const s of signals) process.off(s, interrupt);
    },
  };
  const interrupt = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second signal is obeyed at once, even when Packer or the engine hang (issue 13 #5): Packer's process
      // groups are killed; what they leave (labelled build containers, env files, an unfinished commit of the
      // outputs) the next run removes or completes.
      process.stderr.write(`\n${signal} again: stopping now; the next run removes what the builds left behind.\n`);
      state.forceStop();
      process.exit(EXIT.interrupted);
    }
    const doing = {
      starting: 'stopping before anything is built or written...',
      building: `stopping builds; Packer is removing its ${state.cleanup}...`,
      finishing: `the run has finished; exiting with ${EXIT.interrupted}.`,
    };
    process.stderr.write(`\n${signal}: ${doing[state.phase]}\n`);
    controller.abort();
  };
  for (const s of signals) process.on(s, interrupt);
  return state;
}
