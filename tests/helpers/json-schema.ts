import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { REPO } from './project.js';

/** Validates a value against one of the committed schemas in schema/; returns ajv's errors as text (empty = valid). */
export function schemaErrors(schemaFile: string, value: unknown): string {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schema', schemaFile), 'utf8')) as object);
  return validate(value) ? '' : ajv.errorsText(validate.errors);
}
