/**
 * The provisioner environment as a POSIX shell file, sourced in the build container with `set -a`.
 * Single quotes keep every byte literal (newlines, `$`, backslashes, non-ASCII); the one character
 * they cannot hold, `'`, is closed, escaped and reopened.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function renderEnvFile(variables: Readonly<Record<string, string>>): string {
  const keys = Object.keys(variables).sort();
  return keys
    .map((key) => {
      if (!NAME.test(key)) throw new Error(`not an environment variable name: ${JSON.stringify(key)}`);
      return `${key}=${shellQuote(variables[key] ?? '')}\n`;
    })
    .join('');
}

export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;
