import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
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

function validator(): ValidateFunction {
  // verbose: error translation needs the failing (parent) schema, e.g. to list known keys.
  compiled ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(loadSchema());
  return compiled;
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
