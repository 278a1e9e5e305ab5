import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { diagnostic } from './codes.js';
import type { Diagnostic, SourceLocation } from './diagnostic.js';
import { describeKind } from './describe.js';
import type { LocationMap, NodeInfo } from './locations.js';
import { OffsetInfo, SourceText } from './offsets.js';
import { childPointer } from './pointer.js';
import { err, ok, type Result } from '../result.js';

const require = createRequire(import.meta.url);
let yamlLibrary: typeof Yaml | undefined;
/**
 * The yaml library is loaded on first use (its ~80 CommonJS modules take 40-60 ms to load): a valid
 * single config file is read by quick-load.ts without it.
 */
const yaml = (): typeof Yaml => (yamlLibrary ??= require('yaml') as typeof Yaml);

/** One config file as plain data, with where every value came from. */
export interface ParsedFile {
  readonly value: Record<string, unknown>;
  readonly locations: LocationMap;
  /** Problems that do not stop further checks, such as duplicate keys. */
  readonly diagnostics: readonly Diagnostic[];
}

export const MINIMAL_CONFIG = `version: 1
images:
  base:
    provisioners: [base]`;

/**
 * Parses one file. Errors (malformed YAML, an empty file, a top level that is not a map)
 * mean nothing else about this file can be checked.
 */
export function parseYaml(source: string, file: string): Result<ParsedFile, Diagnostic[]> {
  // A byte order mark is not a column: without it, line 1 positions match what editors show.
  const text = source.replace(/^\uFEFF/, '');
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  // uniqueKeys off: duplicates are found below, with both locations and a clearer message.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const src = new SourceText(file, text, lineCounter);
  const at: Locator = (start, end) => src.locate(start, end);

  if (doc.errors.length > 0) return err(doc.errors.map((e) => syntaxError(e, file, at)));
  if (doc.contents === null) {
    return err([diagnostic('empty-config', `${file} is empty`, { file, line: 1, column: 1 }, `a minimal config is:\n${MINIMAL_CONFIG}`)]);
  }
  const walker = new Walker(doc, src);
  let value: unknown;
  try {
    value = walker.build(doc.contents, '', -1, -1);
  } catch (e: unknown) {
    if (e instanceof AliasBudgetExceeded) return err([e.diagnostic]);
    throw e;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err([
      diagnostic(
        'config-not-a-map',
        `${file} must be a map of settings (version, variables, targets, images), got ${describeKind(value)}`,
        walker.locations.get('')?.value,
        `a minimal config is:\n${MINIMAL_CONFIG}`,
      ),
    ]);
  }
  // The whole file is blamed for missing top-level keys: point at its start, no underline.
  walker.locations.set('', { value: { file, line: 1, column: 1 } });
  return ok({
    value: value as Record<string, unknown>,
    locations: walker.locations,
    diagnostics: walker.diagnostics,
  });
}

type Locator = (start: number, end: number) => SourceLocation;

function syntaxError(error: YAMLError, file: string, at: Locator): Diagnostic {
  const [start, end] = error.pos;
  const location = at(start, end);
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return diagnostic(
        'yaml-syntax',
        `${file} holds more than one YAML document`,
        location,
        'remove the "---" separator: a config file is a single document; use several --config files to overlay',
      );
    case 'TAB_AS_INDENT':
      return diagnostic('yaml-syntax', 'invalid YAML: tabs are not allowed as indentation', location, 'indent with spaces');
    default:
      return diagnostic('yaml-syntax', `invalid YAML: ${lowerFirst(error.message)}`, location);
  }
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

/**
 * Most values that aliases may expand to in one file. We expand aliases ourselves (to keep locations), so
 * the yaml library's own alias limit (`maxAliasCount`) never applies; without a bound, a few hundred bytes
 * of nested aliases (each level nine aliases of the one before) expand to billions of values.
 * Real configs alias a block of variables a few times: hundreds of values at most.
 */
export const MAX_ALIASED_VALUES = 10_000;

class AliasBudgetExceeded extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/**
 * Converts the YAML AST to plain data, recording where every value was written on the way: as offsets
 * (OffsetInfo), since a valid config needs the line and column of almost none of them.
 */
class Walker {
  readonly locations = new Map<string, NodeInfo>();
  readonly diagnostics: Diagnostic[] = [];
  private readonly resolving = new Set<unknown>();
  /** Values built so far on behalf of an alias (inside an alias, each value counts once per use). */
  private aliased = 0;
  private aliasDepth = 0;
  private aliasAt: SourceLocation | undefined;
  private readonly y = yaml();

