import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '../config/types.js';
import { parseMaxAge } from '../config/max-age.js';
import { buildTree } from '../graph/tree.js';
import type { Fingerprinted } from './collect-inputs.js';
import { decide, type Decision } from './decide.js';
import { fingerprint, type FingerprintInputs, type ResolvedBase } from './fingerprint.js';

const D = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00Z');
const OLD = 'sha256:' + 'ab12'.repeat(16);
const NEW = 'sha256:' + 'cd34'.repeat(16);

/** base → app → app-debug, base → tool; `max` is each image's effective max_age. */
function tree(max: Partial<Record<string, string>> = {}) {
  const image = (name: string, parent?: string): ImageConfig => {
    const maxAge = max[name] === undefined ? undefined : parseMaxAge(max[name]);
    return {
      name,
      parent,
      provisioners: [name],
      variables: {},
      ...(maxAge ? { maxAge } : {}),
      location: { file: 'images.yaml', line: 1, column: 1 },
    };
  };
  return buildTree([image('base'), image('app', 'base'), image('app-debug', 'app'), image('tool', 'base')]);
}

/** Fingerprints as collect-inputs makes them: the root carries its resolved base, children their parent's fingerprint. */
function fingerprints(t: ReturnType<typeof tree>, base: ResolvedBase): Map<string, Fingerprinted> {
  const out = new Map<string, Fingerprinted>();
  for (const node of t.order) {
    const inputs: FingerprintInputs = {
      template: 't',
      files: {},
      variables: {},
      settings: {},
      parent: node.parent === undefined ? null : out.get(node.parent)!.fingerprint,
      ...(node.parent === undefined ? { base } : {}),
    };
    out.set(node.name, { fingerprint: fingerprint(inputs), inputs });
  }
  return out;
}

const show = (decisions: Map<string, Decision<string>>) =>
  Object.fromEntries(
    [...decisions].map(([k, d]) => [
      k,
      d.action === 'build'
        ? `build: ${d.reasons.join('; ')}`
        : d.action === 'reuse'
          ? `reuse ${d.artifact}${d.age ? ` (${d.age.builtAt})` : ''}`
          : 'absent',
    ]),
  );

describe('decide: a base that moved', () => {
  it('rebuilds the root with the move named, and every descendant as "parent rebuilt"', () => {
    const t = tree();
    const before = fingerprints(t, { name: 'ubuntu:22.04', id: OLD });
    const now = fingerprints(t, { name: 'ubuntu:22.04', id: NEW });
    // Every image of the earlier build still exists, under the earlier fingerprints: none match now.
    const existing = new Map(
      [...now].map(([name, f]) => [name, [...before.values()].some((b) => b.fingerprint === f.fingerprint) ? name : undefined]),
    );
    const decisions = decide({
      tree: t,
      fingerprints: now,
      existing,
      previous: new Map([...before].map(([k, v]) => [k, v.inputs])),
      force: new Set(),
      only: undefined,
    });
    expect(show(decisions)).toEqual({
      base: 'build: base image ubuntu:22.04 moved (sha256:ab12ab12ab12… → sha256:cd34cd34cd34…)',
      app: 'build: parent base rebuilt',
      tool: 'build: parent base rebuilt',
      'app-debug': 'build: parent app rebuilt',
    });
  });

  it('says the base joined the fingerprint when the last build predates resolving it', () => {
    const t = tree();
    const now = fingerprints(t, { name: 'ubuntu:22.04', id: NEW });
    const { base: _base, ...old } = now.get('base')!.inputs;
    const decisions = decide({
      tree: t,
      fingerprints: now,
      existing: new Map(),
      previous: new Map([['base', old]]),
      force: new Set(),
      only: undefined,
    });
    expect(show(decisions).base).toBe('build: base image ubuntu:22.04 now part of the fingerprint (sha256:cd34cd34cd34…)');
  });
});

