import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { describe, expect, test } from 'vitest';
import { AWS_REGION, IMAGE_NAME, IMAGE_NAME_MAX_LENGTH, PROVISIONER_NAME, VARIABLE_NAME } from './names.js';
import { checkSchema, compileValidator, loadSchema } from './schema.js';
import { expectedAt } from './schema-messages.js';

type Schema = Record<string, unknown>;
const schema = loadSchema();
const definitions = schema['definitions'] as Record<string, Schema>;

const resolve = (s: Schema): Schema => {
  const ref = s['$ref'];
  return typeof ref === 'string' ? { ...definitions[ref.replace('#/definitions/', '')], ...s } : s;
};

/** Every instance path the schema describes ("*" for any map key or list index), with its schema. */
function walk(s: Schema, path: string[] = []): [string[], Schema][] {
  const node = resolve(s);
  const out: [string[], Schema][] = [[path, node]];
  for (const [key, child] of Object.entries((node['properties'] ?? {}) as Record<string, Schema>)) {
    out.push(...walk(child, [...path, key]));
  }
  const extra = node['additionalProperties'];
  if (typeof extra === 'object' && extra !== null) out.push(...walk(extra as Schema, [...path, '*']));
  const items = node['items'];
  if (typeof items === 'object' && items !== null) out.push(...walk(items as Schema, [...path, '*']));
  return out;
}

describe('schema/images.schema.json', () => {
  test('is a draft-07 schema with an id and a title', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['$id']).toBe('urn:build-images:schema:images:1');
    expect(schema['title']).toBe('build-images config (images.yaml)');
  });

  test('every value has a description, every fixed-key map rejects unknown keys', () => {
    const nodes = walk(schema);
    expect(nodes.filter(([, s]) => typeof s['description'] !== 'string').map(([p]) => p.join('/'))).toEqual([]);
    const open = nodes.filter(([, s]) => s['properties'] !== undefined && s['additionalProperties'] !== false);
    expect(open.map(([p]) => p.join('/'))).toEqual([]);
  });

  test('every value has words for what it should be, for error messages', () => {
    expect(
      walk(schema)
        .filter(([p]) => p.length > 0 && expectedAt(p) === undefined)
        .map(([p]) => p.join('/')),
    ).toEqual([]);
  });

  test('name patterns are the ones the rules use', () => {
    const images = (schema['properties'] as Record<string, Schema>)['images'] as Schema;
    expect(images['propertyNames']).toEqual({ pattern: IMAGE_NAME.source, maxLength: IMAGE_NAME_MAX_LENGTH });
    expect(definitions['variables']?.['propertyNames']).toEqual({ pattern: VARIABLE_NAME.source });
    const provisioners = (definitions['image']?.['properties'] as Record<string, Schema>)['provisioners'];
    expect((provisioners?.['items'] as Schema)['pattern']).toBe(PROVISIONER_NAME.source);
    const ami = ((schema['properties'] as Record<string, Schema>)['targets']?.['properties'] as Record<string, Schema>)['ami']?.[
      'properties'
    ] as Record<string, Schema>;
    expect(ami['region']?.['pattern']).toBe(AWS_REGION.source);
    expect((ami['copy_to']?.['items'] as Schema)['pattern']).toBe(AWS_REGION.source);
  });

  test('has the docker and ami targets', () => {
    const targets = (schema['properties'] as Record<string, Schema>)['targets'] as Schema;
    expect(Object.keys(targets['properties'] as Schema)).toEqual(['docker', 'ami']);
  });
});

describe('checkSchema', () => {
  const locations = new Map();

  test('a valid config has no diagnostics and its raw form', () => {
    const value = { version: 1, images: { base: { provisioners: ['base'] } } };
    expect(checkSchema(value, locations)).toEqual({ diagnostics: [], raw: value });
  });

  test('wrong values keep the raw form, so the rules can still run', () => {
    const check = checkSchema({ version: 2, images: { Base: { provisioners: ['../x'], colour: 1 } } }, locations);
    expect(check.diagnostics.map((d) => d.code)).toEqual(['unsupported-version', 'invalid-image-name', 'unknown-key', 'provisioner-path']);
    expect(check.raw).toBeDefined();
  });

  test('a wrong type or a missing key means there is no raw form', () => {
    expect(checkSchema({ version: 1, images: { base: {} } }, locations).raw).toBeUndefined();
    expect(checkSchema({ version: 1, images: { base: { provisioners: 'x' } } }, locations).raw).toBeUndefined();
  });

  test('messages without locations still name the place', () => {
    const check = checkSchema({ version: 1, images: { base: { provisioners: [1] } } }, locations);
    expect(check.diagnostics).toEqual([
      {
        code: 'wrong-type',
        message: 'provisioner 1 of image "base" must be a provisioner name, got a whole number',
      },
    ]);
  });
});

describe('the validator compiled at build time (dist/config/schema-validator.cjs)', () => {
  const built = new URL('../../dist/config/schema-validator.cjs', import.meta.url);
  const present = existsSync(built);
  if (!present && !process.env.CI) console.log(`skipped: ${built.pathname} is missing (run \`npm run build\`)`);

  // Inputs that fail each kind of keyword the schema uses, and a valid one.
  const cases: [string, unknown][] = [
    ['valid', { version: 1, images: { base: { provisioners: ['base'] } } }],
    ['many errors', { version: 2, images: { Base: { provisioners: ['../x'], colour: 1 } } }],
    ['missing key', { version: 1, images: { base: {} } }],
    ['wrong item type', { version: 1, images: { base: { provisioners: [1] } } }],
    ['not a map', { version: 1, images: [] }],
    ['bad target', { version: 1, images: { a: { provisioners: ['a'] } }, targets: { docker: { concurrency: 0, run_args: '{{x}}' } } }],
    ['bad variables', { version: 1, variables: { 'bad name': 1 }, secrets: ['A', 'A'], images: { a: { provisioners: [] } } }],
  ];

  test.runIf(present || process.env.CI)('gives exactly the errors of a validator compiled in-process, on every case', () => {
    const require = createRequire(import.meta.url);
    const precompiled = require(built.pathname) as ValidateFunction;
    const inProcess = compileValidator();
    for (const [name, value] of cases) {
      const a = precompiled(value);
      const b = inProcess(value);
      expect({ name, valid: a, errors: precompiled.errors ?? null }).toEqual({ name, valid: b, errors: inProcess.errors ?? null });
    }
  });
});
