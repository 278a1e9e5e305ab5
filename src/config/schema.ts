import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { AJV_OPTIONS } from './schema-options.js';
import type { Diagnostic } from './diagnostic.js';
import type { LocationMap } from './locations.js';
import type { RawConfig } from './raw.js';
import { translateSchemaErrors } from './schema-messages.js';

/** schema/ sits two levels above both src/config/ and dist/config/. */
export const SCHEMA_URL = new URL('../../schema/images.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

export function loadSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

const require = createRequire(import.meta.url);

/**
 * The validator: in dist/, the one `npm run build` compiled (scripts/build-schema-validator.mjs), so
 * start-up loads plain code instead of compiling the schema; run from src/ (tests), compiled here
 * with the same options. Both are loaded with `require` (Ajv and the generated file are CommonJS),
 * which keeps checkSchema synchronous and Ajv's compiler out of the CLI's start-up.
 */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  if (import.meta.url.endsWith('.js')) {
    try {
      compiled = require('./schema-validator.cjs') as ValidateFunction;
      return compiled;
    } catch (e: unknown) {
      if ((e as { code?: string }).code === 'MODULE_NOT_FOUND')
        throw new Error(`bug: ${new URL('schema-validator.cjs', import.meta.url).pathname} is missing: run \`npm run build\``);
      throw e;
    }
  }
  return (compiled = compileValidator());
}

/** Compiles the schema in-process (the slow path the build avoids; also what tests compare the built one with). */
export function compileValidator(): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(AJV_OPTIONS).compile(loadSchema());
}

/** Keywords whose failure means the value does not have the RawConfig shape. */
const SHAPE_KEYWORDS = new Set(['type', 'required']);

export interface SchemaCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** Present when the value has the RawConfig shape, so the semantic rules can run. */
  readonly raw: RawConfig | undefined;
}

export function checkSchema(value: Record<string, unknown>, locations: LocationMap): SchemaCheck {
  const validate = validator();
  if (validate(value)) return { diagnostics: [], raw: value as unknown as RawConfig };
  const errors: readonly ErrorObject[] = validate.errors ?? [];
  const shapeOk = !errors.some((e) => SHAPE_KEYWORDS.has(e.keyword));
  return {
    diagnostics: translateSchemaErrors(errors, locations),
    // Ajv checked every type and required key, so the cast states what was just verified.
    raw: shapeOk ? (value as unknown as RawConfig) : undefined,
  };
}
