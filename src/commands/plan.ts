import type { Config } from '../config/types.js';
import type { PreparedRun } from '../engine/prepare.js';
import { prepareRun } from '../engine/prepare.js';
import { describeSchedule, planRunSchedule, scheduleJson, slotsFor } from '../engine/schedule.js';
import type { Packer } from '../packer/run.js';
import { PATH_IDENTITY_ADVICE, type ProjectIdentity } from '../targets/project.js';
import type { Target, TargetName } from '../targets/target.js';
import { table } from '../ui/format.js';
import { describeRunFailure } from '../engine/failure.js';
import { formatAge } from '../cache/age.js';
import { detailedErrorCode, detailedExitCode } from './detailed-exitcode.js';
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
  /** When the reused artifact was built (ISO 8601), by its own record; absent when it does not say. */
  readonly builtAt?: string;
  /** Its age when planned, in milliseconds (not in --json: builtAt says it without depending on the moment). */
  readonly ageMs?: number;
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
      ...(decision.action === 'reuse' && decision.age ? { builtAt: decision.age.builtAt, ageMs: decision.age.ms } : {}),
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
  // A Set per level: level.includes per image was levels × images × level size (10,000 images: ~10^8 steps).
  return levels.map((level) => {
    const inLevel = new Set(level);
    return order.filter((image) => inLevel.has(image) && building.has(image));
  });
}

/** Pure: the text `build-images plan` prints. */
export function renderPlan(
  entries: readonly PlanEntry[],
  target: TargetName,
  rootSource: string,
  project?: ProjectIdentity,
  schedule?: string,
): string {
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
    e.action === 'reuse' ? reuseCell(e) : e.action === 'build' ? (e.reasons ?? []).join('; ') : 'not selected, nothing to reuse',
  ]);
  out.push(table(['LEVEL', 'IMAGE', 'ACTION', 'FROM', 'WHY / ID'], rows));
  out.push('');
  out.push('Images in one level build in parallel once their parents are done. Nothing was built.');
  if (schedule !== undefined) out.push(schedule);
  if (project?.from === 'path') out.push(`Project identity ${project.id} is ${project.source}: ${PATH_IDENTITY_ADVICE}.`);
  return `${out.join('\n')}\n`;
}

/** The reused ID, and how old it is when the artifact says. */
const reuseCell = (e: PlanEntry): string => {
  const id = e.shown ?? e.id ?? '';
  return e.ageMs === undefined ? id : `${id} (built ${formatAge(e.ageMs)} ago)`;
};

export async function runPlanCommand(
  config: Config,
  deps: { packer: Packer; target: Target<unknown> },
  flags: SelectionFlags & { json?: boolean; detailedExitcode?: boolean },
  write: (text: string) => void,
): Promise<number> {
  const code = await plan(config, deps, flags, write);
  // --detailed-exitcode: the plan's own answer when it ran, else every failure is 1 (2 means "build").
  return flags.detailedExitcode ? (code.planned ? detailedExitCode(code.actions) : detailedErrorCode(code.exit)) : code.exit;
}

async function plan(
  config: Config,
  deps: { packer: Packer; target: Target<unknown> },
  flags: SelectionFlags & { json?: boolean },
  write: (text: string) => void,
): Promise<{ planned: false; exit: number } | { planned: true; exit: number; actions: PlanEntry['action'][] }> {
  const selection = parseSelection(config, flags);
  if (!selection.ok) {
    process.stderr.write(`${selection.errors.join('\n')}\n`);
    return { planned: false, exit: EXIT.badInput };
  }
  const prepared = await prepareRun(config, deps, selection.value);
  if (!prepared.ok) {
    process.stderr.write(`error: ${describeRunFailure(prepared.error)}\n`);
    return { planned: false, exit: EXIT.buildFailed };
  }
  const entries = planEntries(prepared.value, deps.target);
  // The order a build would start images in, decided as `build` decides it (src/engine/schedule.ts).
  const planned = planRunSchedule(prepared.value, slotsFor(undefined, deps.target.concurrency));
  const schedule = planned.building > 0 ? planned : undefined;
  if (flags.json) {
    const levels = prepared.value.tree.levels;
    const images = entries.map(({ shown: _shown, ageMs: _ageMs, ...e }) => e);
    const json = {
      target: deps.target.definition.name,
      images,
      levels,
      builds: planBuilds(entries, levels),
      ...(schedule ? { schedule: scheduleJson(schedule) } : {}),
    };
    write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    write(
      renderPlan(
        entries,
        deps.target.definition.name,
        deps.target.source(undefined, prepared.value.context),
        deps.target.project,
        schedule && describeSchedule(schedule),
      ),
    );
  }
  return { planned: true, exit: EXIT.ok, actions: entries.map((e) => e.action) };
}
