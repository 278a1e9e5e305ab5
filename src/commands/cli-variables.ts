import type { Config } from '../config/types.js';
import { err, ok, type Result } from '../result.js';

/** `--var KEY=VALUE`, repeatable, on build and plan (Packer's spelling). */
export interface VarFlags {
  readonly var: readonly string[];
}

export type VariableOverrides = Readonly<Record<string, string>>;

/** The schema's rule for variable names (definitions.variables.propertyNames): they become environment variables. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Pure: every `--var` argument → name/value; every malformed one is reported. A later --var for a name wins. */
export function parseVarFlags(args: readonly string[]): Result<VariableOverrides, string[]> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq === -1) {
      problems.push(`error: --var ${JSON.stringify(arg)} is not KEY=VALUE: write --var ${arg}=<value> (--var ${arg}= for an empty value)`);
      continue;
    }
    const name = arg.slice(0, eq);
    if (name === '') {
      problems.push(`error: --var ${JSON.stringify(arg)} has no variable name before "="`);
      continue;
    }
    if (!NAME.test(name)) {
      problems.push(
        `error: --var ${JSON.stringify(arg)}: ${JSON.stringify(name)} is not a variable name (a letter or _, then letters, digits or _)`,
      );
      continue;
    }
    values[name] = arg.slice(eq + 1);
  }
  return problems.length > 0 ? err(problems) : ok(values);
}

/**
 * Pure: the validated config with the overrides set for every image, above the global and the
 * image's own variables, so they reach every provisioner and every image's fingerprint.
 */
export function applyVariableOverrides(config: Config, overrides: VariableOverrides): Config {
  if (Object.keys(overrides).length === 0) return config;
  return {
    ...config,
    variables: { ...config.variables, ...overrides },
    images: config.images.map((image) => ({ ...image, variables: { ...image.variables, ...overrides } })),
  };
}

/** Parses the flags, printing each problem to stderr; undefined means exit 2. */
export function varOverridesOrReport(args: readonly string[]): VariableOverrides | undefined {
  const parsed = parseVarFlags(args);
  if (parsed.ok) return parsed.value;
  process.stderr.write(`${parsed.error.join('\n')}\n`);
  return undefined;
}
