import type { Config } from '../config/types.js';
import { didYouMean } from '../config/suggest.js';
import type { Selection } from '../engine/prepare.js';

/** `--force` (true: everything), `--force a b`, `--only a b`, `--except a b`, checked against the config's images. */
export interface SelectionFlags {
  readonly force?: boolean | string[];
  readonly only?: string[];
  /** Like Packer's -except: leave these images out, and with them everything built on them. */
  readonly except?: string[];
}

export function parseSelection(config: Config, flags: SelectionFlags): { ok: true; value: Selection } | { ok: false; errors: string[] } {
  const names = config.images.map((i) => i.name);
  const errors: string[] = [];
  const check = (flag: string, list: readonly string[]): void => {
    for (const name of list) {
      if (names.includes(name)) continue;
      const guess = didYouMean(name, names);
      errors.push(`error: ${flag} names unknown image "${name}"${guess ? `; did you mean "${guess}"?` : ''} (images: ${names.join(', ')})`);
    }
  };
  const force = flags.force === true ? 'all' : new Set(flags.force === undefined || flags.force === false ? [] : flags.force);
  if (force !== 'all') check('--force', [...force]);
  if (flags.only) check('--only', flags.only);
  if (flags.except) check('--except', flags.except);
  if (flags.only && flags.except) errors.push('error: conflicting flags: --only and --except; name what to build with one of them');
  // --except is --only of everything that neither is excluded nor descends from an excluded image.
  const parentOf = new Map(config.images.map((i) => [i.name, i.parent]));
  const excluded = (name: string): boolean => {
    for (let at: string | undefined = name; at !== undefined; at = parentOf.get(at)) if (flags.except?.includes(at)) return true;
    return false;
  };
  const only = flags.except && errors.length === 0 ? names.filter((n) => !excluded(n)) : flags.only;
  if (errors.length === 0 && force !== 'all' && only) {
    // A forced image that --only leaves out would silently not be built: say so instead.
    const parents = new Map(config.images.map((i) => [i.name, i.parent]));
    const kept = new Set<string>();
    for (const name of only) for (let at: string | undefined = name; at !== undefined; at = parents.get(at)) kept.add(at);
    const leaving = flags.except ? `--except ${flags.except.join(' ')}` : `--only ${only.join(' ')}`;
    for (const name of force) {
      if (!kept.has(name))
        errors.push(
          `error: conflicting flags: --force ${name}, but ${leaving} leaves ${name} out (it is neither named nor an ancestor of a named image)`,
        );
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { force, only: only ? new Set(only) : undefined } };
}
