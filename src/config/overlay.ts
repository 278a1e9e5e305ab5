import type { LocationMap, NodeInfo } from './locations.js';
import { childPointer, parentPointer } from './pointer.js';

/** A parsed config file, or several already overlaid. */
export interface Layer {
  readonly value: Record<string, unknown>;
  readonly locations: LocationMap;
}

/**
 * Overlays files like `docker compose -f a -f b`: maps merge key by key, anything else
 * (lists, scalars, a change of type) is replaced by the later file. Every location comes
 * from the file that set the value, except the root's, which stays with the first file:
 * missing top-level keys are blamed on the main config.
 */
export function overlay(layers: readonly Layer[]): Layer | undefined {
  const [first, ...rest] = layers;
  if (first === undefined) return undefined;
  // One file (the usual case, and the big one): nothing to merge, and no copy of its locations.
  if (rest.length === 0) return first;
  let value = first.value;
  const locations = new Map<string, NodeInfo>(first.locations);
  for (const layer of rest) {
    const replaced = new Set<string>();
    value = mergeMaps(value, layer.value, '', replaced);
    forgetInside(locations, replaced);
    for (const [pointer, info] of layer.locations) {
      if (pointer !== '') locations.set(pointer, info);
    }
  }
  return { value, locations };
}

/**
 * Deletes the locations of everything inside the replaced values: one pass over the map, each pointer's
 * ancestors looked up in a set (scanning the whole map once per replaced value grew with their product).
 */
function forgetInside(locations: Map<string, NodeInfo>, replaced: ReadonlySet<string>): void {
  if (replaced.size === 0) return;
  for (const pointer of [...locations.keys()]) {
    for (let p = parentPointer(pointer); p !== undefined; p = parentPointer(p)) {
      if (replaced.has(p)) {
        locations.delete(pointer);
        break;
      }
    }
  }
}

type PlainMap = Record<string, unknown>;

function isMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `top` over `base`; collects the pointers of replaced values, whose old parts' places are to be forgotten. */
function mergeMaps(base: PlainMap, top: PlainMap, pointer: string, replaced: Set<string>): PlainMap {
  const result: PlainMap = {};
  for (const [key, value] of Object.entries(base)) define(result, key, value);
  for (const [key, value] of Object.entries(top)) {
    const child = childPointer(pointer, key);
    const old = Object.hasOwn(base, key) ? base[key] : undefined;
    if (isMap(old) && isMap(value)) {
      define(result, key, mergeMaps(old, value, child, replaced));
    } else {
      replaced.add(child);
      define(result, key, value);
    }
  }
  return result;
}

/** Assignment would turn a key named "__proto__" into a prototype; keys are data here. */
function define(target: PlainMap, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
