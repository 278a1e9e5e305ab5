/**
 * Terraform variable type constraints (`map(string)`, `object({ a = optional(number, 1) })`, …):
 * a small parser, and a check that a JSON value from a `.tfvars.json` file converts to the type
 * the way Terraform would convert it. Pure.
 */
import { err, ok, type Result } from '../result.js';

export type TypeConstraint =
  | { readonly kind: 'any' }
  | { readonly kind: 'primitive'; readonly name: 'string' | 'number' | 'bool' }
  | { readonly kind: 'collection'; readonly of: 'list' | 'set' | 'map'; readonly element: TypeConstraint }
  | { readonly kind: 'object'; readonly attributes: ReadonlyMap<string, ObjectAttribute> }
  | { readonly kind: 'tuple'; readonly elements: readonly TypeConstraint[] };

export interface ObjectAttribute {
  readonly type: TypeConstraint;
  /** `optional(T)` or `optional(T, default)`: may be left out of a value. */
  readonly optional: boolean;
}

const ANY: TypeConstraint = { kind: 'any' };

/** hcl2json renders a variable's `type` as an expression string, e.g. `${map(string)}`. */
export function unwrapExpression(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('${') && trimmed.endsWith('}') ? trimmed.slice(2, -1).trim() : trimmed;
}

export function parseTypeConstraint(text: string): Result<TypeConstraint, string> {
  const parser = new TypeParser(unwrapExpression(text));
  try {
    const type = parser.type();
    parser.end();
    return ok(type);
  } catch (e) {
    if (e instanceof TypeSyntaxError) return err(`cannot read type constraint ${JSON.stringify(text)}: ${e.message}`);
    throw e;
  }
}

class TypeSyntaxError extends Error {}

class TypeParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  type(): TypeConstraint {
    const word = this.word();
    switch (word) {
      case 'any':
        return ANY;
      case 'string':
      case 'number':
      case 'bool':
        return { kind: 'primitive', name: word };
      case 'list':
      case 'set':
      case 'map': {
        this.expect('(');
        const element = this.type();
        this.expect(')');
        return { kind: 'collection', of: word, element };
      }
      case 'tuple': {
        this.expect('(');
        this.expect('[');
        const elements: TypeConstraint[] = [];
        while (!this.peek(']')) {
          elements.push(this.type());
          if (!this.peek(']')) this.expect(',');
        }
        this.expect(']');
        this.expect(')');
        return { kind: 'tuple', elements };
      }
      case 'object':
        return this.object();
      default:
        throw new TypeSyntaxError(`unknown type ${JSON.stringify(word)} at offset ${this.pos - word.length}`);
    }
  }

  end(): void {
    this.skipSpace();
    if (this.pos < this.src.length) throw new TypeSyntaxError(`unexpected ${JSON.stringify(this.src.slice(this.pos))}`);
  }

  private object(): TypeConstraint {
    this.expect('(');
    this.expect('{');
    const attributes = new Map<string, ObjectAttribute>();
    while (!this.peek('}')) {
      const name = this.peek('"') ? this.quoted() : this.word();
      if (!this.peek('=')) this.expect(':');
      else this.expect('=');
      attributes.set(name, this.attributeType());
      if (this.peek(',')) this.expect(',');
    }
    this.expect('}');
    this.expect(')');
    return { kind: 'object', attributes };
  }

  private attributeType(): ObjectAttribute {
    this.skipSpace();
    if (!/^optional\s*\(/.test(this.src.slice(this.pos))) return { type: this.type(), optional: false };
    this.word();
    this.expect('(');
    const type = this.type();
    if (this.peek(',')) {
      this.expect(',');
      this.skipExpression();
    }
    this.expect(')');
    return { type, optional: true };
  }

  /** The default of `optional(T, default)` is any expression: skip to the `)` that closes `optional(`. */
  private skipExpression(): void {
    let depth = 0;
    let quote = false;
    for (; this.pos < this.src.length; this.pos++) {
      const c = this.src[this.pos];
      if (quote) {
        if (c === '\\') this.pos++;
        else if (c === '"') quote = false;
      } else if (c === '"') quote = true;
      else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return;
        depth--;
      }
    }
    throw new TypeSyntaxError('unclosed optional(…)');
  }

  private word(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.src.slice(this.pos));
    if (!match) throw new TypeSyntaxError(`expected a name at offset ${this.pos}`);
    this.pos += match[0].length;
    return match[0];
  }

  private quoted(): string {
    this.skipSpace();
    const match = /^"((?:[^"\\]|\\.)*)"/.exec(this.src.slice(this.pos));
    if (!match) throw new TypeSyntaxError(`unclosed string at offset ${this.pos}`);
    this.pos += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  private peek(token: string): boolean {
    this.skipSpace();
    return this.src.startsWith(token, this.pos);
  }

  private expect(token: string): void {
    if (!this.peek(token)) {
      const found = this.pos < this.src.length ? JSON.stringify(this.src.slice(this.pos, this.pos + 12)) : 'the end';
      throw new TypeSyntaxError(`expected ${JSON.stringify(token)} at offset ${this.pos}, found ${found}`);
    }
    this.pos += token.length;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }
}

