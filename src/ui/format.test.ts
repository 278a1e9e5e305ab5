import { describe, expect, it } from 'vitest';
import { table } from './format.js';
import { plainRenderer } from './plain.js';

describe('table', () => {
  it('pads each column to its widest cell', () => {
    expect(
      table(
        ['image', 'result'],
        [
          ['base', 'built'],
          ['monitoring', 'reused'],
        ],
      ),
    ).toBe(['image       result', 'base        built', 'monitoring  reused'].join('\n'));
  });

  it('renders 200,000 rows (a spread of one argument per row overflowed the stack)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`img-${i}`, 'built']);
    const text = table(['image', 'result'], rows);
    expect(text.split('\n')).toHaveLength(200_001);
    expect(text.split('\n')[1]).toBe('img-0       built');
  });
});

describe('plainRenderer', () => {
  it('pads image names to the longest of 200,000', () => {
    const lines: string[] = [];
    const images = Array.from({ length: 200_000 }, (_, i) => `img-${i}`);
    const render = plainRenderer((l) => lines.push(l), { verbose: false, images, now: () => new Date('2026-01-01T00:00:00Z') });
    render({ type: 'queued', image: 'img-1', parent: undefined });
    expect(lines).toEqual(['2026-01-01T00:00:00Z img-1      | queued']);
  });
});
