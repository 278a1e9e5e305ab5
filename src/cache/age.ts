import type { MaxAge } from '../config/max-age.js';

const UNITS: readonly (readonly [name: string, ms: number])[] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "41 days", "1 hour", "45 seconds": the largest whole unit, rounded down (an image 29.9 days old is not "30 days" old). */
export function formatAge(ms: number): string {
  const age = Math.max(0, ms);
  const [unit, size] = UNITS.find(([, size]) => age >= size) ?? UNITS.at(-1)!;
  const count = Math.floor(age / size);
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/**
 * Why an artifact built at `builtAt` is too old to reuse at `now`, or undefined while it is young enough.
 * Strictly older than max_age: an image exactly 30 days old still passes `max_age: 30d`.
 */
export function expiredReason(builtAt: Date, maxAge: MaxAge | undefined, now: Date): string | undefined {
  if (maxAge === undefined) return undefined;
  const age = now.getTime() - builtAt.getTime();
  return age > maxAge.ms ? `built ${formatAge(age)} ago (max_age ${maxAge.text})` : undefined;
}
