import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAmiTfvars } from '../../terraform/tfvars.js';
import { ec2Api, type AmiImage } from './ec2.js';
import { describePrunePlan, executePrune, listToolAmis, planPrune } from './prune.js';
import { TAG } from './tags.js';
import { fakeAccount, type FakeAmi } from '../../../tests/helpers/ami/fake-account.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

const REGIONS = ['eu-central-1', 'us-east-1'];

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
    const plan = planPrune({ images, keep: 1, referenced });
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
      tags: { [TAG.image]: name.split('-')[0]!, [TAG.fingerprint]: `fp-${name}`, ...tags },
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
    const plan = planPrune({ images, keep: 1, referenced: new Set(['ami-00000005']) });
    expect(plan.remove).toEqual([]);
    expect(plan.keep.find((k) => k.ami.name === 'base-old')?.why).toEqual([{ kind: 'parent', of: 'mid-old' }]);
    const noneReferenced = planPrune({ images, keep: 1, referenced: new Set() });
    expect(noneReferenced.remove.map((a) => a.name)).toEqual(['base-old', 'leaf-old', 'mid-old']);
  });

  it('refuses a keep below 1 (the config schema already does)', () => {
    expect(() => planPrune({ images: [], keep: 0, referenced: new Set() })).toThrow(/keep must be/);
  });

  it('a failed deregistration is reported and the rest goes on', async () => {
    const account = fakeAccount(mock);
    for (const [region, ami] of built(2, 'base', 2)) account.add(region, ami);
    const ec2 = ec2Api();
    const plan = planPrune({ images: await listToolAmis(ec2, REGIONS), keep: 1, referenced: new Set() });
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
