import type { SourceLocation } from './diagnostic.js';
import { parentPointer } from './pointer.js';

/** Where one value of the config was written, keyed in a LocationMap by its JSON pointer. */
export interface NodeInfo {
  /** The value itself (for an empty value such as `parent:`, its key). */
  readonly value: SourceLocation;
  /** The map key that holds the value; absent for list items and the root. */
  readonly key?: SourceLocation;
  /**
   * The text as written, for plain numbers and booleans: `1.10` must reach a provisioner
   * as "1.10", not as the "1.1" that String(1.1) would give.
   */
  readonly source?: string;
}

export type LocationMap = ReadonlyMap<string, NodeInfo>;

/**
 * Location to blame for a problem with the value at `pointer`. `prefer: 'key'` points at the
 * key (unknown keys, missing children); falls back to the nearest located ancestor.
 */
export function locate(locations: LocationMap, pointer: string, prefer: 'key' | 'value' = 'value'): SourceLocation | undefined {
  for (let p: string | undefined = pointer; p !== undefined; p = parentPointer(p)) {
    const info = locations.get(p);
    if (info === undefined) continue;
    return prefer === 'key' ? (info.key ?? info.value) : info.value;
  }
  return undefined;
}

/**
 * A LocationMap that can tell the text of a number or boolean without working out places: the quick read
 * (quick-load.ts) knows those, and the places only when asked.
 */
export interface WrittenAs {
  writtenAs(pointer: string): string | undefined;
}

/** The text as written of the number or boolean at `pointer` (`1.10`, not the 1.1 it parses to). */
export function writtenAs(locations: LocationMap, pointer: string): string | undefined {
  return 'writtenAs' in locations ? (locations as LocationMap & WrittenAs).writtenAs(pointer) : locations.get(pointer)?.source;
}

/**
 * Defines `location` on `target` as a property worked out on first read, then kept: a valid config has a
 * place for every image, and nothing reads them unless something is wrong.
 */
export function defineLocation<T extends object, L extends SourceLocation | undefined>(
  target: T,
  find: () => L,
): T & { readonly location: L } {
  let found: { at: L } | undefined;
  Object.defineProperty(target, 'location', {
    enumerable: true,
    configurable: true,
    get: () => (found ??= { at: find() }).at,
  });
  return target as T & { readonly location: L };
}
