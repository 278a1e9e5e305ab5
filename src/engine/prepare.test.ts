import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import type { Packer } from '../packer/run.js';
import { ok } from '../result.js';
import { amiDefinition } from '../targets/ami/definition.js';
import { ec2Api } from '../targets/ami/ec2.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { describeRunFailure, type RunFailure } from './failure.js';
import { prepareRun, SELECT_ALL } from './prepare.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(async () => {
  mock.restore();
  await removeTempDirs();
});

const CONFIG = `version: 1
targets:
  ami: { region: eu-central-1 }
images:
  base: { provisioners: [ok] }
`;

const packer: Packer = {
  version: async () => ok({ major: 1, minor: 6, patch: 6 }),
  init: async () => ok(undefined),
  build: async () => {
    throw new Error('prepare builds nothing');
  },
};

/** An engine that answers the calls plan makes: reachable, the base image present, and no images built yet. */
const engine = {
  ping: async () => ok('Docker 24.0.7'),
  inspectImage: async () => ({ id: `sha256:${'b'.repeat(64)}`, repoDigests: [], labels: {} }),
  listByLabel: async () => [],
} as unknown as DockerEngine;

async function project(files: Record<string, string> = {}) {
  const root = await tempDir({ 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n', ...files });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

describe('prepareRun: what stops plan and build before anything is written', () => {
  it('a truncated terraform/docker/images.auto.tfvars.json is an error naming the file (was an "unexpected" JSON.parse throw)', async () => {
    const config = await project({ 'terraform/docker/images.auto.tfvars.json': '{"images": {"base": "sha256:0' });
    const target = dockerDefinition({ engine: () => engine }).open(config);
    const prepared = await prepareRun(config, { packer, target }, SELECT_ALL);
    expect(prepared).toEqual({
      ok: false,
      error: {
        reason: 'tfvars-damaged',
        path: 'terraform/docker/images.auto.tfvars.json',
        problem: expect.stringMatching(/^not valid JSON: /),
      },
    });
    expect(describeRunFailure((prepared as { error: RunFailure }).error)).toMatch(
      /^terraform\/docker\/images\.auto\.tfvars\.json is not a variables file build-images wrote \(not valid JSON: .+\): restore it from version control, or delete it to start afresh$/,
    );
  });

  it('a tfvars file of the right JSON but the wrong shape is refused too, and a well-formed one is read', async () => {
    const wrong = await project({ 'terraform/docker/images.auto.tfvars.json': '{"images": {"base": 7}}\n' });
    const target = dockerDefinition({ engine: () => engine }).open(wrong);
    const refused = await prepareRun(wrong, { packer, target }, SELECT_ALL);
    expect(refused.ok ? '' : describeRunFailure(refused.error)).toContain('images["base"] is not a string: 7');
    const good = await project({ 'terraform/docker/images.auto.tfvars.json': `{"images": {"base": "sha256:${'a'.repeat(64)}"}}\n` });
    const prepared = await prepareRun(good, { packer, target: dockerDefinition({ engine: () => engine }).open(good) }, SELECT_ALL);
    expect(prepared.ok && prepared.value.decisions.get('base')?.action).toBe('build');
  });

  it('an EC2 error in the AMI reuse lookup is reported as that error, not planned as "build" (real EC2Client, mocked)', async () => {
    const config = await project();
    // The source AMI lookup (preflight) succeeds; the reuse lookup (by fingerprint tag) is refused.
    mock.on(DescribeImagesCommand).callsFake((input: { Filters?: { Name?: string }[] }) => {
      if (input.Filters?.some((f) => f.Name === 'name'))
        return { Images: [{ ImageId: 'ami-0000000000000a001', State: 'available', CreationDate: '2026-11-01T10:00:00.000Z' }] };
      throw Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' });
    });
    const target = amiDefinition({
      ec2: () => ec2Api({ maxAttempts: 1 }),
      target: { builderCidr: async () => ({ ok: true, value: '203.0.113.7/32' }) },
    }).open(config);
    const prepared = await prepareRun(config, { packer, target }, SELECT_ALL);
    expect(prepared.ok ? undefined : prepared.error.reason).toBe('reuse-lookup');
    expect(prepared.ok ? '' : describeRunFailure(prepared.error)).toEqual(
      'looking for a reusable AMI of image "base": EC2 DescribeImages in eu-central-1 failed: UnauthorizedOperation: You are not authorized to perform this operation.',
    );
  });
});
