import { describe, expect, it } from 'vitest';
import { planBuilds, renderPlan, type PlanEntry } from './plan.js';

const fp = 'f'.repeat(64);

describe('renderPlan', () => {
  it('prints per image the action and why, or the ID it reuses', () => {
    const entries: PlanEntry[] = [
      { image: 'base', parent: null, level: 0, action: 'reuse', id: `sha256:${'a'.repeat(64)}`, shown: 'aaaaaaaaaaaa', fingerprint: fp },
      {
        image: 'consul',
        parent: 'base',
        level: 1,
        action: 'build',
        reasons: ['provisioners/consul-server.sh changed', 'variable CONSUL_VERSION changed'],
        fingerprint: fp,
      },
      { image: 'cortex', parent: 'base', level: 1, action: 'build', reasons: ['forced'], fingerprint: fp },
      { image: 'nginx', parent: 'base', level: 1, action: 'absent', fingerprint: fp },
    ];
    expect(renderPlan(entries, 'docker', 'ubuntu:22.04')).toMatchInlineSnapshot(`
      "Plan for target docker: 4 images in 2 levels: 2 to build, 1 to reuse, 1 left out by --only.

      LEVEL  IMAGE   ACTION  FROM          WHY / ID
      0      base    reuse   ubuntu:22.04  aaaaaaaaaaaa
      1      consul  build   base          provisioners/consul-server.sh changed; variable CONSUL_VERSION changed
      1      cortex  build   base          forced
      1      nginx   -       base          not selected, nothing to reuse

      Images in one level build in parallel once their parents are done. Nothing was built.
      "
    `);
  });

  it('says when the project identity comes from the path, and how to share it (CI); nothing when it is named', () => {
    const entries: PlanEntry[] = [{ image: 'base', parent: null, level: 0, action: 'build', reasons: ['forced'], fingerprint: fp }];
    const fromPath = { id: '0123456789ab', from: 'path', source: 'a hash of the path /src/images' } as const;
    expect(renderPlan(entries, 'docker', 'ubuntu:22.04', fromPath).split('\n').at(-2)).toBe(
      'Project identity 0123456789ab is a hash of the path /src/images: another checkout of this project (a CI runner in another directory) is another project to prune; set `project: <name>` in images.yaml so every checkout shares one identity.',
    );
    const named = { id: 'acme/cortex', from: 'config', source: 'project: in images.yaml:2' } as const;
    expect(renderPlan(entries, 'docker', 'ubuntu:22.04', named)).toBe(renderPlan(entries, 'docker', 'ubuntu:22.04'));
  });
});

describe('planBuilds (plan --json "builds", for CI matrices)', () => {
  it('per level the images to build, config order; empty where nothing is built', () => {
    const entry = (image: string, level: number, action: PlanEntry['action']): PlanEntry => ({
      image,
      parent: level === 0 ? null : 'base',
      level,
      action,
      fingerprint: fp,
    });
    const entries = [entry('base', 0, 'reuse'), entry('nginx', 1, 'build'), entry('consul', 1, 'build'), entry('cortex', 1, 'absent')];
    expect(planBuilds(entries, [['base'], ['consul', 'cortex', 'nginx']])).toEqual([[], ['nginx', 'consul']]);
  });
});
