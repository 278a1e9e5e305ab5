import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import type { Packer } from '../packer/run.js';
import { ok } from '../result.js';
import { amiDefinition } from '../targets/ami/definition.js';
import { ec2Api } from '../targets/ami/ec2.js';
import { prepareRun, SELECT_ALL } from './prepare.js';

/** max_age on the AMI target: the age is EC2's CreationDate of the AMI, through the real EC2Client (mocked responses). */
const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(async () => {
  mock.restore();
  await removeTempDirs();
});

const D = 86_400_000;
const CONFIG = `version: 1
max_age: 30d
targets:
  ami: { region: eu-central-1 }
images:
  base: { provisioners: [ok] }
  app: { parent: base, provisioners: [ok] }
`;
const packer: Packer = {
  version: async () => ok({ major: 1, minor: 6, patch: 6 }),
  init: async () => ok(undefined),
  build: async () => {
    throw new Error('prepare builds nothing');
  },
};

async function prepare() {
  const root = await tempDir({ 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const target = amiDefinition({
    ec2: () => ec2Api({ maxAttempts: 1 }),
    target: { builderCidr: async () => ({ ok: true, value: '203.0.113.7/32' }) },
  }).open(loaded.value);
  const prepared = await prepareRun(loaded.value, { packer, target }, SELECT_ALL);
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.error));
  return { ...prepared.value, target };
}

/** An AMI as DescribeImages returns it, tagged as build-images tags what it builds. */
const ami = (image: string, fingerprint: string, ageMs: number, id: string): Image => ({
  ImageId: id,
  Name: `${image}-${fingerprint}`,
  State: 'available',
  CreationDate: new Date(Date.now() - ageMs).toISOString(),
  Tags: [
    { Key: 'build-images:image', Value: image },
    { Key: 'build-images:fingerprint', Value: fingerprint },
    { Key: 'build-images:version', Value: '0.1.0' },
    { Key: 'build-images:commit', Value: 'a'.repeat(40) },
    { Key: 'build-images:dirty', Value: 'false' },
  ],
  BlockDeviceMappings: [],
});

describe('max_age with AMIs: the age is the AMI’s CreationDate', () => {
  it('an AMI older than max_age is rebuilt with its descendants; a younger one is reused, with its age and provenance', async () => {
    mock.on(DescribeImagesCommand).resolves({ Images: [] });
    const fingerprints = (await prepare()).fingerprints;
    const fp = (image: string) => fingerprints.get(image)!.fingerprint;
    const answer = (ages: Record<string, number>) =>
      mock.on(DescribeImagesCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
        const wanted = input.Filters?.find((f) => f.Name === 'tag:build-images:fingerprint')?.Values?.[0];
        const image = ['base', 'app'].find((name) => fp(name) === wanted);
        return { Images: image ? [ami(image, fp(image), ages[image]!, `ami-0${image === 'base' ? 'aaaa' : 'bbbb'}1111aaaa2222`)] : [] };
      });

    answer({ base: 41 * D + 3_600_000, app: 2 * D });
    const old = await prepare();
    expect(old.decisions.get('base')).toEqual({ action: 'build', reasons: ['built 41 days ago (max_age 30d)'] });
    expect(old.decisions.get('app')).toEqual({ action: 'build', reasons: ['parent base rebuilt'] });

    answer({ base: 2 * D, app: 2 * D });
    const young = await prepare();
    const base = young.decisions.get('base');
    expect(base?.action).toBe('reuse');
    if (base?.action !== 'reuse') return;
    expect(Math.round(base.age!.ms / D)).toBe(2);
    expect(young.target.provenance(base.artifact)).toEqual({
      base: undefined,
      fingerprint: fp('base'),
      toolVersion: '0.1.0',
      git: { commit: 'a'.repeat(40), dirty: false },
    });
    expect(young.decisions.get('app')?.action).toBe('reuse');
  });
});
