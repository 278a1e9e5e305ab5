import type { LocationMap, NodeInfo } from './locations.js';
import { childPointer } from './pointer.js';

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
  let value = first.value;
  const locations = new Map<string, NodeInfo>(first.locations);
  for (const layer of rest) {
    value = mergeMaps(value, layer.value, '', locations);
    for (const [pointer, info] of layer.locations) {
      if (pointer !== '') locations.set(pointer, info);
    }
  }
  return { value, locations };
}

type PlainMap = Record<string, unknown>;

function isMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `top` over `base`; where a value is replaced, forgets where the old one's parts were. */
function mergeMaps(base: PlainMap, top: PlainMap, pointer: string, locations: Map<string, NodeInfo>): PlainMap {
  const result: PlainMap = {};
  for (const [key, value] of Object.entries(base)) define(result, key, value);
  for (const [key, value] of Object.entries(top)) {
    const child = childPointer(pointer, key);
    const old = Object.hasOwn(base, key) ? base[key] : undefined;
    if (isMap(old) && isMap(value)) {
      define(result, key, mergeMaps(old, value, child, locations));
    } else {
      for (const p of [...locations.keys()]) if (p.startsWith(child + '/')) locations.delete(p);
      define(result, key, value);
    }
  }
  return result;
}

/** Assignment would turn a key named "__proto__" into a prototype; keys are data here. */
function define(target: PlainMap, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
