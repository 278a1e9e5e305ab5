/**
 * One AMI build end to end, without AWS: the real Packer runner drives the stand-in `packer`
 * (tests/fixtures/fake-packer), and the real EC2Client answers from an in-memory account.
 */
import { amiTarget } from '../../../tests/helpers/ami/target.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_PACKER, fakeAmiId, scenarios } from '../../../tests/helpers/fake-packer.js';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir.js';
import type { BuildableAmiTarget } from '../../config/types.js';
import { amiTemplatePath, renderAmiTemplate } from '../../packer/render-ami.js';
import { AMI_CLEANUP_GRACE_MS, amiLogFile, buildAmiImage, type AmiBuildContext } from './build-image.js';
import type { Packer } from '../../packer/run.js';
import { err } from '../../result.js';
import { ec2Api } from './ec2.js';
import { TAG } from './tags.js';
import { fakeAccount } from '../../../tests/helpers/ami/fake-account.js';
import { fakePackerRunner, finishCopiesOnSecondLook } from '../../../tests/helpers/ami/fake-packer-runner.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterAll(async () => {
  mock.restore();
  await removeTempDirs();
});

const TARGET = amiTarget({ copyTo: ['us-east-1'], tags: { team: 'observability' } });

/** Fingerprints as the engine makes them (sha256 hex); AMI names take their first 24 digits. */
const F1 = 'f1'.repeat(32);
const F2 = 'f2'.repeat(32);
const NOW = new Date('2026-11-30T17:04:12.345Z');
/** The name a build started at NOW gets: image, 24 hex of the fingerprint, the UTC time to the second. */
const NAME = `base-${F1.slice(0, 24)}-20261130170412`;
/** The source AMI preflight resolved for the roots. */
const SOURCE = 'ami-0aaaabbbbccccdddd';
const ROOT = { image: 'base', variables: {}, fingerprint: F1, parent: undefined, sourceAmi: SOURCE } as const;

