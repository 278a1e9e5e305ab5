/** Documented in the README; tests assert them. */
export const EXIT = {
  ok: 0,
  /** A build failed (the others that could finish did). */
  buildFailed: 1,
  /** Bad config, bad flags: nothing was built or written. */
  badInput: 2,
  /** Ctrl-C / SIGTERM: running builds were stopped and cleaned up. */
  interrupted: 130,
} as const;
