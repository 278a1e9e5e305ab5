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
