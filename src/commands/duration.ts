import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** "90s", "30m", "1h30m" → milliseconds; for --timeout. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)([smh])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new InvalidArgumentError('expected a duration like 90s, 30m or 1h30m.');
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2]!] ?? 0), 0);
  if (ms <= 0) throw new InvalidArgumentError('the duration must be longer than 0s.');
  return ms;
}
