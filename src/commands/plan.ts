import type { Config } from '../config/types.js';
import type { PreparedRun } from '../engine/prepare.js';
import { prepareRun } from '../engine/prepare.js';
import type { Packer } from '../packer/run.js';
import type { Target, TargetName } from '../targets/target.js';
import { table } from '../ui/format.js';
import { describeRunFailure } from '../engine/failure.js';
import { EXIT } from './exit-codes.js';
import { parseSelection, type SelectionFlags } from './selection.js';

export interface PlanEntry {
  readonly image: string;
  readonly parent: string | null;
  readonly level: number;
  readonly action: 'build' | 'reuse' | 'absent';
  /** The reused artifact's ID (build region for AMIs). */
  readonly id?: string;
  /** The same, shortened for the table. */
  readonly shown?: string;
  readonly reasons?: readonly string[];
  readonly fingerprint: string;
}

/** Pure: the plan as data (`plan --json`). */
export function planEntries<A>(run: PreparedRun<A>, target: Pick<Target<A>, 'ids' | 'describe'>): PlanEntry[] {
  return run.tree.order.map((node) => {
    const decision = run.decisions.get(node.name)!;
    return {
      image: node.name,
      parent: node.parent ?? null,
      level: node.depth,
      action: decision.action,
      ...(decision.action === 'reuse' ? { id: target.ids(decision.artifact).id, shown: target.describe(decision.artifact) } : {}),
      ...(decision.action === 'build' ? { reasons: decision.reasons } : {}),
      fingerprint: run.fingerprints.get(node.name)!.fingerprint,
    };
  });
}

/**
 * Pure: per level, the images this run would build, in config order: a CI matrix as it is (one job per
 * level, one entry per image, each `build --only <image>`; examples/ci/). An empty list where nothing changes.
 */
export function planBuilds(entries: readonly PlanEntry[], levels: readonly (readonly string[])[]): string[][] {
  const building = new Set(entries.filter((e) => e.action === 'build').map((e) => e.image));
  const order = entries.map((e) => e.image);
  return levels.map((level) => order.filter((image) => level.includes(image) && building.has(image)));
}

/** Pure: the text `build-images plan` prints. */
export function renderPlan(entries: readonly PlanEntry[], target: TargetName, rootSource: string): string {
  const count = (action: PlanEntry['action']): number => entries.filter((e) => e.action === action).length;
  const levels = new Set(entries.map((e) => e.level)).size;
  const out: string[] = [];
  out.push(
    `Plan for target ${target}: ${entries.length} image${entries.length === 1 ? '' : 's'} in ${levels} level${levels === 1 ? '' : 's'}: ${count('build')} to build, ${count('reuse')} to reuse${count('absent') ? `, ${count('absent')} left out by --only` : ''}.`,
  );
  out.push('');
  const rows = entries.map((e) => [
    String(e.level),
    e.image,
    e.action === 'absent' ? '-' : e.action,
    e.parent === null ? rootSource : e.parent,
    e.action === 'reuse' ? (e.shown ?? e.id ?? '') : e.action === 'build' ? (e.reasons ?? []).join('; ') : 'not selected, nothing to reuse',
  ]);
  out.push(table(['LEVEL', 'IMAGE', 'ACTION', 'FROM', 'WHY / ID'], rows));
  out.push('');
  out.push('Images in one level build in parallel once their parents are done. Nothing was built.');
  return `${out.join('\n')}\n`;
}

export async function runPlanCommand(
  config: Config,
  deps: { packer: Packer; target: Target<unknown> },
  flags: SelectionFlags & { json?: boolean },
  write: (text: string) => void,
): Promise<number> {
  const selection = parseSelection(config, flags);
  if (!selection.ok) {
    process.stderr.write(`${selection.errors.join('\n')}\n`);
    return EXIT.badInput;
  }
  const prepared = await prepareRun(config, deps, selection.value);
  if (!prepared.ok) {
    process.stderr.write(`error: ${describeRunFailure(prepared.error)}\n`);
    return EXIT.buildFailed;
  }
  const entries = planEntries(prepared.value, deps.target);
  if (flags.json) {
    const levels = prepared.value.tree.levels;
    const images = entries.map(({ shown: _shown, ...e }) => e);
    write(`${JSON.stringify({ target: deps.target.definition.name, images, levels, builds: planBuilds(entries, levels) }, null, 2)}\n`);
  } else {
    write(renderPlan(entries, deps.target.definition.name, deps.target.source(undefined)));
  }
  return EXIT.ok;
}
