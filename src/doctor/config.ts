import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostics } from '../config/format.js';
import { displayPath, loadConfig } from '../config/load.js';
import type { TargetDefinition } from '../targets/target.js';
import type { Config } from '../config/types.js';
import { buildTree } from '../graph/tree.js';
import { fail, ok, type CheckResult } from './check.js';

export type ConfigFacts =
  | { readonly ok: true; readonly config: Config; readonly shown: readonly string[] }
  /** report: every problem, rendered as `build` prints them. */
  | { readonly ok: false; readonly problems: number; readonly report: string; readonly shown: readonly string[] };

/** Loads the config as `build` does, including what the target needs from it (`--target ami`: the region). */
export async function probeConfig(files: readonly string[], cwd: string, target: Pick<TargetDefinition, 'problems'>): Promise<ConfigFacts> {
  const names = files.length > 0 ? files : ['images.yaml'];
  const shown = names.map((f) => displayPath(f, cwd));
  const loaded = await loadConfig(names, { cwd });
  const problems = loaded.ok ? target.problems(loaded.value) : loaded.error;
  if (loaded.ok && problems.length === 0) return { ok: true, config: loaded.value, shown };
  return { ok: false, problems: problems.length, report: formatDiagnostics(problems, (file) => readSource(resolve(cwd, file))), shown };
}

/** `rootsFrom` names what the root images start from for the target, given the valid config. */
export function configCheck(facts: ConfigFacts, rootsFrom: (config: Config) => string = (c) => c.targets.docker.baseImage): CheckResult {
  const files = facts.shown.join(' + ');
  if (!facts.ok) {
    const n = facts.problems;
    return fail('config', `${n} problem${n === 1 ? '' : 's'} in ${files} (listed below)`, 'correct the problems listed below');
  }
  const { levels } = buildTree(facts.config.images);
  const images = facts.config.images.length;
  return ok(
    'config',
    `${files}: ${images} image${images === 1 ? '' : 's'} in ${levels.length} level${levels.length === 1 ? '' : 's'}, root images from ${rootsFrom(facts.config)}`,
  );
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
