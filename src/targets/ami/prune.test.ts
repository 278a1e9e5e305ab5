import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAmiTfvars } from '../../terraform/tfvars.js';
import { amiUsageApi, ec2Api, type AmiImage } from './ec2.js';
import { amiPrune, describePrunePlan, executePrune, imageOfAmiName, listToolAmis, planPrune } from './prune.js';
import { TAG } from './tags.js';
import type { ProjectIdentity } from '../project.js';
import { amiInRegions, fakeAccount, type FakeAccount, type FakeAmi } from '../../../tests/helpers/ami/fake-account.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

const REGIONS = ['eu-central-1', 'us-east-1'];
const PROJECT: ProjectIdentity = { id: 'acme/images', from: 'config', source: 'project: in images.yaml:2' };
const PROJECT_LINE = `project acme/images (from project: in images.yaml:2): only AMIs tagged ${TAG.project}=acme/images are removed`;

/** One logical AMI (same name in both regions); IDs are <n>1 in eu-central-1 and <n>2 in us-east-1. */
function built(n: number, image: string, day: number, parent?: number, state = 'available'): Array<[string, FakeAmi]> {
  return REGIONS.map((region, r) => [
    region,
    {
      id: `ami-${String(n).padStart(7, '0')}${r + 1}`,
      name: `${image}-f${n}`,
      state,
      created: `2026-11-${String(day).padStart(2, '0')}T10:00:0${r}.000Z`,
      snapshots: [`snap-${n}${r + 1}`],
      tags: {
        [TAG.project]: PROJECT.id,
        [TAG.image]: image,
        [TAG.fingerprint]: `f${n}`,
        ...(parent === undefined ? {} : { [TAG.parent]: `ami-${String(parent).padStart(7, '0')}1`, [TAG.parentName]: `base-f${parent}` }),
      },
    },
  ]);
}

const ACCOUNT: Array<[string, FakeAmi]> = [
  ...built(1, 'base', 1),
  ...built(2, 'base', 2),
  ...built(3, 'base', 3),
  ...built(11, 'consul', 1, 1), // referenced by the tfvars: keeps base-f1 as its parent
  ...built(12, 'consul', 2, 2),
  ...built(13, 'consul', 3, 3),
  ...built(14, 'consul', 4, 3, 'failed'),
  ...built(15, 'consul', 5, 3, 'pending'),
  ['eu-central-1', { id: 'ami-0000999', name: 'hand-made', created: '2020-01-01T00:00:00.000Z', snapshots: ['snap-999'] }],
];

const TFVARS = JSON.stringify({
  amis: {
    base: { 'eu-central-1': 'ami-00000031', 'us-east-1': 'ami-00000032' },
    consul: { 'eu-central-1': 'ami-00000111', 'us-east-1': 'ami-00000112' },
  },
});

