import { describe, expect, it } from 'vitest';
import { parseAmiTfvars, renderAmiTfvars } from './tfvars.js';

const REGIONS = ['eu-central-1', 'us-east-1'];

describe('renderAmiTfvars', () => {
  it('maps image → region → AMI, images in config order, regions build region first', () => {
    expect(
      renderAmiTfvars(
        [
          ['base', { 'us-east-1': 'ami-0b1c2d3e4f5061728', 'eu-central-1': 'ami-0a1b2c3d4e5f60718' }],
          ['consul', { 'eu-central-1': 'ami-12345678', 'us-east-1': 'ami-87654321' }],
        ],
        REGIONS,
      ),
    ).toMatchInlineSnapshot(`
      "{
        "amis": {
          "base": {
            "eu-central-1": "ami-0a1b2c3d4e5f60718",
            "us-east-1": "ami-0b1c2d3e4f5061728"
          },
          "consul": {
            "eu-central-1": "ami-12345678",
            "us-east-1": "ami-87654321"
          }
        }
      }
      "
    `);
  });

  it.each([
    [
      'a malformed ID',
      [['base', { 'eu-central-1': 'ami-XYZ', 'us-east-1': 'ami-12345678' }]],
      REGIONS,
      /refusing to write AMI ID "ami-XYZ" for base in eu-central-1/,
    ],
    [
      'a missing region',
      [['base', { 'eu-central-1': 'ami-12345678' }]],
      REGIONS,
      /refusing to write AMI ID undefined for base in us-east-1/,
    ],
    [
      'an unexpected region',
      [['base', { 'eu-central-1': 'ami-12345678', 'us-east-1': 'ami-12345678', 'eu-west-1': 'ami-12345678' }]],
      REGIONS,
      /unexpected regions eu-west-1/,
    ],
    ['no regions', [], [], /refusing to write AMIs for regions/],
  ] as const)('throws on %s (a bug: the engine only writes complete trees)', (_, amis, regions, message) => {
    expect(() => renderAmiTfvars(amis, regions)).toThrow(message);
  });

  it('reads back what it wrote, and refuses anything else', () => {
    const text = renderAmiTfvars([['base', { 'eu-central-1': 'ami-12345678', 'us-east-1': 'ami-87654321' }]], REGIONS);
    expect(parseAmiTfvars(text)).toEqual({ ok: true, value: { base: { 'eu-central-1': 'ami-12345678', 'us-east-1': 'ami-87654321' } } });
    expect(parseAmiTfvars('{"images": {}}')).toEqual({ ok: false, error: 'expected {"amis": {"<image>": {"<region>": "ami-…"}}}' });
    expect(parseAmiTfvars('{"amis": {"base": {"eu-central-1": 1}}}')).toEqual({
      ok: false,
      error: 'amis["base"]["eu-central-1"] is not an AMI ID: 1',
    });
    expect(parseAmiTfvars('{').ok).toBe(false);
  });
});
