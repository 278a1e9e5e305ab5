import type { Config } from '../config/types.js';
import { didYouMean } from '../config/suggest.js';
import type { Selection } from '../engine/prepare.js';

/** `--force` (true: everything), `--force a b`, `--only a b`, checked against the config's images. */
export interface SelectionFlags {
  readonly force?: boolean | string[];
  readonly only?: string[];
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
  if (errors.length === 0 && force !== 'all' && flags.only) {
    // A forced image that --only leaves out would silently not be built: say so instead.
    const parents = new Map(config.images.map((i) => [i.name, i.parent]));
    const kept = new Set<string>();
    for (const name of flags.only) for (let at: string | undefined = name; at !== undefined; at = parents.get(at)) kept.add(at);
    for (const name of force) {
      if (!kept.has(name)) errors.push(`error: conflicting flags: --force ${name}, but --only ${flags.only.join(' ')} leaves ${name} out (it is neither named nor an ancestor of a named image)`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { force, only: flags.only ? new Set(flags.only) : undefined } };
}
