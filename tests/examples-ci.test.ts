import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/project.js';

/** The CI examples are not run here (no GitHub, GitLab or AWS): this checks their shape and what they call. */
const load = async (file: string): Promise<Record<string, any>> =>
  parse(await readFile(join(REPO, 'examples', 'ci', file), 'utf8')) as Record<string, any>;
const runs = (steps: readonly { run?: string }[]): string => steps.map((s) => s.run ?? '').join('\n');

describe('examples/ci/github-actions.yml', async () => {
  const wf = await load('github-actions.yml');
  const docker = wf.jobs.docker;
  const ami = wf.jobs.ami;

  it('builds the Docker target on every push and uploads its tfvars', () => {
    expect(Object.keys(wf.on)).toEqual(['push']);
    expect(runs(docker.steps)).toContain('npx build-images --target docker --json');
    const uploads = docker.steps.filter((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((s: { with: { path: string } }) => s.with.path)).toContain('terraform/docker/images.auto.tfvars.json');
  });

  it('builds the AMI target on main only, with OIDC credentials', () => {
    expect(ami.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(ami.permissions['id-token']).toBe('write');
    const creds = ami.steps.find((s: { uses?: string }) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(Object.keys(creds.with)).toEqual(['role-to-assume', 'aws-region']);
    expect(runs(ami.steps)).toContain('npx build-images --target ami');
    expect(ami.steps.at(-1).with.path).toBe('terraform/aws/images.auto.tfvars.json');
  });
});

describe('examples/ci/gitlab-ci.yml', async () => {
  const ci = await load('gitlab-ci.yml');

  it('builds the Docker target on push and keeps its tfvars', () => {
    const job = ci['docker-images'];
    expect(job.script.join('\n')).toContain('npx build-images --target docker --json');
    expect(job.artifacts.paths).toContain('terraform/docker/images.auto.tfvars.json');
  });

  it('builds the AMI target on the default branch with an ID token', () => {
    const job = ci['ami-images'];
    expect(job.rules[0].if).toContain('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH');
    expect(job.id_tokens.AWS_ID_TOKEN.aud).toBe('sts.amazonaws.com');
    expect(job.variables.AWS_WEB_IDENTITY_TOKEN_FILE).toBeDefined();
    expect(job.script.join('\n')).toContain('npx build-images --target ami');
    expect(job.artifacts.paths).toEqual(['terraform/aws/images.auto.tfvars.json']);
  });
});

describe('examples/ci/nightly.yml', async () => {
  const wf = await load('nightly.yml');
  const planStep = wf.jobs.plan.steps.find((s: { id?: string }) => s.id === 'plan');

  it('runs on a schedule (and by hand), and builds only when the plan job says so', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(wf.jobs.plan.outputs.build).toBe('${{ steps.plan.outputs.build }}');
    expect(wf.jobs.build.needs).toBe('plan');
    expect(wf.jobs.build.if).toBe("needs.plan.outputs.build == 'true'");
    expect(runs(wf.jobs.build.steps)).toContain('npx build-images --target ami --json');
    expect(wf.jobs.build.steps.at(-2).with.path).toBe('terraform/aws/images.auto.tfvars.json');
    for (const job of [wf.jobs.plan, wf.jobs.build]) expect(job.permissions['id-token']).toBe('write');
  });

  // The step's own shell, run as GitHub runs `shell: bash` (bash --noprofile --norc -eo pipefail), with a
  // stand-in npx that answers like `build-images plan --detailed-exitcode` would.
  it.each([
    { exit: 0, output: 'build=false', stepFails: false },
    { exit: 2, output: 'build=true', stepFails: false },
    { exit: 1, output: '', stepFails: true },
  ])('plan exits $exit → $output, step fails: $stepFails', async ({ exit, output, stepFails }) => {
    expect(planStep.shell).toBe('bash');
    const dir = await mkdtemp(join(tmpdir(), 'fresh-nightly-'));
    try {
      await mkdir(join(dir, 'bin'));
      await writeFile(
        join(dir, 'bin', 'npx'),
        `#!/bin/sh\necho "args: $*" > "${dir}/args"\necho "Plan for target ami: 5 images"\nexit ${exit}\n`,
        { mode: 0o755 },
      );
      await writeFile(join(dir, 'step.sh'), planStep.run);
      for (const f of ['output', 'summary']) await writeFile(join(dir, f), '');
      const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
        cwd: dir,
        reject: false,
        env: {
          PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
          GITHUB_OUTPUT: join(dir, 'output'),
          GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        },
      });
      expect(await readFile(join(dir, 'args'), 'utf8')).toBe('args: build-images plan --target ami --detailed-exitcode\n');
      expect(result.exitCode !== 0).toBe(stepFails);
      if (stepFails) expect(result.exitCode).toBe(exit);
      expect((await readFile(join(dir, 'output'), 'utf8')).trim()).toBe(output);
      expect(await readFile(join(dir, 'summary'), 'utf8')).toContain('Plan for target ami: 5 images');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
