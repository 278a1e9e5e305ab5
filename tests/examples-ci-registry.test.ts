import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaErrors } from './helpers/json-schema.js';
import { REPO } from './helpers/project.js';

/**
 * The registry fan-out examples are not run here (no GitHub or GitLab): this checks their structure,
 * and runs the glue they contain (the plan step's output script, the GitLab child-pipeline generator)
 * on a plan in the shape schema/plan-result.schema.json fixes.
 */
const load = async (file: string): Promise<Record<string, any>> =>
  parse(await readFile(join(REPO, 'examples', 'ci', file), 'utf8')) as Record<string, any>;
type Step = { uses?: string; run?: string; id?: string; with?: Record<string, string> };

const temp: string[] = [];
afterAll(async () => Promise.all(temp.map((d) => rm(d, { recursive: true, force: true }))));

/** The reference tree's shape: base, then four children; this commit changed base's child nginx only. */
const plan = (builds: string[][]) => ({
  target: 'docker',
  images: [
    {
      image: 'base',
      parent: null,
      level: 0,
      action: 'reuse',
      id: `127.0.0.1:5000/cortex/base@sha256:${'a'.repeat(64)}`,
      fingerprint: 'b'.repeat(64),
    },
    { image: 'consul', parent: 'base', level: 1, action: 'build', reasons: ['x'], fingerprint: 'c'.repeat(64) },
    { image: 'nginx', parent: 'base', level: 1, action: 'build', reasons: ['x'], fingerprint: 'd'.repeat(64) },
  ],
  levels: [['base'], ['consul', 'nginx']],
  builds,
});

describe('examples/ci/github-actions-registry.yml', async () => {
  const wf = await load('github-actions-registry.yml');
  const levelJobs = Object.keys(wf.jobs).filter((j) => /^level\d+$/.test(j));

  it('plan, then one job per level with one matrix entry per image to build, then tfvars', () => {
    expect(Object.keys(wf.jobs)).toEqual(['plan', ...levelJobs, 'tfvars']);
    expect(levelJobs).toEqual(['level0', 'level1']);
    expect(wf.permissions.packages).toBe('write');
    levelJobs.forEach((name, level) => {
      const job = wf.jobs[name];
      expect(job.needs).toEqual(level === 0 ? 'plan' : ['plan', ...levelJobs.slice(0, level)]);
      expect(job.strategy.matrix.image).toBe(`\${{ fromJSON(needs.plan.outputs.level${level}) }}`);
      expect(job.strategy['fail-fast']).toBe(false);
      expect(job.if).toContain(`needs.plan.outputs.level${level} != '[]'`);
      if (level > 0) expect(job.if).toContain('!cancelled() && !failure()');
      const steps = job.steps as Step[];
      const login = steps.findIndex((s) => s.uses?.startsWith('docker/login-action@'));
      const build = steps.findIndex((s) => s.run?.includes('build-images build --target docker --only "${{ matrix.image }}"'));
      expect(login).toBeGreaterThan(-1);
      expect(build).toBeGreaterThan(login);
      expect(wf.jobs.plan.outputs[`level${level}`]).toBe(`\${{ steps.plan.outputs.level${level} }}`);
    });
    const tfvars = wf.jobs.tfvars;
    expect(tfvars.needs).toEqual(['plan', ...levelJobs]);
    const runs = (tfvars.steps as Step[]).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx build-images build --target docker --json');
    expect(runs).not.toContain('--only');
    expect((tfvars.steps as Step[]).at(-1)?.with?.path).toBe('terraform/docker/images.auto.tfvars.json');
  });

  it('every job names the registry and logs in before build-images runs; doctor runs before the plan', () => {
    for (const job of Object.values(wf.jobs) as { steps: Step[] }[]) {
      const overlay = job.steps.findIndex((s) => s.run?.includes('registry: ghcr.io/%s') && s.run.includes('${GITHUB_REPOSITORY,,}'));
      const firstCli = job.steps.findIndex((s) => s.run?.includes('npx build-images'));
      expect(overlay).toBeGreaterThan(-1);
      expect(overlay).toBeLessThan(firstCli);
    }
    const runs = (wf.jobs.plan.steps as Step[]).map((s) => s.run ?? '');
    expect(runs.findIndex((r) => r.includes('build-images doctor'))).toBeLessThan(runs.findIndex((r) => r.includes('build-images plan')));
  });

  it("the plan step's script writes one JSON array per level job, and fails for a tree deeper than the jobs", async () => {
    const dir = await mkdtemp('/tmp/bi-gha-');
    temp.push(dir);
    const script = (wf.jobs.plan.steps as Step[]).find((s) => s.id === 'plan')!.run!;
    // `npx build-images plan` is replaced by a command that prints a plan of the schema's shape.
    await writeFile(join(dir, 'npx'), '#!/bin/sh\ncat "$PLAN_FILE"\n');
    await chmod(join(dir, 'npx'), 0o755);
    const run = async (builds: string[][]) => {
      const value = plan(builds);
      expect(schemaErrors('plan-result.schema.json', value)).toBe('');
      await writeFile(join(dir, 'given.json'), JSON.stringify(value));
      await writeFile(join(dir, 'out'), '');
      const result = await execa('bash', ['-e', '-c', script], {
        cwd: dir,
        reject: false,
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          PLAN_FILE: join(dir, 'given.json'),
          GITHUB_OUTPUT: join(dir, 'out'),
          BUILD_IMAGES_CONFIG: '',
        },
      });
      return { result, output: await readFile(join(dir, 'out'), 'utf8') };
    };
    const two = await run([[], ['consul', 'nginx']]);
    expect(two.result.exitCode).toBe(0);
    expect(two.output).toBe('level0=[]\nlevel1=["consul","nginx"]\n');
    const three = await run([[], [], ['deep']]);
    expect(three.result.exitCode).toBe(1);
    expect(three.result.stderr).toContain('the tree has 3 levels but this workflow has 2 level jobs: add one');
  });
});