describe('decide: a fresh runner (no manifest), every reason true', () => {
  const t = tree();
  const now = fingerprints(t, { name: 'ubuntu:22.04', id: NEW });
  const fresh = (earlier: Map<string, { shown: string; base?: ResolvedBase }> | undefined, existing = new Map<string, string>()) =>
    show(
      decide({
        tree: t,
        fingerprints: now,
        existing,
        previous: new Map(),
        force: new Set(),
        only: undefined,
        ...(earlier ? { earlier } : {}),
      }),
    );
  const all = (base?: ResolvedBase) => new Map(t.order.map((n) => [n.name, { shown: `${n.name}-old`, ...(base ? { base } : {}) }]));

  it('a base that moved since the last build this runner finds: the move, and "parent rebuilt" below it', () => {
    expect(fresh(all({ name: 'ubuntu:22.04', id: OLD }))).toEqual({
      base: 'build: base image ubuntu:22.04 moved (sha256:ab12ab12ab12… → sha256:cd34cd34cd34…)',
      app: 'build: parent base rebuilt',
      tool: 'build: parent base rebuilt',
      'app-debug': 'build: parent app rebuilt',
    });
  });

  it('an earlier build on the same base: changed, naming that build, not "new" and not "moved"', () => {
    expect(fresh(all({ name: 'ubuntu:22.04', id: NEW })).base).toBe(
      'build: changed since its last build base-old (no manifest on this runner records which input)',
    );
    // Built before provenance was recorded: changed, nothing claimed about the base.
    expect(fresh(all()).base).toBe('build: changed since its last build base-old (no manifest on this runner records which input)');
    // Built on a base of another name: the base setting changed, which the earlier build's provenance shows.
    expect(fresh(all({ name: 'debian:12', id: OLD })).base).toBe('build: base image changed (debian:12 → ubuntu:22.04)');
  });

  it('nothing built before: new, and a child of a rebuilt parent never built before is new too', () => {
    expect(fresh(new Map())).toEqual({
      base: 'build: new image (no earlier build recorded)',
      app: 'build: new image (no earlier build recorded)',
      tool: 'build: new image (no earlier build recorded)',
      'app-debug': 'build: new image (no earlier build recorded)',
    });
    const onlyApp = new Map([['app', { shown: 'app-old' }]]);
    expect(fresh(onlyApp)).toMatchObject({ app: 'build: parent base rebuilt', tool: 'build: new image (no earlier build recorded)' });
  });

  it('a target that cannot look (no earlier map) says only that no build is recorded', () => {
    expect(fresh(undefined).base).toBe('build: new image (no earlier build recorded)');
  });

  it('reuse needs no reason: everything found by fingerprint is reused, whatever came before', () => {
    expect(fresh(all({ name: 'ubuntu:22.04', id: OLD }), new Map(t.order.map((n) => [n.name, n.name])))).toEqual({
      base: 'reuse base',
      app: 'reuse app',
      tool: 'reuse tool',
      'app-debug': 'reuse app-debug',
    });
  });
});

describe('decide: max_age', () => {
  const t = tree({ base: '30d', app: '30d', 'app-debug': '30d', tool: '12h' });
  const fps = fingerprints(t, { name: 'ubuntu:22.04', id: OLD });
  const all = new Map(t.order.map((n) => [n.name, n.name]));
  const run = (ages: Record<string, number>, extra: { only?: string[]; t?: ReturnType<typeof tree> } = {}) =>
    show(
      decide({
        tree: extra.t ?? t,
        fingerprints: fps,
        existing: all,
        previous: new Map([...fps].map(([k, v]) => [k, v.inputs])),
        force: new Set(),
        only: extra.only ? new Set(extra.only) : undefined,
        builtAt: (artifact) => (ages[artifact] === undefined ? undefined : new Date(NOW.getTime() - ages[artifact]!)),
        now: NOW,
      }),
    );

  it('rebuilds an image older than max_age, and everything built on it', () => {
    expect(run({ base: 41 * D, app: 2 * D, 'app-debug': 2 * D, tool: 2 * D })).toEqual({
      base: 'build: built 41 days ago (max_age 30d)',
      app: 'build: parent base rebuilt',
      tool: 'build: parent base rebuilt',
      'app-debug': 'build: parent app rebuilt',
    });
  });

  it('applies each image its own max_age: a young root, an old leaf', () => {
    expect(run({ base: 2 * D, app: 2 * D, 'app-debug': 2 * D, tool: 13 * 3_600_000 })).toEqual({
      base: 'reuse base (2026-11-28T12:00:00.000Z)',
      app: 'reuse app (2026-11-28T12:00:00.000Z)',
      'app-debug': 'reuse app-debug (2026-11-28T12:00:00.000Z)',
      tool: 'build: built 13 hours ago (max_age 12h)',
    });
  });

  it('reuses at any age without max_age, and when the artifact cannot say when it was built', () => {
    expect(run({ base: 400 * D, app: 400 * D, 'app-debug': 400 * D, tool: 400 * D }, { t: tree() })).toMatchObject({
      base: 'reuse base (2025-10-26T12:00:00.000Z)',
      tool: 'reuse tool (2025-10-26T12:00:00.000Z)',
    });
    expect(run({})).toEqual({ base: 'reuse base', app: 'reuse app', 'app-debug': 'reuse app-debug', tool: 'reuse tool' });
  });

  it('--only rebuilds an expired ancestor of what it names, and keeps what it leaves out at any age', () => {
    expect(run({ base: 41 * D, app: 2 * D, 'app-debug': 2 * D, tool: 41 * D }, { only: ['app'] })).toEqual({
      base: 'build: built 41 days ago (max_age 30d)',
      app: 'build: parent base rebuilt',
      // Left out by --only: its parent is rebuilt, so there is nothing of this run to put it on.
      tool: 'absent',
      'app-debug': 'absent',
    });
    expect(run({ base: 2 * D, app: 2 * D, 'app-debug': 2 * D, tool: 41 * D }, { only: ['app'] })).toMatchObject({
      tool: 'reuse tool (2026-10-20T12:00:00.000Z)',
    });
  });

  it('records the age of what it reuses, measured at one moment for the whole plan', () => {
    const decisions = decide({
      tree: t,
      fingerprints: fps,
      existing: all,
      previous: new Map(),
      force: new Set(),
      only: undefined,
      builtAt: () => new Date(NOW.getTime() - 5 * 3_600_000),
      now: NOW,
    });
    expect(decisions.get('base')).toEqual({
      action: 'reuse',
      artifact: 'base',
      age: { builtAt: '2026-11-30T07:00:00.000Z', ms: 5 * 3_600_000 },
    });
  });
});
