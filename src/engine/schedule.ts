import { availableParallelism } from 'node:os';
import { expectedTimes } from '../graph/critical-path.js';
import { chooseSchedule, type RuleName, type ScheduleChoice } from '../graph/pick-order.js';
import type { ScheduledNode } from '../graph/scheduler.js';
import type { PreparedRun } from './prepare.js';

/**
 * The run's schedule, decided before anything builds, the same way for `build` and for `plan`: every image's
 * expected time (its last recorded build; reused images 0; never-built ones the median of the known), and the
 * priority rule whose simulated makespan on those times is lowest (src/graph/pick-order.ts).
 */
export interface RunSchedule {
  readonly slots: number;
  readonly choice: ScheduleChoice;
  /** Images this run builds, and how many of them have a recorded build time. */
  readonly building: number;
  readonly known: number;
}

/**
 * Builds at once: --concurrency, else the target's `concurrency`, else one per CPU. The expected times cannot
 * choose this: they are solo build times, and on them more slots never look slower, while on a 2-CPU machine
 * four builds at once each ran ~1.4x slower than two at once (docs/benchmarks.md section 1: the children's
 * Packer times added up to 91.6 s with 4 at once, 64.2 s with 2) and finished no sooner (36.6 s vs 36.7 s).
 * Choosing it would need build times recorded with the number running beside them, which the manifest lacks.
 */
export function slotsFor(fromCommandLine: number | undefined, fromConfig: number | undefined): number {
  return fromCommandLine ?? fromConfig ?? Math.max(1, availableParallelism());
}

export function planRunSchedule(run: Pick<PreparedRun<unknown>, 'tree' | 'decisions' | 'manifest'>, slots: number): RunSchedule {
  const scheduled: ScheduledNode[] = run.tree.order.filter((n) => run.decisions.get(n.name)?.action !== 'absent');
  const previous = run.manifest?.images ?? {};
  const recorded = (name: string): number | undefined => previous[name]?.lastBuildMs ?? previous[name]?.durationMs;
  const reused = (name: string): boolean => run.decisions.get(name)?.action === 'reuse';
  const building = scheduled.filter((n) => !reused(n.name));
  const expected = expectedTimes(scheduled, recorded, { instant: reused });
  return {
    slots,
    choice: chooseSchedule(scheduled, expected, slots),
    building: building.length,
    known: building.filter((n) => recorded(n.name) !== undefined).length,
  };
}

const RULE_TEXT: Record<RuleName, string> = {
  'critical-path': 'critical path first',
  'critical-path-most-below': 'critical path first, ties to the image with more below',
  'most-work-below': 'most work below first',
  'longest-first': 'longest first',
  'config-order': 'config order',
};

/**
 * One line: which rule orders the builds and why (its expected makespan, against the bound and against longest
 * first, the rule before issue 18). Expected times are last recorded builds, so the line says how many are known.
 */
export function describeSchedule(s: RunSchedule): string {
  const { choice } = s;
  const longest = choice.tried.find((t) => t.rule === 'longest-first')!.makespanMs;
  const vsLongest = choice.rule === 'longest-first' || longest === choice.expectedMakespanMs ? '' : `, longest first ${seconds(longest)}`;
  const basis =
    s.known === 0
      ? 'no build recorded yet, so every image counts alike and the order follows the tree'
      : s.known < s.building
        ? `${s.building - s.known} of ${s.building} images never built, counted as the median recorded build`
        : 'from the last recorded builds';
  return (
    `schedule: ${RULE_TEXT[choice.rule]}, best of ${choice.tried.length} rules simulated on the expected times: ` +
    `${s.known === 0 ? '' : `expected makespan ${seconds(choice.expectedMakespanMs)} on ${plural(s.slots, 'slot')} (lower bound ${seconds(choice.boundMs)}${vsLongest}); `}` +
    basis
  );
}

/** The same, as data (plan --json `schedule`). */
export function scheduleJson(s: RunSchedule) {
  return {
    rule: s.choice.rule,
    slots: s.slots,
    expectedMakespanMs: Math.round(s.choice.expectedMakespanMs),
    boundMs: Math.round(s.choice.boundMs),
    tried: s.choice.tried.map((t) => ({ rule: t.rule, makespanMs: Math.round(t.makespanMs) })),
    imagesWithRecordedTime: s.known,
    imagesToBuild: s.building,
  };
}

const seconds = (ms: number): string => {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
};
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
