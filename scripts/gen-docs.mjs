// Regenerates docs that are derived from code: `npm run docs` (after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigReference } from '../dist/docs/config-reference.js';

const schema = JSON.parse(readFileSync(new URL('../schema/images.schema.json', import.meta.url), 'utf8'));
writeFileSync(new URL('../docs/config-reference.md', import.meta.url), renderConfigReference(schema));
console.log('wrote docs/config-reference.md');
