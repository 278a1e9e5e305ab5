import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderEnvFile } from './env-file.js';

const HOSTILE = `it's "q" \\ \${x} %{y} {{z}} $(id) \`id\`\nline2 ünï\ttab`;

describe('renderEnvFile', () => {
  it('quotes every value so the shell reads it back byte for byte', () => {
    const file = renderEnvFile({ B: HOSTILE, A: 'plain' });
    expect(file).toMatchInlineSnapshot(`
      "A='plain'
      B='it'\\''s "q" \\ \${x} %{y} {{z}} $(id) \`id\`
      line2 ünï	tab'
      "
    `);
    const echoed = execFileSync('sh', ['-c', `set -a; eval "$0"; set +a; printf '%s' "$B"`, file], { encoding: 'utf8' });
    expect(echoed).toBe(HOSTILE);
  });

  it('refuses a name that is not an environment variable (validation should have caught it)', () => {
    expect(() => renderEnvFile({ 'A;rm': 'x' })).toThrow(/not an environment variable name/);
  });
});
