import { afterAll, describe, expect, test } from 'vitest';
import { parseMaxAge } from './max-age.js';
import { loaded, problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

describe('parseMaxAge', () => {
  test.each([
    ['45s', 45_000],
    ['90m', 5_400_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseMaxAge(text)).toEqual({ text, ms });
  });

  test.each(['0d', '30', 'd', '30 d', '30D', '1w', '1h30m', '030d', '-1d', '1234567d'])('refuses %j', (text) => {
    expect(parseMaxAge(text)).toBeUndefined();
  });
});

describe('max_age in the config', () => {
  test('an image inherits the top-level max_age unless it sets its own', async () => {
    const { config } = await loaded({
      'images.yaml': `version: 1
max_age: 30d
images:
  base: { provisioners: [base], max_age: 12h }
  consul: { parent: base, provisioners: [consul] }
`,
    });
    expect(config.maxAge).toEqual({ text: '30d', ms: 30 * 86_400_000 });
    expect(config.images.map((i) => [i.name, i.maxAge?.text])).toEqual([
      ['base', '12h'],
      ['consul', '30d'],
    ]);
  });

  test('without max_age nothing expires', async () => {
    const { config } = await loaded({ 'images.yaml': 'version: 1\nimages:\n  base: { provisioners: [base] }\n' });
    expect(config.maxAge).toBeUndefined();
    expect(config.images[0]?.maxAge).toBeUndefined();
  });

  test('bad values are errors at the value, saying what an age looks like', async () => {
    expect(
      await problems({
        'images.yaml': `version: 1
max_age: 30 days
images:
  base: { provisioners: [base], max_age: 0d }
  consul: { parent: base, provisioners: [consul], max_age: 12 }
`,
      }),
    ).toMatchInlineSnapshot(`
      "images.yaml:2:10: error: "max_age" must be an age: a whole number from 1 and a unit, s, m, h or d (like "45s", "90m", "12h", "30d"), got "30 days"
          2 | max_age: 30 days
            |          ^^^^^^^

      images.yaml:4:42: error: "max_age" of image "base" must be an age: a whole number from 1 and a unit, s, m, h or d (like "45s", "90m", "12h", "30d"), got "0d"
          4 |   base: { provisioners: [base], max_age: 0d }
            |                                          ^^

      images.yaml:5:60: error: "max_age" of image "consul" must be an age: a whole number from 1 and a unit, s, m, h or d (like "45s", "90m", "12h", "30d"), got a whole number
          5 |   consul: { parent: base, provisioners: [consul], max_age: 12 }
            |                                                            ^^
        hint: add a unit: s, m, h or d, e.g. max_age: 12d"
    `);
  });
});