describe('prune', () => {
  it('keeps the newest, the referenced and the parents of kept AMIs; removes the rest in every region', async () => {
    const account = fakeAccount(mock);
    for (const [region, ami] of ACCOUNT) account.add(region, ami);
    const ec2 = ec2Api();
    const images = await listToolAmis(ec2, REGIONS);
    expect(images.some((i) => i.name === 'hand-made')).toBe(false);

    const tfvars = parseAmiTfvars(TFVARS);
    if (!tfvars.ok) throw new Error(tfvars.error);
    const referenced = new Set(Object.values(tfvars.value).flatMap((byRegion) => Object.values(byRegion)));
    const plan = planPrune({ images, project: PROJECT.id, keep: 1, referenced });
    expect(describePrunePlan(plan)).toEqual([
      'keep    base-f3 (newest #1; in the tfvars file; parent of consul-f13; parent of consul-f15): eu-central-1 ami-00000031, us-east-1 ami-00000032',
      'keep    base-f1 (parent of consul-f11): eu-central-1 ami-00000011, us-east-1 ami-00000012',
      'keep    consul-f15 (still being made): eu-central-1 ami-00000151, us-east-1 ami-00000152',
      'keep    consul-f13 (newest #1): eu-central-1 ami-00000131, us-east-1 ami-00000132',
      'keep    consul-f11 (in the tfvars file): eu-central-1 ami-00000111, us-east-1 ami-00000112',
      'remove  base-f2: eu-central-1 ami-00000021, us-east-1 ami-00000022',
      'remove  consul-f14: eu-central-1 ami-00000141, us-east-1 ami-00000142',
      'remove  consul-f12: eu-central-1 ami-00000121, us-east-1 ami-00000122',
    ]);

    const outcome = await executePrune(ec2, plan);
    expect(outcome.failed).toEqual([]);
    expect(account.deregistered).toEqual([
      'eu-central-1:ami-00000021',
      'us-east-1:ami-00000022',
      'eu-central-1:ami-00000141',
      'us-east-1:ami-00000142',
      'eu-central-1:ami-00000121',
      'us-east-1:ami-00000122',
    ]);
    expect(account.deletedSnapshots).toEqual([
      'eu-central-1:snap-21',
      'us-east-1:snap-22',
      'eu-central-1:snap-141',
      'us-east-1:snap-142',
      'eu-central-1:snap-121',
      'us-east-1:snap-122',
    ]);
    expect(account.ami('eu-central-1', 'ami-0000999')?.state).toBeUndefined();
  });

  it('ancestors are kept transitively, also when only the parent ID was recorded', () => {
    const image = (id: string, name: string, created: string, tags: Record<string, string>): AmiImage => ({
      id,
      region: 'eu-central-1',
      name,
      state: 'available',
      stateReason: undefined,
      creationDate: created,
      // Every AMI Packer finished carries the fingerprint tag (tags.ts); one without it is unfinished.
      tags: { [TAG.project]: PROJECT.id, [TAG.image]: name.split('-')[0]!, [TAG.fingerprint]: `fp-${name}`, ...tags },
      snapshotIds: [],
    });
    const images = [
      image('ami-00000001', 'base-old', '2026-01-01', {}),
      image('ami-00000002', 'base-new', '2026-02-01', {}),
      image('ami-00000003', 'mid-old', '2026-01-02', { [TAG.parent]: 'ami-00000001' }),
      image('ami-00000004', 'mid-new', '2026-02-02', { [TAG.parent]: 'ami-00000002' }),
      image('ami-00000005', 'leaf-old', '2026-01-03', { [TAG.parentName]: 'mid-old' }),
      image('ami-00000006', 'leaf-new', '2026-02-03', { [TAG.parentName]: 'mid-new' }),
    ];
    const plan = planPrune({ images, project: PROJECT.id, keep: 1, referenced: new Set(['ami-00000005']) });
    expect(plan.remove).toEqual([]);
    expect(plan.keep.find((k) => k.ami.name === 'base-old')?.why).toEqual([{ kind: 'parent', of: 'mid-old' }]);
    const noneReferenced = planPrune({ images, project: PROJECT.id, keep: 1, referenced: new Set() });
    expect(noneReferenced.remove.map((a) => a.name)).toEqual(['base-old', 'leaf-old', 'mid-old']);
  });

  it('refuses a keep below 1 (the config schema already does)', () => {
    expect(() => planPrune({ images: [], project: PROJECT.id, keep: 0, referenced: new Set() })).toThrow(/keep must be/);
  });

  it('a failed deregistration is reported and the rest goes on', async () => {
    const account = fakeAccount(mock);
    for (const [region, ami] of built(2, 'base', 2)) account.add(region, ami);
    const ec2 = ec2Api();
    const plan = planPrune({ images: await listToolAmis(ec2, REGIONS), project: PROJECT.id, keep: 1, referenced: new Set() });
    // A plan made earlier: meanwhile someone deregistered the eu-central-1 AMI by hand.
    account.ami('eu-central-1', 'ami-00000021')!.state = 'gone';
    const stale = { ...plan, keep: [], remove: plan.keep.map((k) => k.ami) };
    const outcome = await executePrune(ec2, stale);
    expect(outcome.removed.map((a) => a.id)).toEqual(['ami-00000022']);
    expect(outcome.failed.map((f) => f.message)).toEqual([
      "EC2 DeregisterImage in eu-central-1 failed: InvalidAMIID.NotFound: The image id '[ami-00000021]' does not exist",
    ]);
  });
});

