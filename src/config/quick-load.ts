import type { Diagnostic } from './diagnostic.js';
import { quickParse } from './fast-parse.js';
import type { LocationMap, NodeInfo, WrittenAs } from './locations.js';
import { normalise } from './normalise.js';
import { overlay, type Layer } from './overlay.js';
import { parseYaml } from './parse-yaml.js';
import { fromPointer } from './pointer.js';
import { checkRules, referencedProvisioners } from './rules.js';
import { checkSchema } from './schema.js';
import { inspectProvisioners } from './scripts.js';
import type { Config } from './types.js';

/** One file as the quick read gave it. */
interface QuickLayer {
  readonly text: string;
  readonly file: string;
  readonly sources: ReadonlyMap<string, string>;
  readonly value: Readonly<Record<string, unknown>>;
}

/**
 * The places of the files' values, worked out by the exact parse (parse-yaml.ts, then overlay.ts for
 * several files, as the exact path does) the first time any is asked for; the text of numbers and
 * booleans comes from the quick read without it.
 */
class PlacesOnDemand implements LocationMap, WrittenAs {
  #exact: LocationMap | undefined;

  constructor(private readonly layers: readonly QuickLayer[]) {}

  private get exact(): LocationMap {
    if (this.#exact !== undefined) return this.#exact;
    const parsed: Layer[] = this.layers.map(({ text, file }) => {
      const one = parseYaml(text, file);
      // The quick read accepted this text, so the exact one does: anything else is a bug in fast-parse.ts.
      if (!one.ok || one.value.diagnostics.length > 0)
        throw new Error(
          `internal error: ${file} read quickly but not exactly: ${JSON.stringify(one.ok ? one.value.diagnostics : one.error)}`,
        );
      return one.value;
    });
    return (this.#exact = overlay(parsed)!.locations);
  }

  /**
   * The text as written, from the file that set the value: the last one in which the pointer exists (maps
   * merge key by key; anything else the later file replaces whole, as overlay.ts does).
   */
  writtenAs(pointer: string): string | undefined {
    if (this.layers.length === 1) return this.layers[0]!.sources.get(pointer);
    const path = fromPointer(pointer);
    const from = lastWhere(this.layers, (layer) => exists(layer.value, path));
    return from?.sources.get(pointer);
  }

  get size(): number {
    return this.exact.size;
  }
  get(pointer: string): NodeInfo | undefined {
    if (this.#exact === undefined) {
      const key = pointer.slice(1);
      const from = lastWhere(this.layers, (layer) => Object.hasOwn(layer.value, key));
      const alone = from === undefined ? undefined : topLevelScalar(from, pointer);
      if (alone !== undefined) return alone;
    }
    return this.exact.get(pointer);
  }
  has(pointer: string): boolean {
    return this.exact.has(pointer);
  }
  forEach(fn: (value: NodeInfo, key: string, map: ReadonlyMap<string, NodeInfo>) => void): void {
    this.exact.forEach((value, key) => fn(value, key, this));
  }
  entries(): MapIterator<[string, NodeInfo]> {
    return this.exact.entries();
  }
  keys(): MapIterator<string> {
    return this.exact.keys();
  }
  values(): MapIterator<NodeInfo> {
    return this.exact.values();
  }
  [Symbol.iterator](): MapIterator<[string, NodeInfo]> {
    return this.exact[Symbol.iterator]();
  }
}

/**
 * The place of a top-level key whose value is a simple text on its own line (`project: name`, which
 * every command reads to name the project), without parsing the whole file: the quick read accepted
 * the file, so it is a map with no multi-line flow collections or quoted scalars, and a line that
 * starts at column 1 with `key:` is that key (a value's further lines are indented). Its value must
 * be a plain word or a quoted text without escapes, equal to what the quick read found; the place is
 * then what yaml gives (the key from column 1; the value from its first character, quotes included).
 * fast-parse.test.ts compares it with the exact path. Anything else: undefined.
 */
function topLevelScalar(layer: QuickLayer, pointer: string): NodeInfo | undefined {
  const key = pointer.slice(1);
  if (!/^[a-z_]+$/.test(key)) return undefined;
  const match = new RegExp(`^(${key}[ ]*:[ ]+)([A-Za-z0-9._/-]+|"[^"\\\\\n]*"|'[^'\\n]*')[ ]*(?:#[^\\n]*)?\\r?$`, 'm').exec(layer.text);
  const token = match?.[2];
  if (match === null || token === undefined) return undefined;
  const unquoted = /^["']/.test(token) ? token.slice(1, -1) : token;
  if (layer.value[key] !== unquoted) return undefined;
  const line = countLines(layer.text, match.index) + 1;
  return {
    key: { file: layer.file, line, column: 1, length: key.length },
    value: { file: layer.file, line, column: (match[1] ?? '').length + 1, length: token.length },
  };
}

/** The last item that matches (Array.prototype.findLast is ES2023, beyond this project's lib). */
function lastWhere<T>(items: readonly T[], match: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i]!)) return items[i];
  return undefined;
}

/** Whether the value has something at this path (list indexes as strings, as fromPointer gives them). */
function exists(value: unknown, path: readonly string[]): boolean {
  let at: unknown = value;
  for (const part of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return true;
}

/** How many line ends come before `offset`. */
function countLines(text: string, offset: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/**
 * The config files, each read quickly (fast-parse.ts), overlaid (overlay.ts, values only) and checked by the
 * same schema and rules: the config when it is valid; undefined when the quick read cannot vouch for a text
 * or anything is wrong, and the caller then takes the exact path, which finds and places every problem.
 */
export async function quickLoad(
  files: readonly { readonly text: string; readonly display: string }[],
  source: { readonly root: string; readonly files: readonly string[] },
): Promise<Config | undefined> {
  const layers: QuickLayer[] = [];
  for (const { text, display } of files) {
    const quick = quickParse(text);
    if (quick === undefined) return undefined;
    layers.push({ text, file: display, sources: quick.sources, value: quick.value });
  }
  // Values only: the places are worked out, when asked, by PlacesOnDemand.
  const merged = overlay(layers.map((layer) => ({ value: layer.value, locations: new Map() })));
  if (merged === undefined) return undefined;
  // The checks only place the problems they find, and any problem sends the files down the exact path,
  // which checks and places again: placing them here would parse the files exactly twice.
  const unplaced: LocationMap = new Map();
  const schema = checkSchema(merged.value, unplaced);
  if (schema.raw === undefined || schema.diagnostics.length > 0) return undefined;
  const facts = await inspectProvisioners(source.root, referencedProvisioners(schema.raw));
  const problems: readonly Diagnostic[] = checkRules(schema.raw, unplaced, facts);
  if (problems.length > 0) return undefined;
  return normalise(schema.raw, new PlacesOnDemand(layers), source);
}
