import { describe, expect, it } from 'vitest';
import { expiredReason, formatAge } from './age.js';

const S = 1_000;
const D = 86_400_000;

describe('formatAge', () => {
  it.each([
    [0, '0 seconds'],
    [1 * S, '1 second'],
    [45 * S, '45 seconds'],
    [90 * 60 * S, '1 hour'],
    [119 * 60 * S, '1 hour'],
    [12 * 3600 * S, '12 hours'],
    [D, '1 day'],
    [41 * D + 23 * 3600 * S, '41 days'],
    // Clock skew: an artifact stamped in the future is "0 seconds" old, never negative.
    [-5 * S, '0 seconds'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('expiredReason', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const maxAge = { text: '30d', ms: 30 * D };

  it('names the age and the limit once the artifact is older than max_age', () => {
    expect(expiredReason(new Date(now.getTime() - 41 * D), maxAge, now)).toBe('built 41 days ago (max_age 30d)');
  });

  it('passes an artifact exactly max_age old, a younger one, and any age without max_age', () => {
    expect(expiredReason(new Date(now.getTime() - 30 * D), maxAge, now)).toBeUndefined();
    expect(expiredReason(new Date(now.getTime() - 3 * D), maxAge, now)).toBeUndefined();
    expect(expiredReason(new Date(now.getTime() - 3000 * D), undefined, now)).toBeUndefined();
  });
});