const FP = (c: string): string => c.repeat(64);
const NEW_NAME = (image: string, c: string, stamp: string): string => `${image}-${c.repeat(24)}-${stamp}`;
const NOW = new Date('2026-11-30T12:00:00.000Z');

/** A finished AMI as Packer leaves it after StepCreateTags: our image and fingerprint tags in every region. */
function finished(n: number, image: string, name: string, day: number): Array<[string, FakeAmi]> {
  return amiInRegions(REGIONS, n, name, day, {
    [TAG.project]: PROJECT.id,
    [TAG.image]: image,
    [TAG.fingerprint]: name.slice(image.length + 1),
  });
}

describe('prune: what a failed or interrupted copy left (issue 14, finding 6)', () => {
  it('finds untagged AMIs named <image>-<fingerprint> (old and new names) in the build and copy regions, removes the settled ones and keeps the pending', async () => {
    const account = fakeAccount(mock);
    for (const [region, ami] of finished(1, 'base', `base-${FP('a')}`, 1)) account.add(region, ami);
    // Packer 1.6.6, encrypt_boot: the build region's AMI is a copy too; us-east-1's copy failed, so Packer stopped
    // before StepCreateTags and its Cleanup deregistered only the intermediary (step_ami_region_copy.go `toDelete`).
    account.add('eu-central-1', {
      id: 'ami-00000201',
      name: `consul-${FP('b')}`,
      created: '2026-11-02T10:00:00.000Z',
      snapshots: ['snap-201'],
    });
    account.add('us-east-1', {
      id: 'ami-00000202',
      name: `consul-${FP('b')}`,
      state: 'failed',
      created: '2026-11-02T10:00:01.000Z',
      snapshots: [],
    });
    // Interrupted (Ctrl-C) with amisrc's fresh names: EC2 goes on copying; perhaps a build still running elsewhere.
    account.add('us-east-1', {
      id: 'ami-00000302',
      name: NEW_NAME('consul', 'c', '20261130113000'),
      state: 'pending',
      created: '2026-11-30T11:30:00.000Z',
    });
    // packer-plugin-amazon >= 1.3: CreateImage carried run_tags and CopyImage copied them (CopyImageTags): our image
    // tag, no fingerprint. Newer than base's finished AMI, yet it must not push that one out of "newest".
    account.add('eu-central-1', {
      id: 'ami-00000401',
      name: NEW_NAME('base', 'd', '20261103100000'),
      created: '2026-11-03T10:00:00.000Z',
      snapshots: ['snap-401'],
      tags: { [TAG.image]: 'base', [TAG.version]: '0.1.0', Name: 'build-images: building base' },
    });
    // Not ours: another image's name, a hand-made name, another account's AMI with our name.
    account.add('eu-central-1', { id: 'ami-00000501', name: `consul-agent-${FP('e')}`, snapshots: ['snap-501'] });
    account.add('eu-central-1', { id: 'ami-00000502', name: 'consul-golden', snapshots: ['snap-502'] });
    account.add('eu-central-1', { id: 'ami-00000503', name: `base-${FP('f')}`, foreign: true });

    const plan = await amiPrune({
      ec2: ec2Api(),
      usage: amiUsageApi(),
      project: PROJECT,
      regions: REGIONS,
      imageNames: new Set(['base', 'consul']),
      keep: 1,
      referenced: new Set(),
      options: { usedWithin: { text: '30d', ms: 30 * 86_400_000 }, now: NOW },
    });
    const unfinished = (what: string): string =>
      `unfinished: ${what}, so Packer stopped before tagging it (a failed or interrupted build or copy)`;
    expect(plan.problem).toBeUndefined();
    expect(plan.lines).toEqual([
      PROJECT_LINE,
      `keep    base-${FP('a')} (newest #1): eu-central-1 ami-00000011, us-east-1 ami-00000012`,
      // Without a project tag and half an hour old: perhaps another project's build copying right now.
      `skip    ${NEW_NAME('consul', 'c', '20261130113000')} (whose is unknown: unfinished and without a ${TAG.project} tag, made 0 h ago: perhaps a build still running, here or in another project; removed once 24 h old): us-east-1 ami-00000302 pending`,
      `remove  ${NEW_NAME('base', 'd', '20261103100000')} (${unfinished(`no ${TAG.fingerprint} tag in eu-central-1`)}): eu-central-1 ami-00000401 available`,
      `remove  consul-${FP('b')} (${unfinished('no build-images tags in eu-central-1, no build-images tags in us-east-1')}): eu-central-1 ami-00000201 available, us-east-1 ami-00000202 failed`,
    ]);
    expect(plan.removeCount).toBe(2);
    const removed: string[] = [];
    expect(await plan.apply((l) => removed.push(l))).toEqual({ failed: [] });
    expect(account.deregistered).toEqual(['eu-central-1:ami-00000401', 'eu-central-1:ami-00000201', 'us-east-1:ami-00000202']);
    expect(account.deletedSnapshots).toEqual(['eu-central-1:snap-401', 'eu-central-1:snap-201']);
    // Launches asked about only for AMIs that would go and could have launched anything (not the failed copy).
    expect(account.usage.attributeCalls).toEqual(['eu-central-1:ami-00000401', 'eu-central-1:ami-00000201']);
    // Asked by name prefix, owner self, in both regions (one call each besides the tag search).
    const byName = account.describeCalls.filter((c) => c.input.Filters?.[0]?.Name === 'name');
    expect(byName.map((c) => [c.region, c.input.Owners, c.input.Filters?.[0]?.Values])).toEqual([
      ['eu-central-1', ['self'], ['base-*', 'consul-*']],
      ['us-east-1', ['self'], ['base-*', 'consul-*']],
    ]);
  });

  it('the name patterns: the old 64-hex fingerprint and the new 24-hex prefix with a UTC stamp, nothing else', () => {
    const names = new Set(['consul', 'consul-agent']);
    expect(imageOfAmiName(`consul-${FP('0')}`, names)).toBe('consul');
    expect(imageOfAmiName(`consul-agent-${FP('0')}`, names)).toBe('consul-agent');
    expect(imageOfAmiName(`consul-${'0'.repeat(24)}-20261130235959`, names)).toBe('consul');
    expect(imageOfAmiName(`consul-${'0'.repeat(63)}`, names)).toBeUndefined();
    expect(imageOfAmiName(`consul-${FP('A')}`, names)).toBeUndefined();
    expect(imageOfAmiName(`consul-${'0'.repeat(24)}-2026113023595`, names)).toBeUndefined();
    expect(imageOfAmiName(`nginx-${FP('0')}`, names)).toBeUndefined();
    expect(imageOfAmiName('consul-latest', names)).toBeUndefined();
  });
});

