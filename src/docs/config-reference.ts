/**
 * Renders docs/config-reference.md from schema/images.schema.json, so the reference cannot drift from
 * what the validator enforces (a test compares the committed file with this output).
 */
interface SchemaNode {
  description?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  $ref?: string;
  const?: unknown;
  pattern?: string;
  minimum?: number;
  minItems?: number;
  maxLength?: number;
  uniqueItems?: boolean;
  enum?: unknown[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

interface Schema extends SchemaNode {
  definitions?: Record<string, SchemaNode>;
  title?: string;
}

export function renderConfigReference(schema: Schema): string {
  const resolve = (node: SchemaNode): SchemaNode => {
    if (!node.$ref) return node;
    const name = node.$ref.replace('#/definitions/', '');
    const target = schema.definitions?.[name];
    if (!target) throw new Error(`bug: unresolved $ref ${node.$ref}`);
    return { ...resolve(target), ...(node.description ? { description: node.description } : {}) };
  };
  const typeOf = (node: SchemaNode): string => {
    const n = resolve(node);
    if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
    const variants = n.oneOf ?? n.anyOf;
    if (variants) return variants.map(typeOf).join(' or ');
    if (n.type === 'array' && n.items) return `list of ${typeOf(n.items)}`;
    if (n.type === 'object' && !n.properties) {
      const values = typeof n.additionalProperties === 'object' ? n.additionalProperties : Object.values(n.patternProperties ?? {})[0];
      return values ? `map of ${typeOf(values)}` : 'map';
    }
    return Array.isArray(n.type) ? n.type.join(' or ') : (n.type ?? 'any');
  };
  const rows: string[] = [];
  const walk = (node: SchemaNode, path: string, required: boolean): void => {
    const n = resolve(node);
    const constraints = [
      required ? 'required' : '',
      n.enum ? `one of ${n.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}` : '',
      n.pattern ? `pattern \`${n.pattern}\`` : '',
      n.minimum !== undefined ? `≥ ${n.minimum}` : '',
      n.minItems !== undefined ? `at least ${n.minItems}` : '',
      n.uniqueItems ? 'no duplicates' : '',
      n.maxLength !== undefined ? `at most ${n.maxLength} characters` : '',
    ].filter(Boolean);
    if (path)
      rows.push(
        `| \`${path}\` | ${typeOf(n)} | ${(n.description ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ')}${constraints.length ? ` (${constraints.join('; ')})` : ''} |`,
      );
    for (const [key, child] of Object.entries(n.properties ?? {}))
      walk(child, path ? `${path}.${key}` : key, n.required?.includes(key) ?? false);
    const entries = typeof n.additionalProperties === 'object' ? n.additionalProperties : Object.values(n.patternProperties ?? {})[0];
    if (entries && resolve(entries).properties) walk(entries, `${path}.<name>`, false);
  };
  walk(schema, '', false);
  return [
    '<!-- Generated from schema/images.schema.json by src/docs/config-reference.ts; a test keeps it in sync. -->',
    '# images.yaml reference',
    '',
    schema.description ?? '',
    '',
    '| key | type | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
