import { describe, expect, it } from 'vitest';
import type { Decision } from '../cache/decide.js';
import type { ImageConfig } from '../config/types.js';
import { buildTree } from '../graph/tree.js';
import type { Manifest } from './manifest.js';
import { describeSchedule, planRunSchedule, scheduleJson, slotsFor } from './schedule.js';

/** A run as prepareRun leaves it: the tree, what each image will do, and the last manifest's build times (seconds). */
function run(spec: Record<string, { parent?: string; action?: Decision['action']; lastS?: number }>) {
  const images = Object.entries(spec).map(([name, s]) => ({ name, parent: s.parent }) as unknown as ImageConfig);
  const decisions = new Map<string, Decision>(
    Object.entries(spec).map(([name, s]): [string, Decision] => {
      const action = s.action ?? 'build';
      return [
        name,
        action === 'reuse' ? { action, artifact: `id-${name}` } : action === 'build' ? { action, reasons: ['new'] } : { action },
      ];
    }),
  );
  const recorded = Object.entries(spec).filter(([, s]) => s.lastS !== undefined);
  const manifest =
    recorded.length === 0
      ? undefined
      : ({
          images: Object.fromEntries(recorded.map(([name, s]) => [name, { status: 'built', parent: null, lastBuildMs: s.lastS! * 1000 }])),
        } as unknown as Manifest);
  return { tree: buildTree(images), decisions, manifest };
}

describe('planRunSchedule and describeSchedule', () => {
  it('a deep chain beside slow leaves, 2 slots: critical path first, and how it compares with longest first', () => {
    // x, y: 10 s leaves; z (2 s) heads a 20 s build: longest first starts x and y and leaves w to 12-32 s.
    const planned = planRunSchedule(run({ x: { lastS: 10 }, y: { lastS: 10 }, z: { lastS: 2 }, w: { parent: 'z', lastS: 20 } }), 2);
    expect(planned.choice.rule).toBe('critical-path');
    expect(describeSchedule(planned)).toBe(
      'schedule: critical path first, best of 5 rules simulated on the expected times: expected makespan 22.0 s on 2 slots ' +
        '(lower bound 22.0 s, longest first 32.0 s); from the last recorded builds',
    );
    expect(scheduleJson(planned)).toEqual({
      rule: 'critical-path',
      slots: 2,
      expectedMakespanMs: 22_000,
      boundMs: 22_000,
      tried: [
        { rule: 'critical-path', makespanMs: 22_000 },
        { rule: 'critical-path-most-below', makespanMs: 22_000 },
        { rule: 'most-work-below', makespanMs: 22_000 },
        { rule: 'longest-first', makespanMs: 32_000 },
        { rule: 'config-order', makespanMs: 32_000 },
      ],
      imagesWithRecordedTime: 4,
      imagesToBuild: 4,
    });
  });

  it('reused images take no time and absent ones are not scheduled; a never-built image counts as the median', () => {
    const planned = planRunSchedule(
      run({
        base: { action: 'reuse', lastS: 100 },
        a: { parent: 'base', lastS: 30 },
        b: { parent: 'base', lastS: 10 },
        c: { parent: 'base' },
        gone: { parent: 'base', action: 'absent', lastS: 500 },
      }),
      1,
    );
    // One slot: the work, 30 + 10 + median(30, 10) = 60 s; base (reused) and gone (absent) add nothing.
    expect(planned.choice.expectedMakespanMs).toBe(60_000);
    expect({ building: planned.building, known: planned.known }).toEqual({ building: 3, known: 2 });
    expect(describeSchedule(planned)).toMatch(/expected makespan 1 min 0 s on 1 slot \(lower bound 1 min 0 s\); 1 of 3 images never built/);
  });

  it('nothing recorded: no makespan is claimed', () => {
    const text = describeSchedule(planRunSchedule(run({ a: {}, b: { parent: 'a' } }), 2));
    expect(text).not.toMatch(/makespan/);
    expect(text).toMatch(/no build recorded yet/);
  });

  it('a rule other than critical path wins when the simulation says so (config order here)', () => {
    // a 1 s → b 7 s, c 7 s, d 9 s, 2 slots: config order 14 s, every other rule 15 s (src/graph/pick-order.test.ts).
    const planned = planRunSchedule(run({ a: { lastS: 1 }, b: { parent: 'a', lastS: 7 }, c: { lastS: 7 }, d: { lastS: 9 } }), 2);
    expect(describeSchedule(planned)).toMatch(
      /^schedule: config order, .*expected makespan 14\.0 s on 2 slots \(lower bound 12\.0 s, longest first 15\.0 s\)/,
    );
  });
});

describe('slotsFor', () => {
  it('the command line, else the config, else one per CPU', () => {
    expect(slotsFor(3, 2)).toBe(3);
    expect(slotsFor(undefined, 2)).toBe(2);
    expect(slotsFor(undefined, undefined)).toBeGreaterThanOrEqual(1);
  });
});