async function setup(env: Record<string, string> = {}) {
  const account = fakeAccount(mock);
  finishCopiesOnSecondLook(account);
  const root = await tempDir({ 'provisioners/consul.sh': '#!/bin/sh\n', 'provisioners/consul-server.sh': '#!/bin/sh\n' });
  await mkdir(join(root, 'packer/ami'), { recursive: true });
  const v166 = { major: 1, minor: 6, patch: 6 };
  await writeFile(
    join(root, amiTemplatePath('base')),
    renderAmiTemplate({ image: 'base', root: true, provisioners: ['consul'], uploadLib: false, packer: v166 }),
  );
  await writeFile(
    join(root, amiTemplatePath('consul')),
    renderAmiTemplate({ image: 'consul', root: false, provisioners: ['consul-server'], uploadLib: false, packer: v166 }),
  );
  const log = join(root, 'packer-invocations.jsonl');
  const lines: string[] = [];
  const ctx: AmiBuildContext = {
    root,
    target: TARGET,
    packer: fakePackerRunner(
      account,
      TARGET,
      { FAKE_PACKER_LOG: log, FAKE_PACKER_DELAY_MS: '25', ...env },
      { executable: FAKE_PACKER, amiId: fakeAmiId },
    ),
    ec2: ec2Api(),
    signal: new AbortController().signal,
    onLine: (line) => lines.push(line),
    toolVersion: '0.1.0',
    project: 'acme/images',
    gitCommit: '0123456789abcdef0123456789abcdef01234567',
    sshSourceCidrs: ['203.0.113.7/32'],
    requireImdsV2ViaApi: true,
    pollMs: 1,
    now: () => NOW,
  };
  const invocations = async () =>
    existsSync(log)
      ? (await readFile(log, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { vars: Record<string, unknown> })
      : [];
  return { account, root, ctx, lines, invocations };
}

describe('buildAmiImage', () => {
  it('builds a root from the resolved source AMI, waits for the copy and confirms both AMIs; the env file does not outlive the build', async () => {
    const { account, root, ctx, lines, invocations } = await setup();
    const built = await buildAmiImage({ ...ROOT, variables: { GREETING: "it's" } }, ctx);
    expect(built.ok && Object.fromEntries(Object.entries(built.value.amis).map(([r, a]) => [r, `${a.id} ${a.state}`]))).toEqual({
      'eu-central-1': `${fakeAmiId('base', 'eu-central-1', F1)} available`,
      'us-east-1': `${fakeAmiId('base', 'us-east-1', F1)} available`,
    });
    expect(built.ok && built.value.name).toBe(NAME);
    const [invocation] = await invocations();
    expect(invocation?.vars).toMatchObject({
      region: 'eu-central-1',
      ami_regions: ['us-east-1'],
      ami_name: NAME,
      source_ami: SOURCE,
      temporary_security_group_source_cidrs: ['203.0.113.7/32'],
      tags: { Name: NAME, team: 'observability', [TAG.image]: 'base', [TAG.fingerprint]: F1 },
    });
    expect(invocation?.vars).not.toHaveProperty('source_ami_filters');
    expect(existsSync(join(root, '.build-images/ami/env/base.env'))).toBe(false);
    expect(await readFile(amiLogFile(root, 'base'), 'utf8')).toContain('==> amazon-ebs.base: Waiting for AMI to become ready...');
    expect(lines).toContain(`==> amazon-ebs.base: Prevalidating AMI Name: ${NAME}`);
    expect(lines).toContain(`    amazon-ebs.base: Found Image ID: ${SOURCE}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(account.imdsRequired).toEqual([expect.stringMatching(/^eu-central-1:i-[0-9a-f]{17}:required$/)]);
  });

  it('a forced rebuild (same fingerprint) gets a new name, so the AMIs it replaces do not stop it (finding 2)', async () => {
    const { account, ctx, invocations } = await setup();
    const earlier = { [TAG.image]: 'base', [TAG.fingerprint]: F1 };
    for (const region of ['eu-central-1', 'us-east-1']) {
      const r = region === 'us-east-1' ? 'e' : 'c';
      account.add(
        region,
        // As builds before this change named it (<image>-<fingerprint>), and as a build one minute earlier names it.
        { id: `ami-0${r}111111111111111`, name: `base-${F1}`, tags: earlier },
        { id: `ami-0${r}222222222222222`, name: `base-${F1.slice(0, 24)}-20261130170312`, tags: earlier },
      );
    }
    const built = await buildAmiImage(ROOT, ctx);
    expect(built.ok ? built.value.name : built.error.message).toBe(NAME);
    expect((await invocations()).map((i) => i.vars['ami_name'])).toEqual([NAME]);
  });

  it('a child whose parent AMI is gone stops before Packer runs', async () => {
    const { ctx, invocations } = await setup();
    const built = await buildAmiImage(
      { image: 'consul', variables: {}, fingerprint: F2, parent: { image: 'base', amiId: 'ami-0123456789abcdef0', amiName: NAME } },
      ctx,
    );
    expect(built).toEqual({
      ok: false,
      error: {
        message: 'parent AMI ami-0123456789abcdef0 (image "base") of image "consul" does not exist in eu-central-1',
        logFile: undefined,
        interrupted: false,
      },
    });
    expect(await invocations()).toEqual([]);
  });

  it('a name already taken (a genuine clash: names carry the second) stops before Packer runs, and says why', async () => {
    const { account, ctx, invocations } = await setup();
    account.add('us-east-1', { id: 'ami-0fedcba9876543210', name: NAME });
    account.add('eu-central-1', { id: 'ami-0fedcba9876543211', name: NAME, tags: { [TAG.image]: 'base', [TAG.fingerprint]: F1 } });
    const built = await buildAmiImage(ROOT, ctx);
    expect(!built.ok && built.error.message.split('\n')).toEqual([
      `AMI name "${NAME}" is already taken in eu-central-1 by ami-0fedcba9876543211 (made by build-images for image "base": another build of it with the same content started in the same second, e.g. on another runner). Names carry the build time, so building again picks a new one, or reuses that AMI once it is available in every region`,
      `AMI name "${NAME}" is already taken in us-east-1 by ami-0fedcba9876543210 (not made by build-images). Names carry the build time, so building again picks a new one`,
    ]);
    expect(await invocations()).toEqual([]);
  });

  it("a failing provisioner: Packer's error, and the log to read", async () => {
    const { account, root, ctx } = await setup({ FAKE_PACKER_SCENARIOS: scenarios({ consul: 'fail' }) });
    const parent = { id: 'ami-0123456789abcdef0', name: NAME, tags: { [TAG.image]: 'base' } };
    account.add('eu-central-1', parent);
    const built = await buildAmiImage(
      { image: 'consul', variables: {}, fingerprint: F2, parent: { image: 'base', amiId: parent.id, amiName: parent.name } },
      ctx,
    );
    expect(built).toEqual({
      ok: false,
      error: {
        message: 'Script exited with non-zero exit status: 3.Allowed exit codes are: [0]',
        logFile: amiLogFile(root, 'consul'),
        interrupted: false,
      },
    });
  });

  it('interrupted: Packer cleans up, the build reports it was interrupted', async () => {
    // Single-process mode: the runner signals only Packer's PID, and the panicwrap parent of a real Packer
    // ignores SIGINT (see tests/fake-packer.test.ts), which would leave this test waiting for the kill.
    const { ctx, lines } = await setup({ FAKE_PACKER_SCENARIOS: scenarios({ base: 'interrupt' }), FAKE_PACKER_NO_WRAPPER: '1' });
    const controller = new AbortController();
    const built = buildAmiImage(ROOT, {
      ...ctx,
      signal: controller.signal,
      onLine: (line) => {
        lines.push(line);
        if (line.includes('waiting (until interrupted)')) controller.abort();
      },
    });
    expect(await built).toEqual({ ok: false, error: { message: 'interrupted', logFile: amiLogFile(ctx.root, 'base'), interrupted: true } });
    expect(lines).toContain('==> amazon-ebs.base: Deleting temporary keypair...');
  });

  it('past --timeout the build "timed out" (as Docker says), not "interrupted" (finding 10)', async () => {
    // Single-process mode, as above: the stand-in waits in the build until Packer is interrupted. 4 s, not 1.5: under
    // CI load the stand-in took over 1.5 s to reach its wait, and the timeout hit before the build had begun.
    const { ctx, lines } = await setup({ FAKE_PACKER_SCENARIOS: scenarios({ base: 'interrupt' }), FAKE_PACKER_NO_WRAPPER: '1' });
    const built = await buildAmiImage(ROOT, { ...ctx, timeoutMs: 4_000 });
    expect(built).toEqual({
      ok: false,
      error: {
        message: 'timed out after 4.0s (--timeout); Packer terminated the build instance and removed its security group and key pair',
        logFile: amiLogFile(ctx.root, 'base'),
        interrupted: false,
      },
    });
    expect(lines).toContain('==> amazon-ebs.base: Deleting temporary keypair...');
  });

  it("gives Packer 15 minutes to clean up after a stop, not the runner's default 2 (finding 9)", async () => {
    const { ctx } = await setup();
    const grace: Array<number | undefined> = [];
    const packer: Packer = {
      ...ctx.packer,
      build: async (request) => {
        grace.push(request.cleanupGraceMs);
        return err({ reason: 'interrupted' });
      },
    };
    await buildAmiImage(ROOT, { ...ctx, packer });
    expect(grace).toEqual([AMI_CLEANUP_GRACE_MS]);
    expect(AMI_CLEANUP_GRACE_MS).toBeGreaterThan(10 * 60_000);
  });

  it('stops the build when IMDSv2 cannot be required, rather than warn and provision with IMDSv1 open (finding 3)', async () => {
    const { account, ctx } = await setup();
    account.launching = Array.from({ length: 1000 }, () => 'UnauthorizedOperation');
    const built = await buildAmiImage(ROOT, ctx);
    expect(built.ok).toBe(false);
    expect(!built.ok && built.error.message).toMatch(
      /^could not require IMDSv2 on i-[0-9a-f]{17}: .*UnauthorizedOperation.*; Packer stopped the build and cleaned up$/,
    );
  });
});
