/**
 * Ajv's options for the config schema, shared by the build-time compiler
 * (scripts/build-schema-validator.mjs) and the in-process fallback used when running from src/.
 * verbose: error translation needs the failing (parent) schema, e.g. to list known keys.
 */
export const AJV_OPTIONS = { allErrors: true, verbose: true, allowUnionTypes: true, strict: true } as const;
