import type { Diagnostic } from './diagnostic.js';
import { quickParse } from './fast-parse.js';
import type { LocationMap, NodeInfo, WrittenAs } from './locations.js';
import { normalise } from './normalise.js';
import { parseYaml } from './parse-yaml.js';
import { checkRules, referencedProvisioners } from './rules.js';
import { checkSchema } from './schema.js';
import { inspectProvisioners } from './scripts.js';
import type { Config } from './types.js';

/**
 * The places of one file's values, worked out by the exact parse (parse-yaml.ts) the first time any is
 * asked for; the text of numbers and booleans comes from the quick read without it.
 */
class PlacesOnDemand implements LocationMap, WrittenAs {
  #exact: LocationMap | undefined;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly sources: ReadonlyMap<string, string>,
    private readonly top: Readonly<Record<string, unknown>>,
  ) {}

  private get exact(): LocationMap {
    if (this.#exact !== undefined) return this.#exact;
    const parsed = parseYaml(this.text, this.file);
    // The quick read accepted this text, so the exact one does: anything else is a bug in fast-parse.ts.
    if (!parsed.ok || parsed.value.diagnostics.length > 0)
      throw new Error(
        `internal error: ${this.file} read quickly but not exactly: ${JSON.stringify(parsed.ok ? parsed.value.diagnostics : parsed.error)}`,
      );
    return (this.#exact = parsed.value.locations);
  }

  writtenAs(pointer: string): string | undefined {
    return this.sources.get(pointer);
  }

  get size(): number {
    return this.exact.size;
  }
  get(pointer: string): NodeInfo | undefined {
    if (this.#exact === undefined) {
      const alone = this.topLevelScalar(pointer);
      if (alone !== undefined) return alone;
    }
    return this.exact.get(pointer);
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
  private topLevelScalar(pointer: string): NodeInfo | undefined {
    const key = pointer.slice(1);
    if (!/^[a-z_]+$/.test(key)) return undefined;
    const match = new RegExp(`^(${key}[ ]*:[ ]+)([A-Za-z0-9._/-]+|"[^"\\\\\n]*"|'[^'\\n]*')[ ]*(?:#[^\\n]*)?\\r?$`, 'm').exec(this.text);
    const token = match?.[2];
    if (match === null || token === undefined) return undefined;
    const unquoted = /^["']/.test(token) ? token.slice(1, -1) : token;
    if (this.top[key] !== unquoted) return undefined;
    const line = countLines(this.text, match.index) + 1;
    return {
      key: { file: this.file, line, column: 1, length: key.length },
      value: { file: this.file, line, column: (match[1] ?? '').length + 1, length: token.length },
    };
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

/** How many line ends come before `offset`. */
function countLines(text: string, offset: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/**
 * One config file, read quickly (fast-parse.ts) and checked by the same schema and rules: the config
 * when it is valid; undefined when the quick read cannot vouch for the text or anything is wrong, and
 * the caller then takes the exact path, which finds and places every problem.
 */
export async function quickLoad(
  text: string,
  display: string,
  source: { readonly root: string; readonly files: readonly string[] },
): Promise<Config | undefined> {
  const quick = quickParse(text);
  if (quick === undefined) return undefined;
  // The checks only place the problems they find, and any problem sends the file down the exact path,
  // which checks and places again: placing them here would parse the file exactly twice.
  const unplaced: LocationMap = new Map();
  const schema = checkSchema(quick.value, unplaced);
  if (schema.raw === undefined || schema.diagnostics.length > 0) return undefined;
  const facts = await inspectProvisioners(source.root, referencedProvisioners(schema.raw));
  const problems: readonly Diagnostic[] = checkRules(schema.raw, unplaced, facts);
  if (problems.length > 0) return undefined;
  return normalise(schema.raw, new PlacesOnDemand(text, display, quick.sources, quick.value), source);
}