describe('prune: what else uses an AMI (issue 14, finding 7)', () => {
  const seed = (account: FakeAccount): void => {
    for (const [region, ami] of [
      ...finished(1, 'base', `base-${FP('1')}`, 1),
      ...finished(2, 'base', `base-${FP('2')}`, 2),
      ...finished(3, 'base', `base-${FP('3')}`, 3),
      ...finished(4, 'base', `base-${FP('4')}`, 4),
      ...finished(5, 'base', `base-${FP('5')}`, 5),
    ])
      account.add(region, ami);
  };
  const prune = (options = { usedWithin: { text: '30d', ms: 30 * 86_400_000 }, now: NOW }) =>
    amiPrune({
      ec2: ec2Api(),
      usage: amiUsageApi(),
      project: PROJECT,
      regions: REGIONS,
      imageNames: new Set(['base']),
      keep: 1,
      referenced: new Set(),
      options,
    });

  it('keeps AMIs any version of any launch template names, an SSM parameter resolved, in every region, every page', async () => {
    const account = fakeAccount(mock, { pageSize: 1 });
    seed(account);
    account.usage.ssm.set('/web/ami', 'ami-00000022');
    account.usage.addLaunchTemplate('eu-central-1', { id: 'lt-0000000000000aaaa', name: 'empty', versions: [{}] });
    account.usage.addLaunchTemplate('eu-central-1', {
      id: 'lt-0000000000000bbbb',
      name: 'web',
      versions: [{ imageId: 'ami-00000011' }, { imageId: 'ami-0ffffffffffffffff', isDefault: true }],
    });
    account.usage.addLaunchTemplate('us-east-1', {
      id: 'lt-0000000000000cccc',
      name: 'web-ssm',
      versions: [{ imageId: 'resolve:ssm:/web/ami' }],
    });
    const plan = await prune();
    expect(plan.lines).toEqual([
      PROJECT_LINE,
      `keep    base-${FP('5')} (newest #1): eu-central-1 ami-00000051, us-east-1 ami-00000052`,
      `keep    base-${FP('2')} (launch template web-ssm (lt-0000000000000cccc) version 1 in us-east-1): eu-central-1 ami-00000021, us-east-1 ami-00000022`,
      `keep    base-${FP('1')} (launch template web (lt-0000000000000bbbb) version 1 in eu-central-1): eu-central-1 ami-00000011, us-east-1 ami-00000012`,
      `remove  base-${FP('4')}: eu-central-1 ami-00000041, us-east-1 ami-00000042`,
      `remove  base-${FP('3')}: eu-central-1 ami-00000031, us-east-1 ami-00000032`,
    ]);
  });

  it('keeps AMIs that launched an instance within --launched-within, asking only about those that would go', async () => {
    const account = fakeAccount(mock);
    seed(account);
    account.usage.lastLaunched.set('us-east-1:ami-00000042', '2026-11-28T08:15:00.000Z'); // two days ago
    account.usage.lastLaunched.set('eu-central-1:ami-00000031', '2026-10-01T00:00:00.000Z'); // two months ago
    const plan = await prune();
    expect(plan.lines).toEqual([
      PROJECT_LINE,
      `keep    base-${FP('5')} (newest #1): eu-central-1 ami-00000051, us-east-1 ami-00000052`,
      `keep    base-${FP('4')} (launched an instance 2026-11-28T08:15:00.000Z in us-east-1, within 30d): eu-central-1 ami-00000041, us-east-1 ami-00000042`,
      `remove  base-${FP('3')}: eu-central-1 ami-00000031, us-east-1 ami-00000032`,
      `remove  base-${FP('2')}: eu-central-1 ami-00000021, us-east-1 ami-00000022`,
      `remove  base-${FP('1')}: eu-central-1 ami-00000011, us-east-1 ami-00000012`,
    ]);
    expect(account.usage.attributeCalls).not.toContain('eu-central-1:ami-00000051');
    expect(account.usage.attributeCalls).toHaveLength(8);
    const shorter = await prune({ usedWithin: { text: '1d', ms: 86_400_000 }, now: NOW });
    expect(shorter.removeCount).toBe(4);
  });

  it('a launch template lookup EC2 refuses removes nothing and says which permissions prune needs', async () => {
    const account = fakeAccount(mock);
    seed(account);
    account.usage.refuse.set('us-east-1', 'UnauthorizedOperation');
    const plan = await prune();
    expect(plan.removeCount).toBe(0);
    expect(plan.problem).toMatch(
      /^EC2 DescribeLaunchTemplates in us-east-1 failed: UnauthorizedOperation: .*ec2:DescribeLaunchTemplates.*nothing was removed$/,
    );
    expect(await plan.apply(() => undefined)).toEqual({ failed: [] });
    expect(account.deregistered).toEqual([]);
  });
});
