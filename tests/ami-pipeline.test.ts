/**
 * `--target ami` end to end without AWS: the real engine, the real Packer runner driving the stand-in
 * `packer` (replaying amazon-ebs machine-readable output), and the real EC2Client answering from an
 * in-memory account through aws-sdk-client-mock.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { amiTarget as buildableAmiTarget } from '../src/config/normalise.js';
import type { Config } from '../src/config/types.js';
import { runBuild, type BuildOutcome } from '../src/engine/build.js';
import type { BuildEvent } from '../src/engine/events.js';
import { ec2Api } from '../src/targets/ami/ec2.js';
import { amiDefinition } from '../src/targets/ami/definition.js';
import { fakeAccount as emptyAccount, ubuntuAmi, type FakeAccount } from './helpers/ami/fake-account.js';
import { fakePackerRunner, finishCopiesOnSecondLook } from './helpers/ami/fake-packer-runner.js';
import { removeTempDirs, tempDir } from './helpers/temp-dir.js';
import { FAKE_PACKER, fakeAmiId, scenarios } from './helpers/fake-packer.js';
import { runPruneCommand } from '../src/commands/prune.js';
import { runPlanCommand } from '../src/commands/plan.js';
import { buildResultJson } from '../src/commands/build-result.js';
import { schemaErrors } from './helpers/json-schema.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(async () => {
  mock.restore();
  await removeTempDirs();
});

const IMAGES = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];
const CONFIG = `version: 1
targets:
  ami: { region: eu-central-1, copy_to: [us-east-1] }
images:
  base: { provisioners: [node-exporter, consul] }
  consul: { parent: base, provisioners: [consul-server] }
  cortex: { parent: base, provisioners: [cortex] }
  nginx: { parent: base, provisioners: [nginx] }
  monitoring: { parent: base, provisioners: [prometheus] }
`;
const SCRIPTS = Object.fromEntries(
  ['node-exporter', 'consul', 'consul-server', 'cortex', 'nginx', 'prometheus'].map((s) => [
    `provisioners/${s}.sh`,
    `#!/bin/sh\necho ${s}\n`,
  ]),
);

/** The Ubuntu AMI the default source_ami_filter finds in the build region: every root is built from it. */
const SOURCE = 'ami-0000000000000a001';
/** An account where Canonical has published one Ubuntu 22.04 AMI in the build region. */
const fakeAccount = (mock: Parameters<typeof emptyAccount>[0]): FakeAccount => {
  const account = emptyAccount(mock);
  account.add('eu-central-1', ubuntuAmi(SOURCE, '2026-11-01T10:00:00.000Z'));
  return account;
};

async function project(): Promise<{ root: string; config: Config }> {
  const root = await tempDir({ 'images.yaml': CONFIG, ...SCRIPTS });
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return { root, config: loaded.value };
}

async function build(config: Config, account: FakeAccount, env: Record<string, string> = {}, abortWhen?: (line: string) => boolean) {
  const settings = buildableAmiTarget(config);
  if (!settings.ok) throw new Error('no ami target');
  const controller = new AbortController();
  const events: BuildEvent[] = [];
  const outcome: BuildOutcome = await runBuild({
    config,
    packer: fakePackerRunner(
      account,
      settings.value,
      { FAKE_PACKER_NO_WRAPPER: '1', FAKE_PACKER_DELAY_MS: '25', ...env },
      { executable: FAKE_PACKER, amiId: fakeAmiId },
    ),
    target: amiDefinition({
      ec2: () => ec2Api(),
      target: { builderCidr: async () => ({ ok: true, value: '203.0.113.7/32' }), pollMs: 1 },
    }).open(config),
    signal: controller.signal,
    concurrency: 4,
    emit: (event) => {
      events.push(event);
      if (event.type === 'log' && abortWhen?.(event.line)) controller.abort();
    },
  });
  return { outcome, events };
}

const readJson = async (path: string): Promise<any> => JSON.parse(await readFile(path, 'utf8'));
const statuses = (manifest: { images: Record<string, { status: string }> }) =>
  Object.fromEntries(Object.entries(manifest.images).map(([k, v]) => [k, v.status]));

