import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, parseDuration } from './duration.js';

describe('parseDuration (--timeout)', () => {
  it('reads 90s, 30m, 1h30m', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('168h')).toBe(MAX_DURATION_MS);
  });

  // Issue 13, finding 7: 1200h reached AbortSignal.timeout and failed mid-run ("The value of "delay" is out
  // of range"); 597h overflowed Node's 32-bit timer and "timed out" after milliseconds. Both are refused here.
  it.each(['1200h', '597h', '169h', '10081m', '99999999999999999999s', '168h1s'])('refuses %s as out of range, at parse time', (text) => {
    expect(() => parseDuration(text)).toThrow(/is out of range: at most 168h \(7 days\)/);
  });

  it.each(['0s', '0h0m', '', '1d', '5', '1h 30m', '-5m', '1.5h'])('refuses %j as malformed or zero', (text) => {
    expect(() => parseDuration(text)).toThrow(/expected a duration like 90s|longer than 0s/);
  });
});
