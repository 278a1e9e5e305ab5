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
import { describeRunFailure } from './failure.js';
import { manifestPath, renderManifest } from './manifest.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/** The Ubuntu AMIs Canonical has published in the build region, newest last: what source_ami_filter finds. */
let published: Image[] = [];
const ubuntu = (id: string, created: string): Image => ({
  ImageId: id,
  Name: `ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-${created.slice(0, 10).replaceAll('-', '')}`,
  OwnerId: '099720109477',
  State: 'available',
  CreationDate: created,
});
type Input = { Owners?: string[]; Filters?: { Name?: string; Values?: string[] }[] };
/** Answers the source AMI lookup (Owners + name filter) from `published`, and everything else with `rest`. */
const answerWith = (rest: (input: Input) => { Images: Image[] }) =>
  mock
    .on(DescribeImagesCommand)
    .callsFake((input: Input) => (input.Filters?.some((f) => f.Name === 'name') ? { Images: published } : rest(input)));

/** The project's run preparation, with the AMI target on the real EC2 client (answered by the mock). */
async function tryPrepare(root?: string) {
  root ??= await tempDir({ 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const target = amiDefinition({
    ec2: () => ec2Api({ maxAttempts: 1 }),
    target: { builderCidr: async () => ({ ok: true, value: '203.0.113.7/32' }) },
  }).open(loaded.value);
  return { prepared: await prepareRun(loaded.value, { packer, target }, SELECT_ALL), target, root };
}

async function prepare(root?: string) {
  const { prepared, target, root: dir } = await tryPrepare(root);
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.error));
  return { ...prepared.value, target, root: dir };
}

/** An AMI as DescribeImages returns it, tagged as build-images tags what it builds. */
const ami = (image: string, fingerprint: string, ageMs: number, id: string, project: string): Image => ({
  ImageId: id,
  Name: `${image}-${fingerprint}`,
  State: 'available',
  CreationDate: new Date(Date.now() - ageMs).toISOString(),
  Tags: [
    { Key: 'build-images:image', Value: image },
    { Key: 'build-images:project', Value: project },
    { Key: 'build-images:fingerprint', Value: fingerprint },
    { Key: 'build-images:version', Value: '0.1.0' },
    { Key: 'build-images:commit', Value: 'a'.repeat(40) },
    { Key: 'build-images:dirty', Value: 'false' },
  ],
  BlockDeviceMappings: [],
});

describe('max_age with AMIs: the age is the AMI’s CreationDate', () => {
  it('an AMI older than max_age is rebuilt with its descendants; a younger one is reused, with its age and provenance', async () => {
    published = [ubuntu('ami-0000000000000a001', '2026-11-01T10:00:00.000Z')];
    answerWith(() => ({ Images: [] }));
    const fingerprints = (await prepare()).fingerprints;
    const fp = (image: string) => fingerprints.get(image)!.fingerprint;
    const answer = (ages: Record<string, number>) =>
      answerWith((input) => {
        const wanted = input.Filters?.find((f) => f.Name === 'tag:build-images:fingerprint')?.Values?.[0];
        const image = ['base', 'app'].find((name) => fp(name) === wanted);
        // Each prepare() is a new checkout, so a new path-derived project: the AMI is the one asked for.
        const project = input.Filters?.find((f) => f.Name === 'tag:build-images:project')?.Values?.[0] ?? '';
        return {
          Images: image ? [ami(image, fp(image), ages[image]!, `ami-0${image === 'base' ? 'aaaa' : 'bbbb'}1111aaaa2222`, project)] : [],
        };
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

describe('the source AMI is resolved before the build and is part of the roots’ fingerprints (issues 14, 17)', () => {
  it('a newly published source AMI changes every fingerprint; plan says "source AMI changed (a → b)" for the root, "parent rebuilt" below', async () => {
    answerWith(() => ({ Images: [] }));
    published = [ubuntu('ami-0000000000000a001', '2026-11-01T10:00:00.000Z'), ubuntu('ami-0000000000000a002', '2026-11-15T10:00:00.000Z')];
    const first = await prepare();
    expect(first.base).toEqual({ name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*', id: 'ami-0000000000000a002' });
    expect(first.fingerprints.get('base')!.inputs.base).toEqual(first.base);
    expect(first.engine).toContain('source AMI ami-0000000000000a002 (ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261115)');
    // The manifest a build of that plan writes: each image's fingerprint inputs.
    await mkdir(join(first.root, '.build-images/ami'), { recursive: true });
    const images = Object.fromEntries(
      [...first.fingerprints].map(([name, fp]) => [
        name,
        { status: 'built' as const, parent: name === 'app' ? 'base' : null, fingerprint: fp.fingerprint, inputs: fp.inputs },
      ]),
    );
    await writeFile(
      manifestPath(first.root, 'ami'),
      renderManifest({
        version: 1,
        target: 'ami',
        tool: '0.1.0',
        packer: '1.6.6',
        startedAt: '',
        finishedAt: '',
        status: 'succeeded',
        images,
      }),
    );

    published = [...published, ubuntu('ami-0000000000000a003', '2026-11-29T10:00:00.000Z')];
    const second = await prepare(first.root);
    for (const image of ['base', 'app'])
      expect(second.fingerprints.get(image)!.fingerprint).not.toBe(first.fingerprints.get(image)!.fingerprint);
    expect(second.decisions.get('base')).toEqual({
      action: 'build',
      reasons: ['source AMI changed (ami-0000000000000a002 → ami-0000000000000a003)'],
    });
    expect(second.decisions.get('app')).toEqual({ action: 'build', reasons: ['parent base rebuilt'] });
    expect(second.target.source(undefined, second.context)).toBe('ami-0000000000000a003');
  });

  it('a filter that matches nothing stops the run before anything is planned or built', async () => {
    answerWith(() => ({ Images: [] }));
    published = [];
    const { prepared } = await tryPrepare();
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.error).toMatchObject({ reason: 'target-unusable', target: 'ami' });
    expect(describeRunFailure(prepared.error)).toMatch(
      /^images\.yaml:4:3: targets\.ami\.source_ami_filter matches no available AMI in eu-central-1: name "ubuntu\/images\/hvm-ssd\/ubuntu-jammy-22\.04-amd64-server-\*", owners 099720109477, .* Nothing was built\./,
    );
    // Only the source lookup was made: no reuse lookups, nothing else.
    expect(mock.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input.Filters?.[0]?.Name)).toEqual(['name']);
  });
});