describe('--target ami pipeline (stand-in packer, mocked EC2)', () => {
  it('builds the tree, writes the per-region tfvars exactly, and reuses every AMI on the next run', async () => {
    const { root, config } = await project();
    const account = fakeAccount(mock);
    finishCopiesOnSecondLook(account);
    const { outcome } = await build(config, account);
    expect(outcome.status).toBe('succeeded');
    expect(schemaErrors('build-result.schema.json', buildResultJson('ami', outcome))).toBe('');
    const manifest = await readJson(join(root, '.build-images/ami/manifest.json'));
    expect(manifest.target).toBe('ami');
    expect(statuses(manifest)).toEqual(Object.fromEntries(IMAGES.map((i) => [i, 'built'])));
    const expected = Object.fromEntries(
      IMAGES.map((image) => {
        const fp = manifest.images[image].fingerprint as string;
        return [image, { 'eu-central-1': fakeAmiId(image, 'eu-central-1', fp), 'us-east-1': fakeAmiId(image, 'us-east-1', fp) }];
      }),
    );
    const tfvarsText = await readFile(join(root, 'terraform/aws/images.auto.tfvars.json'), 'utf8');
    expect(JSON.parse(tfvarsText)).toEqual({ amis: expected });
    // Children were built from base's AMI in the build region.
    expect(manifest.images.consul.source).toBe(expected.base!['eu-central-1']);
    expect(manifest.images.base.regions).toEqual(expected.base);

    const again = await build(config, account);
    expect(again.outcome.status).toBe('succeeded');
    expect(statuses(await readJson(join(root, '.build-images/ami/manifest.json')))).toEqual(
      Object.fromEntries(IMAGES.map((i) => [i, 'reused'])),
    );
    expect(await readFile(join(root, 'terraform/aws/images.auto.tfvars.json'), 'utf8')).toBe(tfvarsText);
    expect(manifest.images.base.source).toBe(SOURCE);

    // Canonical publishes a new Ubuntu AMI: plan rebuilds the whole tree, and says why.
    account.add('eu-central-1', ubuntuAmi('ami-0000000000000a002', '2026-11-29T10:00:00.000Z'));
    const planned: string[] = [];
    const code = await runPlanCommand(
      config,
      {
        packer: fakePackerRunner(
          account,
          { region: 'eu-central-1', copyTo: ['us-east-1'] },
          {},
          { executable: FAKE_PACKER, amiId: fakeAmiId },
        ),
        target: amiDefinition({ ec2: () => ec2Api(), target: { builderCidr: async () => ({ ok: true, value: '203.0.113.7/32' }) } }).open(
          config,
        ),
      },
      { detailedExitcode: true },
      (text) => planned.push(text),
    );
    expect(code).toBe(2);
    const rows = planned.join('').split('\n');
    expect(rows.find((l) => /^0\s+base\s/.test(l))).toMatch(
      /^0\s+base\s+build\s+ami-0000000000000a002\s+source AMI changed \(ami-0000000000000a001 → ami-0000000000000a002\)$/,
    );
    for (const image of IMAGES.slice(1))
      expect(rows.find((l) => new RegExp(`^1\\s+${image}\\s`).test(l))).toMatch(/build\s+base\s+parent base rebuilt$/);
  });

  it('a failing image: the others finish, no tfvars are written, the manifest says what happened', async () => {
    const { root, config } = await project();
    await mkdir(join(root, 'terraform/aws'), { recursive: true });
    await writeFile(join(root, 'terraform/aws/images.auto.tfvars.json'), '{"amis": {}}\n');
    const account = fakeAccount(mock);
    finishCopiesOnSecondLook(account);
    const { outcome } = await build(config, account, { FAKE_PACKER_SCENARIOS: scenarios({ cortex: 'fail' }) });
    expect(outcome.status).toBe('failed');
    const result = buildResultJson('ami', outcome);
    expect(schemaErrors('build-result.schema.json', result)).toBe('');
    expect(result.images.find((i) => i.image === 'cortex')).toMatchObject({
      status: 'failed',
      id: null,
      regions: null,
      log: '.build-images/logs/ami/cortex.log',
    });
    const manifest = await readJson(join(root, '.build-images/ami/manifest.json'));
    expect(statuses(manifest)).toEqual({ base: 'built', consul: 'built', cortex: 'failed', nginx: 'built', monitoring: 'built' });
    expect(manifest.images.cortex.error).toBe('Script exited with non-zero exit status: 3.Allowed exit codes are: [0]');
    expect(manifest.images.cortex.log).toBe('.build-images/logs/ami/cortex.log');
    expect(await readFile(join(root, 'terraform/aws/images.auto.tfvars.json'), 'utf8')).toBe('{"amis": {}}\n');
  });

  it('interrupted: Packer cleans up, the children are skipped, neither tfvars nor manifest written', async () => {
    const { root, config } = await project();
    const account = fakeAccount(mock);
    const { outcome, events } = await build(config, account, { FAKE_PACKER_SCENARIOS: scenarios({ base: 'interrupt' }) }, (line) =>
      line.includes('waiting (until interrupted)'),
    );
    expect(outcome.status).toBe('interrupted');
    expect(events.some((e) => e.type === 'log' && e.line === '==> amazon-ebs.base: Deleting temporary keypair...')).toBe(true);
    // The run's record is its outcome (build --json); nothing is written, neither tfvars nor manifest (issue 13 #15).
    expect(statuses({ images: outcome.status === 'interrupted' ? outcome.images : {} })).toEqual({
      base: 'failed',
      consul: 'skipped',
      cortex: 'skipped',
      nginx: 'skipped',
      monitoring: 'skipped',
    });
    await expect(readFile(join(root, '.build-images/ami/manifest.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(root, 'terraform/aws/images.auto.tfvars.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('prune --target ami keeps the newest and what the tfvars reference, deregisters the rest with their snapshots', async () => {
    const { root, config } = await project();
    const account = fakeAccount(mock);
    finishCopiesOnSecondLook(account);
    const built = await build(config, account);
    expect(built.outcome.status, JSON.stringify(built.events.filter((e) => e.type === 'failed'))).toBe('succeeded');
    const first = await readJson(join(root, 'terraform/aws/images.auto.tfvars.json'));
    // A changed leaf script: a second cortex AMI; the tfvars now point at it.
    await writeFile(join(root, 'provisioners/cortex.sh'), '#!/bin/sh\necho cortex v2\n');
    const reloaded = await loadConfig(['images.yaml'], { cwd: root });
    if (!reloaded.ok) throw new Error('config');
    const rebuilt = await build(reloaded.value, account);
    expect(rebuilt.outcome.status, JSON.stringify(rebuilt.events.filter((e) => e.type === 'failed'))).toBe('succeeded');
    const second = await readJson(join(root, 'terraform/aws/images.auto.tfvars.json'));
    expect(second.amis.cortex['eu-central-1']).not.toBe(first.amis.cortex['eu-central-1']);

    const lines: string[] = [];
    const prune = (dryRun: boolean) =>
      runPruneCommand(reloaded.value, {
        target: amiDefinition({ ec2: () => ec2Api() }).open(reloaded.value),
        keep: 1,
        dryRun,
        write: (l) => lines.push(l),
      });
    expect(await prune(true)).toBe(0);
    expect(lines.filter((l) => l.startsWith('remove'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^remove  cortex-[0-9a-f]{24}-[0-9]{14}: eu-central-1 ${first.amis.cortex['eu-central-1']}, us-east-1 ${first.amis.cortex['us-east-1']}$`,
        ),
      ),
    ]);
    expect(lines.at(-1)).toBe('1 would be removed (--dry-run: nothing was removed).');
    expect(account.amis('eu-central-1').some((a) => a.id === first.amis.cortex['eu-central-1'])).toBe(true);

    lines.length = 0;
    expect(await prune(false)).toBe(0);
    expect(lines.filter((l) => l.startsWith('removed'))).toEqual([
      `removed eu-central-1 ${first.amis.cortex['eu-central-1']} and its snapshots`,
      `removed us-east-1 ${first.amis.cortex['us-east-1']} and its snapshots`,
    ]);
    const left = account
      .amis('eu-central-1')
      .filter((a) => a.state !== 'gone')
      .map((a) => a.id);
    expect(left).not.toContain(first.amis.cortex['eu-central-1']);
    for (const image of IMAGES) expect(left).toContain(second.amis[image]['eu-central-1']);
  });
});
