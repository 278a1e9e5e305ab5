import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