/** `string`, `map(string)`, `object({a = string})`: how a type reads in a message. */
export function formatType(type: TypeConstraint): string {
  switch (type.kind) {
    case 'any':
      return 'any';
    case 'primitive':
      return type.name;
    case 'collection':
      return `${type.of}(${formatType(type.element)})`;
    case 'tuple':
      return `tuple([${type.elements.map(formatType).join(', ')}])`;
    case 'object':
      return `object({${[...type.attributes].map(([k, a]) => `${k} = ${a.optional ? `optional(${formatType(a.type)})` : formatType(a.type)}`).join(', ')}})`;
  }
}

/** What a JSON value is, in the words a message uses. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Problems converting `value` to `type`, each prefixed with `path` (e.g. `images["base"]`).
 * Follows Terraform's conversions (a number or bool is a valid string; "true" a valid bool; "1.5"
 * a valid number), with two deliberate strictures for files a tool writes: null is never a
 * valid value, and an object attribute the type does not declare is reported, not dropped.
 */
export function conformanceProblems(value: unknown, type: TypeConstraint, path: string): string[] {
  if (value === null) return [`${path}: is null; expected ${formatType(type)}`];
  const mismatch = (): string[] => [`${path}: expected ${formatType(type)}, got ${describeJson(value)}`];
  switch (type.kind) {
    case 'any':
      return [];
    case 'primitive':
      return converts(value, type.name) ? [] : mismatch();
    case 'collection':
      if (type.of === 'map') {
        if (!isPlainObject(value)) return mismatch();
        return Object.entries(value).flatMap(([k, v]) => conformanceProblems(v, type.element, `${path}[${JSON.stringify(k)}]`));
      }
      if (!Array.isArray(value)) return mismatch();
      return value.flatMap((v, i) => conformanceProblems(v, type.element, `${path}[${i}]`));
    case 'tuple':
      if (!Array.isArray(value)) return mismatch();
      if (value.length !== type.elements.length) {
        return [`${path}: expected ${formatType(type)} (${type.elements.length} elements), got ${value.length} elements`];
      }
      return type.elements.flatMap((t, i) => conformanceProblems(value[i], t, `${path}[${i}]`));
    case 'object': {
      if (!isPlainObject(value)) return mismatch();
      const problems: string[] = [];
      for (const [name, attribute] of type.attributes) {
        if (name in value) problems.push(...conformanceProblems(value[name], attribute.type, `${path}.${name}`));
        else if (!attribute.optional) problems.push(`${path}: attribute "${name}" is required`);
      }
      for (const name of Object.keys(value)) {
        if (!type.attributes.has(name)) problems.push(`${path}: "${name}" is not an attribute of ${formatType(type)}`);
      }
      return problems;
    }
  }
}

/** Terraform's primitive conversions, as applied to a JSON scalar. */
function converts(value: unknown, to: 'string' | 'number' | 'bool'): boolean {
  switch (to) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
    case 'bool':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
  }
}