describe('examples/ci/gitlab-ci-registry.yml and gitlab-fanout.mjs', async () => {
  const ci = await load('gitlab-ci-registry.yml');

  it('plans, generates the child pipeline, and triggers it', () => {
    expect(ci.stages).toEqual(['plan', 'fan-out']);
    const script = (ci.plan.script as string[]).join('\n');
    expect(script).toContain('npx build-images doctor --target docker');
    expect(script).toContain('npx build-images plan --target docker --json');
    expect(script).toContain('node examples/ci/gitlab-fanout.mjs plan.json > fanout.yml');
    expect(ci.plan.artifacts.paths).toContain('fanout.yml');
    expect(ci['fan-out'].trigger).toEqual({ include: [{ artifact: 'fanout.yml', job: 'plan' }], strategy: 'depend' });
    expect((ci.plan.before_script as string[]).join('\n')).toContain('docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"');
  });

  it('the generator: one stage per level, a matrix entry per image to build, no job for an empty level, then tfvars', async () => {
    const dir = await mkdtemp('/tmp/bi-glc-');
    temp.push(dir);
    await writeFile(join(dir, 'plan.json'), JSON.stringify(plan([[], ['consul', 'nginx']])));
    const out = await execa('node', [join(REPO, 'examples', 'ci', 'gitlab-fanout.mjs'), join(dir, 'plan.json')]);
    const child = parse(out.stdout) as Record<string, any>;
    expect(child.stages).toEqual(['level-0', 'level-1', 'tfvars']);
    expect(child['level-0']).toBeUndefined();
    expect(child['level-1'].parallel.matrix).toEqual([{ IMAGE: ['consul', 'nginx'] }]);
    expect(child['level-1'].script).toEqual([
      'npx build-images build --target docker --only "$IMAGE" --config images.yaml --config registry.yaml',
    ]);
    expect(child.tfvars.artifacts.paths).toContain('terraform/docker/images.auto.tfvars.json');
    expect(child.default.before_script.join('\n')).toContain('registry: %s');

    await writeFile(join(dir, 'bad.json'), '{"target":"ami"}');
    const bad = await execa('node', [join(REPO, 'examples', 'ci', 'gitlab-fanout.mjs'), join(dir, 'bad.json')], { reject: false });
    expect(bad.exitCode).toBe(2);
  });
});
