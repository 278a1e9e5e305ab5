import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest --timeout. Node's timers hold at most 2^31-1 ms (about 596 h): beyond it setTimeout fires after
 * 1 ms and AbortSignal.timeout throws RangeError, mid-run. No single image build needs a week.
 */
export const MAX_DURATION_MS = 168 * 3_600_000;

/** "90s", "30m", "1h30m" → milliseconds; for --timeout. Out-of-range values are refused here, before anything runs. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)([smh])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new InvalidArgumentError('expected a duration like 90s, 30m or 1h30m.');
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2]!] ?? 0), 0);
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`${text} is out of range: at most 168h (7 days).`);
  }
  if (ms <= 0) throw new InvalidArgumentError('the duration must be longer than 0s.');
  return ms;
}
