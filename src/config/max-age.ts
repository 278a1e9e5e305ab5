/** `max_age`: how old a reused artifact may be before it is rebuilt. The schema checks the text; this gives it a meaning. */
export interface MaxAge {
  /** As written in the config, e.g. "30d": what `plan` quotes back. */
  readonly text: string;
  readonly ms: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Mirrors the schema's pattern (schema/images.schema.json): a whole number from 1 and one unit. */
export const MAX_AGE_PATTERN = /^([1-9][0-9]{0,5})([smhd])$/;

/** undefined for text the schema would refuse (normalise only sees text that passed it). */
export function parseMaxAge(text: string): MaxAge | undefined {
  const match = MAX_AGE_PATTERN.exec(text);
  if (match === null) return undefined;
  return { text, ms: Number(match[1]) * UNIT_MS[match[2]!]! };
}
