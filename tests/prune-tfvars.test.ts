/**
 * Issue 14, finding 7: the tfvars file is gitignored, so a fresh checkout (a CI job) has none; prune used to read
 * that as "Terraform uses nothing" and remove every image but the newest --keep. Now a missing file stops prune
 * (exit 2, nothing removed) unless --tfvars names a copy or --no-tfvars says no Terraform uses them.
 * Through the real command, the real AMI target and the real EC2Client (aws-sdk-client-mock).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPruneCommand } from '../src/commands/prune.js';
import { outputsJournal } from '../src/engine/outputs.js';
import { commitStaged, stageFile } from '../src/fs/commit.js';
import { ec2Api } from '../src/targets/ami/ec2.js';
import { amiDefinition } from '../src/targets/ami/definition.js';
import { TAG } from '../src/targets/ami/tags.js';
import { dockerDefinition } from '../src/targets/docker/definition.js';
import { fakeAccount, type FakeAccount } from './helpers/ami/fake-account.js';
import { loadProject, stubTarget } from './helpers/stub-target.js';
import { addFiles, removeTempDirs } from './helpers/temp-dir.js';

const mock = mockClient(EC2Client);
beforeEach(() => mock.reset());
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  mock.restore();
  await removeTempDirs();
});

const AMI_CONFIG = `version: 1
project: acme/prune-tfvars
targets:
  ami: { region: eu-central-1 }
images:
  base: { provisioners: [ok] }
`;

const PROJECT_LINE = `project acme/prune-tfvars (from project: in images.yaml:2): only AMIs tagged ${TAG.project}=acme/prune-tfvars are removed`;

function seed(account: FakeAccount): void {
  for (const n of [1, 2, 3]) {
    const fp = String(n).repeat(64);
    account.add('eu-central-1', {
      id: `ami-0000000${n}`,
      name: `base-${fp}`,
      created: `2026-11-0${n}T10:00:00.000Z`,
      snapshots: [`snap-${n}`],
      tags: { [TAG.project]: 'acme/prune-tfvars', [TAG.image]: 'base', [TAG.fingerprint]: fp },
    });
  }
}

function run(config: Awaited<ReturnType<typeof loadProject>>, tfvars?: string | false, dryRun = false) {
  const lines: string[] = [];
  const errors: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    errors.push(String(text));
    return true;
  });
  const target = amiDefinition({ ec2: () => ec2Api() }).open(config);
  const code = runPruneCommand(config, {
    target,
    keep: 1,
    dryRun,
    write: (l) => lines.push(l),
    now: new Date('2026-11-30T12:00:00.000Z'),
    ...(tfvars === undefined ? {} : { tfvars }),
  });
  return code.then((exit) => ({ exit, lines, stderr: errors.join('') }));
}

describe('prune without the tfvars file', () => {
  it('--target ami in a fresh checkout: exit 2 naming the file and the ways on, nothing removed', async () => {
    const account = fakeAccount(mock);
    seed(account);
    const config = await loadProject(AMI_CONFIG);
    const result = await run(config);
    expect(result.exit).toBe(2);
    expect(result.stderr).toMatch(
      /^error: terraform\/aws\/images\.auto\.tfvars\.json does not exist, so prune cannot tell which images Terraform uses/,
    );
    expect(result.stderr).toContain('--tfvars <file>');
    expect(result.stderr).toContain('--no-tfvars');
    expect(result.stderr).toContain('and AMIs that launch templates name or that launched an instance recently.');
    expect(result.lines).toEqual([]);
    expect(account.deregistered).toEqual([]);
  });

  it('--tfvars <file>: the IDs in that copy are kept', async () => {
    const account = fakeAccount(mock);
    seed(account);
    const config = await loadProject(AMI_CONFIG);
    await addFiles(config.root, {
      'artifacts/images.auto.tfvars.json': JSON.stringify({ amis: { base: { 'eu-central-1': 'ami-00000001' } } }),
    });
    const result = await run(config, 'artifacts/images.auto.tfvars.json');
    expect(result.stderr).not.toContain('error:');
    expect(result.exit).toBe(0);
    expect(result.lines.slice(0, 5)).toEqual([
      'Terraform uses 1 ID (artifacts/images.auto.tfvars.json).',
      PROJECT_LINE,
      `keep    base-${'3'.repeat(64)} (newest #1): eu-central-1 ami-00000003`,
      `keep    base-${'1'.repeat(64)} (in the tfvars file): eu-central-1 ami-00000001`,
      `remove  base-${'2'.repeat(64)}: eu-central-1 ami-00000002`,
    ]);
    expect(account.deregistered).toEqual(['eu-central-1:ami-00000002']);
  });

  it('--tfvars naming a file that does not exist: exit 2, like the default one', async () => {
    fakeAccount(mock);
    const config = await loadProject(AMI_CONFIG);
    const result = await run(config, 'artifacts/missing.json');
    expect(result.exit).toBe(2);
    expect(result.stderr).toMatch(/^error: artifacts\/missing\.json does not exist/);
  });

  it('--no-tfvars: prunes with nothing kept for Terraform, and says so', async () => {
    const account = fakeAccount(mock);
    seed(account);
    const config = await loadProject(AMI_CONFIG);
    const result = await run(config, false, true);
    expect(result.exit).toBe(0);
    expect(result.lines).toEqual([
      'No tfvars file (--no-tfvars): nothing is kept for Terraform’s sake.',
      PROJECT_LINE,
      `keep    base-${'3'.repeat(64)} (newest #1): eu-central-1 ami-00000003`,
      `remove  base-${'2'.repeat(64)}: eu-central-1 ami-00000002`,
      `remove  base-${'1'.repeat(64)}: eu-central-1 ami-00000001`,
      '2 would be removed (--dry-run: nothing was removed).',
    ]);
  });

  it('--target docker has the same hole and the same answer: exit 2 before the target is asked', async () => {
    const config = await loadProject(
      'version: 1\ntargets:\n  docker: { repository: biprune-tfvars }\nimages:\n  app: { provisioners: [ok] }\n',
    );
    const target = stubTarget(dockerDefinition().open(config), () => Promise.reject(new Error('no builds')));
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      errors.push(String(text));
      return true;
    });
    const exit = await runPruneCommand(config, { target, keep: 1, dryRun: true, write: () => undefined });
    expect(exit).toBe(2);
    expect(errors.join('')).toMatch(/^error: terraform\/docker\/images\.auto\.tfvars\.json does not exist/);
  });
});

describe('prune after a build killed while writing its outputs', () => {
  it('completes the build’s decided commit first: the new tfvars’ images are kept, not judged by the old file', async () => {
    const account = fakeAccount(mock);
    seed(account);
    const config = await loadProject(AMI_CONFIG);
    const TFVARS = 'terraform/aws/images.auto.tfvars.json';
    await addFiles(config.root, { [TFVARS]: JSON.stringify({ amis: { base: { 'eu-central-1': 'ami-00000001' } } }) });
    // The build staged a tfvars naming ami-00000002, decided (journal durable), and was killed before replacing.
    const staged = await stageFile(config.root, TFVARS, JSON.stringify({ amis: { base: { 'eu-central-1': 'ami-00000002' } } }));
    let decided!: () => void;
    const reached = new Promise<void>((resolve) => (decided = resolve));
    void commitStaged(config.root, outputsJournal('ami'), [staged], {
      proceed: () => true,
      at: (step) => {
        if (step !== 'decided') return undefined;
        decided();
        return new Promise<void>(() => undefined);
      },
    });
    await reached;
    const result = await run(config);
    expect(result.stderr).not.toContain('error:');
    expect(result.exit).toBe(0);
    expect(result.lines.slice(0, 5)).toEqual([
      `Terraform uses 1 ID (${TFVARS}).`,
      PROJECT_LINE,
      `keep    base-${'3'.repeat(64)} (newest #1): eu-central-1 ami-00000003`,
      `keep    base-${'2'.repeat(64)} (in the tfvars file): eu-central-1 ami-00000002`,
      `remove  base-${'1'.repeat(64)}: eu-central-1 ami-00000001`,
    ]);
    expect(account.deregistered).toEqual(['eu-central-1:ami-00000001']);
  });
});
