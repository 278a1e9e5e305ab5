import type { Config } from '../config/types.js';
import type { Selection } from '../engine/prepare.js';
import { err, ok, type Result } from '../result.js';
import { resolveSecrets } from './secrets.js';
import { parseSelection, type SelectionFlags } from './selection.js';

/** What `build` and `rehearse` take from the command line and the environment before anything runs. */
export interface RunInputs {
  readonly selection: Selection;
  /** The values of the config's `secrets`, by name. */
  readonly secrets: Record<string, string>;
}

/**
 * Pure: the --force/--only/--except selection and the secrets' values, or every problem with them as the
 * text to print (each line ends in a newline); the caller exits 2 with nothing built or written.
 */
export function runInputs(config: Config, flags: SelectionFlags, env: NodeJS.ProcessEnv): Result<RunInputs, string> {
  const selection = parseSelection(config, flags);
  const secrets = resolveSecrets(config, env);
  if (selection.ok && secrets.ok) return ok({ selection: selection.value, secrets: secrets.value });
  const problems = [...(selection.ok ? [] : selection.errors), ...(secrets.ok ? [] : [secrets.message])];
  return err(`${problems.join('\n')}\n`);
}