  constructor(
    private readonly doc: Document,
    private readonly src: SourceText,
  ) {}

  /** `keyStart`/`keyEnd`: the offsets of the map key that holds the value, -1 for list items and the root. */
  build(node: unknown, pointer: string, keyStart: number, keyEnd: number): unknown {
    const range = hasRange(node) ? node.range : undefined;
    const start = range !== undefined && range[1] > range[0] ? range[0] : -1;
    const end = range !== undefined && start >= 0 ? range[1] : -1;
    if (this.aliasDepth > 0 && ++this.aliased > MAX_ALIASED_VALUES) {
      throw new AliasBudgetExceeded(
        diagnostic(
          'yaml-alias-limit',
          `YAML aliases in ${this.src.file} expand to more than ${MAX_ALIASED_VALUES} values`,
          this.aliasAt ?? (start >= 0 ? this.src.locate(start, end) : undefined),
          'aliases (*name) copy what their anchor (&name) holds; aliases of lists of aliases multiply. Write the values out, or alias less deeply',
        ),
      );
    }
    const info = (source?: string): OffsetInfo => new OffsetInfo(this.src, start, end, keyStart, keyEnd, source);

    if (this.y.isScalar(node)) {
      const v = node.value;
      const text = typeof node.source === 'string' ? node.source : undefined;
      if (typeof v === 'number' || typeof v === 'boolean') {
        this.locations.set(pointer, info(text));
        return v;
      }
      this.locations.set(pointer, info());
      if (v === null || v === undefined || typeof v === 'string') return v ?? null;
      // Tags such as !!binary resolve to objects; config values are plain text.
      return text ?? String(v);
    }
    const here = info();
    this.locations.set(pointer, here);
    if (this.y.isAlias(node)) {
      const target = node.resolve(this.doc);
      // yaml reports undefined and self-containing aliases as errors before we get here.
      if (target === undefined || this.resolving.has(target)) return null;
      this.resolving.add(target);
      // The outermost alias is what the user wrote here: blame it when the expansion runs away.
      const outer = this.aliasAt;
      this.aliasAt ??= here.value;
      this.aliasDepth++;
      const resolved = this.build(target, pointer, keyStart, keyEnd);
      this.aliasDepth--;
      this.aliasAt = outer;
      this.resolving.delete(target);
      this.locations.set(pointer, here.withSource(this.locations.get(pointer)?.source));
      return resolved;
    }
    if (this.y.isSeq(node)) return node.items.map((item, i) => this.build(item, childPointer(pointer, i), -1, -1));
    if (this.y.isMap(node)) return this.buildMap(node.items, pointer);
    return null;
  }

  private buildMap(pairs: readonly { key: unknown; value: unknown }[], pointer: string): unknown {
    const result: Record<string, unknown> = {};
    /** Each key's first occurrence: [start, end] offsets. */
    const seen = new Map<string, readonly [number, number]>();
    for (const pair of pairs) {
      const keyNode = pair.key;
      if (!this.y.isScalar(keyNode) || !keyNode.range) {
        const range = hasRange(keyNode) ? keyNode.range : undefined;
        this.diagnostics.push(
          diagnostic(
            'unsupported-key',
            'map keys must be plain names, not lists, maps or empty values',
            range === undefined ? this.locations.get(pointer)?.value : this.src.locate(range[0], range[1]),
          ),
        );
        continue;
      }
      const name = keyString(keyNode.value, keyNode.source);
      const [keyStart, keyEnd] = keyNode.range;
      const child = childPointer(pointer, name);
      const first = seen.get(name);
      if (first !== undefined) {
        this.diagnostics.push(
          diagnostic(
            'duplicate-key',
            `duplicate key ${JSON.stringify(name)}`,
            this.src.locate(keyStart, keyEnd),
            `it is already set on line ${this.src.locate(first[0], first[1]).line}; a key may appear only once in a map (the later one would silently win)`,
          ),
        );
        // The later value wins, as YAML loaders do; forget where the earlier one's parts were.
        for (const p of [...this.locations.keys()]) {
          if (p === child || p.startsWith(child + '/')) this.locations.delete(p);
        }
      } else {
        seen.set(name, [keyStart, keyEnd]);
      }
      // defineProperty, not assignment: a key named "__proto__" is data, not a prototype.
      Object.defineProperty(result, name, {
        value: this.build(pair.value, child, keyStart, keyEnd),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  if (typeof node !== 'object' || node === null) return false;
  return Array.isArray((node as { range?: unknown }).range);
}

function keyString(value: unknown, source: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof source === 'string') return source;
  return value === null || value === undefined ? '' : String(value);
}
