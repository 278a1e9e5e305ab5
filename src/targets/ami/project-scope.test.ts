/**
 * Two projects in one AWS account with the same image names: each AMI carries its project (TAG.project), and
 * reuse, findEarlier and prune see only their own project's. Through the real EC2Client against an in-memory
 * account (aws-sdk-client-mock), asserting the DescribeImages requests themselves.
 */
import { amiTarget } from '../../../tests/helpers/ami/target.js';
import { parse } from '@cdktf/hcl2json';
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { amiTemplatePath, renderAmiTemplate } from '../../packer/render-ami.js';
import { amiInRegions, fakeAccount, type FakeAccount, type FakeAmi } from '../../../tests/helpers/ami/fake-account.js';
import { loadProject } from '../../../tests/helpers/stub-target.js';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir.js';
import type { ProjectIdentity } from '../project.js';
import { confirmBuilt, describeAmiFailure, findReusable } from './checks.js';
import { amiDefinition } from './definition.js';
import { amiUsageApi, ec2Api } from './ec2.js';
import { amiPrune } from './prune.js';
import { TAG, amiTags } from './tags.js';
import { amiTemplateVariables } from './variables.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(async () => {
  mock.restore();
  await removeTempDirs();
});

const A: ProjectIdentity = { id: 'acme/images', from: 'config', source: 'project: in images.yaml:2' };
const B = 'other-team/images';
const REGIONS = ['eu-central-1', 'us-east-1'];
const NOW = new Date('2026-11-30T12:00:00.000Z');
const FP = (c: string): string => c.repeat(64);
const V166 = { major: 1, minor: 6, patch: 6 };
// Real Packer 1.6.6 validates and evaluates amazon-ebs templates offline: no AWS credentials or network needed.
const hasPacker = await execa('packer', ['version'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);

/** One logical AMI in both regions; IDs end in 1 (eu-central-1) and 2 (us-east-1). */
function ami(
  n: number,
  image: string,
  day: number,
  tags: Record<string, string>,
  name = `${image}-${FP(String(n % 10))}`,
): Array<[string, FakeAmi]> {
  return amiInRegions(REGIONS, n, name, day, { [TAG.image]: image, ...tags });
}
const finished = (project: string | undefined, fingerprint: string): Record<string, string> => ({
  ...(project === undefined ? {} : { [TAG.project]: project }),
  [TAG.fingerprint]: fingerprint,
});
const seed = (account: FakeAccount, ...amis: Array<Array<[string, FakeAmi]>>): void => {
  for (const [region, image] of amis.flat()) account.add(region, image);
};

describe('reuse is scoped by project', () => {
  it('asks EC2 for this project, image and fingerprint (Owners self) and never reuses another project’s AMI with the same fingerprint', async () => {
    const account = fakeAccount(mock);
    // Project B built the very same content (same image name, same fingerprint): not ours to hand to Terraform.
    seed(account, ami(1, 'base', 1, finished(B, FP('f'))), ami(2, 'base', 2, finished(undefined, FP('f'))));
    const args = { project: A.id, image: 'base', fingerprint: FP('f'), regions: REGIONS };
    expect(await findReusable(ec2Api(), args)).toEqual({ ok: true, value: { kind: 'absent' } });
    expect(account.describeCalls.map((c) => [c.region, c.input.Owners, c.input.Filters])).toEqual(
      REGIONS.map((region) => [
        region,
        ['self'],
        [
          { Name: `tag:${TAG.project}`, Values: [A.id] },
          { Name: `tag:${TAG.image}`, Values: ['base'] },
          { Name: `tag:${TAG.fingerprint}`, Values: [FP('f')] },
        ],
      ]),
    );
    seed(account, ami(3, 'base', 3, finished(A.id, FP('f'))));
    const found = await findReusable(ec2Api(), args);
    expect(found.ok && found.value.kind === 'reusable' && Object.values(found.value.amis).map((i) => i.id)).toEqual([
      'ami-00000031',
      'ami-00000032',
    ]);
  });

  it('a build whose AMI lacks this project’s tag is not confirmed: later runs could neither reuse nor prune it', async () => {
    const account = fakeAccount(mock);
    seed(account, ami(1, 'base', 1, finished(B, FP('f')), 'base-1'));
    const confirmed = await confirmBuilt(ec2Api(), {
      image: 'base',
      project: A.id,
      amiName: 'base-1',
      fingerprint: FP('f'),
      regions: REGIONS,
      reported: { 'eu-central-1': 'ami-00000011', 'us-east-1': 'ami-00000012' },
      timeoutMs: 1000,
      pollMs: 1,
    });
    expect(!confirmed.ok && describeAmiFailure(confirmed.error)).toBe(
      `packer reported ami-00000011 for image "base" in eu-central-1, but its ${TAG.project}/${TAG.image}/${TAG.fingerprint} tags are not acme/images/base/${FP('f')}, so later runs could not find it`,
    );
  });
});

describe('prune is scoped by project', () => {
  const prune = () =>
    amiPrune({
      ec2: ec2Api(),
      usage: amiUsageApi(),
      project: A,
      regions: REGIONS,
      imageNames: new Set(['base']),
      keep: 1,
      referenced: new Set(),
      options: { usedWithin: { text: '30d', ms: 30 * 86_400_000 }, now: NOW },
    });

  it('lists AMIs by this project’s tag, removes only its own, and never deregisters another project’s or an untagged one', async () => {
    const account = fakeAccount(mock);
    seed(
      account,
      ami(1, 'base', 1, finished(A.id, FP('1'))),
      ami(2, 'base', 2, finished(A.id, FP('2'))),
      ami(3, 'base', 3, finished(A.id, FP('3'))),
      // Project B: older and newer AMIs of the same image name, finished and unfinished (plugin run_tags, no fingerprint).
      ami(4, 'base', 1, finished(B, FP('4'))),
      ami(5, 'base', 5, finished(B, FP('5'))),
      ami(6, 'base', 1, { [TAG.project]: B }),
      // Built before AMIs carried a project: perhaps ours, perhaps B's.
      ami(7, 'base', 1, finished(undefined, FP('7'))),
      // A third project's AMI of another image name: not worth a line.
      ami(8, 'nginx', 1, finished('third/project', FP('8'))),
    );
    const plan = await prune();
    expect(plan.problem).toBeUndefined();
    expect(plan.lines).toEqual([
      `project acme/images (from project: in images.yaml:2): only AMIs tagged ${TAG.project}=acme/images are removed`,
      `keep    base-${FP('3')} (newest #1): eu-central-1 ami-00000031, us-east-1 ami-00000032`,
      `skip    base-${FP('7')} (whose is unknown: no ${TAG.project} tag: made by a build-images from before AMIs carried their project): eu-central-1 ami-00000071, us-east-1 ami-00000072`,
      `remove  base-${FP('2')}: eu-central-1 ami-00000021, us-east-1 ami-00000022`,
      `remove  base-${FP('1')}: eu-central-1 ami-00000011, us-east-1 ami-00000012`,
      'left alone: 3 AMIs of these image names built by another project (other-team/images)',
      `note: 1 AMI has no ${TAG.project} tag and is never removed, reused or counted. If it is this project's (not another project's with the same image names), tag it once, then prune again:`,
      `  aws ec2 create-tags --region eu-central-1 --resources ami-00000071 --tags 'Key=${TAG.project},Value=acme/images'`,
      `  aws ec2 create-tags --region us-east-1 --resources ami-00000072 --tags 'Key=${TAG.project},Value=acme/images'`,
    ]);
    // The candidates come from EC2's own filter: this account's AMIs (Owners self) with this project's tag.
    const byProject = account.describeCalls.filter((c) => c.input.Filters?.some((f) => f.Name === `tag:${TAG.project}`));
    expect(byProject.map((c) => [c.region, c.input.Owners, c.input.Filters])).toEqual(
      REGIONS.map((region) => [region, ['self'], [{ Name: `tag:${TAG.project}`, Values: [A.id] }]]),
    );
    expect(await plan.apply(() => undefined)).toEqual({ failed: [] });
    expect(account.deregistered).toEqual([
      'eu-central-1:ami-00000021',
      'us-east-1:ami-00000022',
      'eu-central-1:ami-00000011',
      'us-east-1:ami-00000012',
    ]);
    for (const n of [4, 5, 6, 7])
      for (const r of [1, 2]) expect(account.deregistered).not.toContain(expect.stringContaining(`ami-000000${n}${r}`));
  });

  it('once tagged with the printed command, an AMI built before is this project’s: counted, and removed when old', async () => {
    const account = fakeAccount(mock);
    seed(account, ami(3, 'base', 3, finished(A.id, FP('3'))), ami(7, 'base', 1, finished(A.id, FP('7'))));
    const plan = await prune();
    expect(plan.lines.filter((l) => !l.startsWith('project '))).toEqual([
      `keep    base-${FP('3')} (newest #1): eu-central-1 ami-00000031, us-east-1 ami-00000032`,
      `remove  base-${FP('7')}: eu-central-1 ami-00000071, us-east-1 ami-00000072`,
    ]);
  });

  it('an untagged unfinished AMI is removed only once a day old: a younger one may be another project’s copy in flight', async () => {
    const account = fakeAccount(mock);
    seed(account, ami(3, 'base', 3, finished(A.id, FP('3'))));
    // Packer 1.6.6 tags nothing until every copy is done: a copy that finished is available and bare meanwhile.
    account.add('us-east-1', { id: 'ami-00000082', name: `base-${'8'.repeat(24)}-20261130110000`, created: '2026-11-30T11:00:00.000Z' });
    account.add('us-east-1', { id: 'ami-00000092', name: `base-${'9'.repeat(24)}-20261128110000`, created: '2026-11-28T11:00:00.000Z' });
    const plan = await prune();
    expect(plan.lines.filter((l) => /ami-000000[89]2/.test(l))).toEqual([
      `skip    base-${'8'.repeat(24)}-20261130110000 (whose is unknown: unfinished and without a ${TAG.project} tag, made 1 h ago: perhaps a build still running, here or in another project; removed once 24 h old): us-east-1 ami-00000082 available`,
      `remove  base-${'9'.repeat(24)}-20261128110000 (unfinished: no build-images tags in us-east-1, so Packer stopped before tagging it (a failed or interrupted build or copy)): us-east-1 ami-00000092 available`,
    ]);
  });
});

describe('findEarlier is scoped by project', () => {
  it('the newest finished AMI of this project in the build region, by CreationDate; another project’s newer one is not it', async () => {
    const account = fakeAccount(mock);
    seed(
      account,
      ami(1, 'base', 1, finished(A.id, FP('1'))),
      ami(2, 'base', 2, finished(A.id, FP('2'))),
      ami(3, 'base', 3, { [TAG.project]: A.id }), // unfinished: no fingerprint
      ami(4, 'base', 4, finished(B, FP('4'))),
    );
    const config = await loadProject(
      'version: 1\nproject: acme/images\ntargets:\n  ami: { region: eu-central-1 }\nimages:\n  base: { provisioners: [ok] }\n  app: { parent: base, provisioners: [ok] }\n',
    );
    const target = amiDefinition({ ec2: () => ec2Api() }).open(config);
    const found = await target.findEarlier!(
      [
        { image: 'base', fingerprint: FP('0'), recorded: [] },
        { image: 'app', fingerprint: FP('0'), recorded: [], parent: 'base' },
      ],
      undefined,
    );
    expect([...found.keys()]).toEqual(['base']);
    expect(target.describe(found.get('base')!)).toBe('ami-00000021');
    expect(account.describeCalls.map((c) => [c.region, c.input.Owners, c.input.Filters])).toEqual(
      ['base', 'app'].map((image) => [
        'eu-central-1',
        ['self'],
        [
          { Name: `tag:${TAG.project}`, Values: ['acme/images'] },
          { Name: `tag:${TAG.image}`, Values: [image] },
        ],
      ]),
    );
  });

  it('a lookup EC2 refuses answers nothing: it only shapes the wording of plan', async () => {
    fakeAccount(mock).onDescribe(() => {
      throw Object.assign(new Error('not allowed'), { name: 'UnauthorizedOperation' });
    });
    const config = await loadProject('version: 1\ntargets:\n  ami: { region: eu-central-1 }\nimages:\n  base: { provisioners: [ok] }\n');
    const target = amiDefinition({ ec2: () => ec2Api({ maxAttempts: 1 }) }).open(config);
    expect((await target.findEarlier!([{ image: 'base', fingerprint: FP('0'), recorded: [] }], undefined)).size).toBe(0);
  });
});

describe('the project tag in the template’s inputs', () => {
  const TARGET = amiTarget();
  const values = (project: string) => ({
    target: TARGET,
    image: 'base',
    project,
    fingerprint: FP('a'),
    amiName: `base-${'a'.repeat(24)}-20261130170412`,
    sourceAmi: 'ami-0fedcba9876543210',
    parent: undefined,
    toolVersion: '0.1.0',
    gitCommit: undefined,
    sshSourceCidrs: ['203.0.113.7/32'],
    envFile: '.build-images/ami/env/base.env',
  });

  it('is in tags, which the template gives to the AMI and to its snapshots (tags and snapshot_tags), and in run_tags', async () => {
    const vars = amiTemplateVariables(values('acme/cortex-images'));
    expect(vars.tags[TAG.project]).toBe('acme/cortex-images');
    expect(vars.run_tags[TAG.project]).toBe('acme/cortex-images');
    const template = renderAmiTemplate({
      image: 'base',
      root: true,
      provisioners: ['ok'],
      uploadLib: false,
      packer: { major: 1, minor: 6, patch: 6 },
    });
    const parsed = (await parse('base.pkr.hcl', template)) as { source: { 'amazon-ebs': { base: Array<Record<string, unknown>> } } };
    const source = parsed.source['amazon-ebs'].base[0]!;
    expect([source['tags'], source['snapshot_tags'], source['run_tags'], source['run_volume_tags']]).toEqual([
      '${var.tags}',
      '${var.tags}',
      '${var.run_tags}',
      '${var.run_tags}',
    ]);
  });

  it('is a value, never template text: the template takes no project, and one Packer would run as a template is a bug, refused', () => {
    // renderAmiTemplate has no project input: any project gives the same template (the value travels in the
    // variables file). Packer renders tag values as Go templates (step_create_tags.go ConvertToEC2Tags), so a
    // `{{` would be run, not stored; the config schema refuses such names, and so does the tag itself.
    for (const hostile of ['{{timestamp}}', 'a" }\nsource "x" {', '${var.x}', 'x y', '', '/leading-slash'])
      expect(() => amiTemplateVariables(values(hostile)), hostile).toThrow(/bug: not a project identity/);
    const tags = amiTags({ ...values('acme/x_y.z-1'), amiName: 'base-1', userTags: { [TAG.project]: 'forged' } });
    expect(tags[TAG.project]).toBe('acme/x_y.z-1');
  });

  it.runIf(hasPacker || process.env.CI === 'true')(
    'real Packer 1.6.6 validates the template with it and reads it back from var.tags and var.run_tags unchanged',
    async () => {
      const dir = await tempDir({ 'provisioners/ok.sh': '#!/bin/sh\n', 'env.sh': '' });
      await mkdir(join(dir, 'packer/ami'), { recursive: true });
      const template = amiTemplatePath('base');
      await writeFile(
        join(dir, template),
        renderAmiTemplate({ image: 'base', root: true, provisioners: ['ok'], uploadLib: false, packer: V166 }),
      );
      await writeFile(
        join(dir, 'vars.json'),
        JSON.stringify(amiTemplateVariables({ ...values('acme/cortex.images_2-x'), envFile: 'env.sh' })),
      );
      const env = { CHECKPOINT_DISABLE: '1', PATH: process.env.PATH ?? '', HOME: dir };
      const validate = await execa('packer', ['validate', '-var-file=vars.json', template], {
        cwd: dir,
        reject: false,
        env,
        extendEnv: false,
      });
      expect([validate.exitCode, `${validate.stdout}${validate.stderr}`.trim()]).toEqual([0, '']);
      const console = await execa('packer', ['console', '-var-file=vars.json', template], {
        cwd: dir,
        reject: false,
        env,
        extendEnv: false,
        input: `var.tags["${TAG.project}"]\nvar.run_tags["${TAG.project}"]\n`,
      });
      expect(console.stdout.trim().split('\n')).toEqual(['acme/cortex.images_2-x', 'acme/cortex.images_2-x']);
    },
  );
});
