/**
 * `plan --detailed-exitcode`, as `terraform plan -detailed-exitcode` defines it: 0 nothing to build,
 * 2 something to build, 1 an error. Errors include bad input, which otherwise exits 2: with the flag, 2
 * must mean only "build", or a scheduled job would build on a broken config.
 */
export const DETAILED_EXIT = { nothingToBuild: 0, error: 1, somethingToBuild: 2 } as const;

/** Pure: the exit code of a plan that succeeded. */
export const detailedExitCode = (actions: readonly ('build' | 'reuse' | 'absent')[]): number =>
  actions.includes('build') ? DETAILED_EXIT.somethingToBuild : DETAILED_EXIT.nothingToBuild;

/** Pure: any other outcome of the command (its usual exit code) under --detailed-exitcode. */
export const detailedErrorCode = (code: number): number => (code === 0 ? DETAILED_EXIT.nothingToBuild : DETAILED_EXIT.error);
