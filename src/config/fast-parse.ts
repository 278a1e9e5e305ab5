import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { childPointer } from './pointer.js';

/**
 * The quick read of a config file: js-yaml builds the values about seven times faster than the yaml
 * library's parseDocument (1,000 images: ~65 ms against ~430 ms, docs/benchmarks.md), but keeps no
 * places. It is used only where its result is provably the one parse-yaml.ts gets, and only to find a
 * config valid: any doubt returns undefined and the caller takes the exact path (parse-yaml.ts, whose
 * every value has a place), which is also what reports every problem.
 *
 * Same result, by construction:
 * - Plain scalars resolve with the yaml library's core schema (yaml/dist/schema/core/*.js, common/null.js:
 *   the same tests, in the same order, the same conversions); js-yaml's own core schema differs (it reads
 *   `1_000` and `0b1` as numbers). Numbers and booleans keep the text as written, as parse-yaml does.
 * - Everything the two libraries treat differently, or that only the exact path can report, gives up:
 *   anchors, aliases and tags, even the bare `!` (the listener sees them), directives, explicit (`?`) and collection keys,
 *   keys that are not text (null, numbers, booleans, empty), `__proto__`, tabs, a flow collection that
 *   spans lines (yaml checks its indentation, js-yaml does not), lines over 1,024 characters (yaml's
 *   limit on implicit keys), duplicate keys, several documents, any
 *   js-yaml error or warning, a file that is not a map.
 * fast-parse.test.ts compares both on every kind of value.
 */
export interface QuickFile {
  readonly value: Record<string, unknown>;
  /** The text as written of plain numbers and booleans, by JSON pointer (parse-yaml's NodeInfo.source). */
  readonly sources: ReadonlyMap<string, string>;
}

/** A plain scalar that yaml's core schema reads as null, a boolean or a number; resolved after loading. */
class Plain {
  constructor(readonly text: string) {}
  /** js-yaml turns keys into strings: this one marks a key that is not text (the exact path reports those). */
  toString(): string {
    return NOT_TEXT;
  }
  get [Symbol.toStringTag](): string {
    return 'Plain';
  }
}

const NOT_TEXT = '\u0000not text\u0000';
const PLAIN_TAG = 'tag:build-images,2026:plain';

/** yaml's core schema, in its order: null, bool, int (oct, dec, hex), float (nan/inf, exponent, plain). */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const CORE = [NULL, BOOL, INT_OCT, INT, INT_HEX, FLOAT_NAN, FLOAT_EXP, FLOAT];

/** The value yaml's core schema gives a plain scalar that one of CORE matches. */
export function resolveCore(text: string): null | boolean | number {
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === 't' || text[0] === 'T';
  if (INT_OCT.test(text)) return parseInt(text.substring(2), 8);
  if (INT.test(text)) return parseInt(text, 10);
  if (INT_HEX.test(text)) return parseInt(text.substring(2), 16);
  if (FLOAT_NAN.test(text)) return text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? -Infinity : Infinity;
  return parseFloat(text);
}

const plainType = new Type(PLAIN_TAG, {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && CORE.some((re) => re.test(data)),
  construct: (data: string) => new Plain(data),
});
/** Only strings, lists and maps, plus the core scalars as Plain: js-yaml's own types never apply. */
const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [plainType] });

class GiveUp extends Error {}

/**
 * Text the quick read leaves to the exact path: tabs, directives, explicit keys, a collection as a key, a
 * flow collection left open at the end of a line (quotes and comments aside).
 */
function outsideSubset(text: string): boolean {
  if (text.includes('\t') || /^%/m.test(text) || /\?(?:[ \r\n]|$)/.test(text) || /[\]}][ ]*:(?:[ \r\n]|$)/.test(text)) return true;
  let depth = 0;
  let quote = '';
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    // yaml refuses an implicit key over 1,024 characters, js-yaml does not: long lines are left to yaml.
    if (c === '\n') {
      if (i - lineStart > 1024) return true;
      lineStart = i + 1;
    }
    if (quote !== '') {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      else if (c === '\n') return true; // a quoted scalar over several lines: folding is left to yaml
      continue;
    }
    switch (c) {
      case '"':
      case "'":
        // Quotes open a scalar only where one can start; `it's` inside a plain scalar is text.
        if (i === 0 || ' [{,:-\n'.includes(text[i - 1]!)) quote = c;
        break;
      case '#':
        if (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\n') while (i + 1 < text.length && text[i + 1] !== '\n') i++;
        break;
      case '[':
      case '{':
        depth++;
        break;
      case ']':
      case '}':
        depth--;
        break;
      case '\n':
        if (depth !== 0) return true;
        break;
    }
  }
  return depth !== 0 || quote !== '' || text.length - lineStart > 1024;
}

/** The values of a config file when the quick read can vouch for them (see above), else undefined. */
export function quickParse(source: string): QuickFile | undefined {
  const text = source.replace(/^\uFEFF/, '');
  if (outsideSubset(text)) return undefined;
  let loaded: unknown;
  try {
    loaded = load(text, {
      schema: SCHEMA,
      onWarning: () => {
        throw new GiveUp();
      },
      listener: (event, state) => {
        if (event !== 'close') return;
        const { tag, anchor } = state as unknown as { tag: string | null; anchor: string | null };
        if (anchor !== null || (tag !== null && tag !== '?' && tag !== PLAIN_TAG)) throw new GiveUp();
      },
    });
  } catch {
    return undefined;
  }
  if (typeof loaded !== 'object' || loaded === null || Array.isArray(loaded)) return undefined;
  const sources = new Map<string, string>();
  try {
    resolveMap(loaded as Record<string, unknown>, '', sources);
  } catch (e: unknown) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
  return { value: loaded as Record<string, unknown>, sources };
}

/** Replaces each Plain by its value, in place, recording the text of numbers and booleans. */
function resolveMap(map: Record<string, unknown>, pointer: string, sources: Map<string, string>): void {
  for (const key of Object.keys(map)) {
    if (key === 'null' || key === '__proto__' || key === '[object Object]' || key.includes(NOT_TEXT)) throw new GiveUp();
    map[key] = resolveValue(map[key], pointer, key, sources);
  }
}

function resolveValue(value: unknown, parent: string, part: string | number, sources: Map<string, string>): unknown {
  if (value instanceof Plain) {
    const resolved = resolveCore(value.text);
    if (resolved !== null) sources.set(childPointer(parent, part), value.text);
    return resolved;
  }
  if (Array.isArray(value)) {
    const pointer = childPointer(parent, part);
    for (let i = 0; i < value.length; i++) value[i] = resolveValue(value[i], pointer, i, sources);
  } else if (typeof value === 'object' && value !== null) {
    resolveMap(value as Record<string, unknown>, childPointer(parent, part), sources);
  }
  return value;
}
