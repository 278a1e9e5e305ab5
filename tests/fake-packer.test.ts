/**
 * The stand-in `packer` (tests/fixtures/fake-packer) replays amazon-ebs machine-readable output. These tests
 * pin what it prints, through the same parser the runner uses, so AMI pipeline tests can rely on it.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './helpers/temp-dir.js';
import { ArtifactCollector, humanText, parseMachineLine } from '../src/packer/machine-readable.js';
import { amiTemplatePath, renderAmiTemplate } from '../src/packer/render-ami.js';
import { amisFromArtifacts, buildInstanceId } from '../src/targets/ami/artifacts.js';
import { FAKE_PACKER, fakeAmiId, scenarios } from './helpers/fake-packer.js';

afterAll(removeTempDirs);

const v166 = { major: 1, minor: 6, patch: 6 };

async function project(image: string, vars: Record<string, unknown>): Promise<string> {
  const dir = await tempDir({ 'provisioners/a.sh': '#!/bin/sh\n', 'provisioners/b.sh': '#!/bin/sh\n', 'env.sh': '' });
  await mkdir(join(dir, 'packer/ami'), { recursive: true });
  await writeFile(
    join(dir, amiTemplatePath(image)),
    renderAmiTemplate({ image, root: true, provisioners: ['a', 'b'], uploadLib: false, packer: v166 }),
  );
  await writeFile(
    join(dir, 'vars.json'),
    JSON.stringify({
      region: 'eu-central-1',
      ami_name: `${image}-f00d-20261130170412`,
      temporary_security_group_source_cidrs: ['203.0.113.7/32'],
      env_file: join(dir, 'env.sh'),
      tags: { 'build-images:image': image, 'build-images:fingerprint': 'f00d' },
      ...vars,
    }),
  );
  return dir;
}

function run(
  dir: string,
  image: string,
  env: Record<string, string> = {},
): ResultPromise<{ cwd: string; reject: false; env: Record<string, string>; detached: true }> {
  return execa(FAKE_PACKER, ['build', '-machine-readable', '-color=false', '-var-file=vars.json', amiTemplatePath(image)], {
    cwd: dir,
    reject: false,
    env,
    detached: true,
  });
}

function parse(stdout: string, target: string) {
  const collector = new ArtifactCollector();
  const text: string[] = [];
  for (const raw of stdout.split('\n')) {
    const line = parseMachineLine(raw);
    if (!line) continue;
    collector.add(line);
    const human = humanText(line);
    if (human !== undefined) text.push(human);
  }
  return { artifacts: collector.artifacts(target), text };
}

describe('the stand-in packer', () => {
  it('answers `packer version` like Packer 1.6.6', async () => {
    expect((await execa(FAKE_PACKER, ['version'])).stdout).toBe('Packer v1.6.6');
  });

  it('a multi-region build: one amazon-ebs artifact whose id joins the regions with %!(PACKER_COMMA)', async () => {
    const dir = await project('base', { ami_regions: ['us-east-1', 'ap-south-1'] });
    const result = await run(dir, 'base');
    expect(result.exitCode).toBe(0);
    const raw = result.stdout.split('\n').find((l) => l.includes(',artifact,0,id,'));
    const ids = {
      'eu-central-1': fakeAmiId('base', 'eu-central-1', 'f00d'),
      'us-east-1': fakeAmiId('base', 'us-east-1', 'f00d'),
      'ap-south-1': fakeAmiId('base', 'ap-south-1', 'f00d'),
    };
    expect(raw).toMatch(
      new RegExp(
        `^\\d+,amazon-ebs\\.base,artifact,0,id,ap-south-1:${ids['ap-south-1']}%!\\(PACKER_COMMA\\)eu-central-1:${ids['eu-central-1']}%!\\(PACKER_COMMA\\)us-east-1:${ids['us-east-1']}$`,
      ),
    );
    const { artifacts, text } = parse(result.stdout, 'amazon-ebs.base');
    expect(amisFromArtifacts(artifacts)).toEqual({ ok: true, value: ids });
    expect(text).toContain('==> amazon-ebs.base: Authorizing access to port 22 from [203.0.113.7/32] in the temporary security groups...');
    expect(text).toContain(`==> amazon-ebs.base: Copying/Encrypting AMI (${ids['eu-central-1']}) to other regions...`);
    expect(text.map(buildInstanceId).filter(Boolean)).toHaveLength(1);
    expect(text.at(-1)).toBe(
      `--> amazon-ebs.base: AMIs were created:\nap-south-1: ${ids['ap-south-1']}\neu-central-1: ${ids['eu-central-1']}\nus-east-1: ${ids['us-east-1']}\n`,
    );
  });

  it('a failing build: cleans up, reports the error for its target, exits 1, no artifact', async () => {
    const dir = await project('consul', {});
    const result = await run(dir, 'consul', { FAKE_PACKER_SCENARIOS: scenarios({ consul: 'fail' }) });
    expect(result.exitCode).toBe(1);
    const { artifacts, text } = parse(result.stdout, 'amazon-ebs.consul');
    expect(artifacts).toEqual([]);
    expect(result.stdout).toMatch(
      /\n\d+,amazon-ebs\.consul,error,Script exited with non-zero exit status: 3\.Allowed exit codes are: \[0\]\n/,
    );
    expect(text.slice(-12, -6), text.join('\n')).toEqual([
      '==> amazon-ebs.consul: Provisioning step had errors: Running the cleanup provisioner, if present...',
      '==> amazon-ebs.consul: Terminating the source AWS instance...',
      '==> amazon-ebs.consul: Cleaning up any extra volumes...',
      '==> amazon-ebs.consul: No volumes to clean up, skipping',
      '==> amazon-ebs.consul: Deleting temporary security group...',
      '==> amazon-ebs.consul: Deleting temporary keypair...',
    ]);
  });

  it('records every invocation when asked (FAKE_PACKER_LOG)', async () => {
    const dir = await project('base', {});
    const log = join(dir, 'invocations.jsonl');
    await run(dir, 'base', { FAKE_PACKER_LOG: log });
    const [entry] = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { argv: string[]; vars: { region: string } });
    expect(entry?.argv).toEqual(['build', '-machine-readable', '-color=false', '-var-file=vars.json', 'packer/ami/base.pkr.hcl']);
    expect(entry?.vars.region).toBe('eu-central-1');
  });

  describe('interrupted builds (signals as Packer 1.6.6 handles them, under panicwrap)', () => {
    const interrupted = async (signal: (child: ReturnType<typeof run>) => void) => {
      const dir = await project('cortex', {});
      const child = run(dir, 'cortex', { FAKE_PACKER_SCENARIOS: scenarios({ cortex: 'interrupt' }), FAKE_PACKER_HANG_MS: '8000' });
      const started = Date.now();
      await new Promise<void>((resolve) => {
        let seen = '';
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('waiting (until interrupted)')) resolve();
        });
      });
      signal(child);
      const result = await child;
      return { result, ms: Date.now() - started, text: parse(result.stdout, 'amazon-ebs.cortex').text };
    };
    const CANCELLED = [
      '==> amazon-ebs.cortex: Terminating the source AWS instance...',
      '==> amazon-ebs.cortex: Cleaning up any extra volumes...',
      '==> amazon-ebs.cortex: No volumes to clean up, skipping',
      '==> amazon-ebs.cortex: Deleting temporary security group...',
      '==> amazon-ebs.cortex: Deleting temporary keypair...',
    ];

    it('SIGTERM to packer: cancels, cleans up, exits 1', async () => {
      const { result, text } = await interrupted((child) => child.kill('SIGTERM'));
      expect(result.exitCode).toBe(1);
      expect(text).toContain('Cancelling build after receiving terminated');
      expect(text).toEqual(expect.arrayContaining(CANCELLED));
      expect(text.at(-1)).toBe('Cleanly cancelled builds after being interrupted.');
    });

    it('SIGINT to the process group (Ctrl-C in a terminal): the same', async () => {
      const { result, text } = await interrupted((child) => process.kill(-child.pid!, 'SIGINT'));
      expect(result.exitCode).toBe(1);
      expect(text).toContain('Cancelling build after receiving interrupt');
      expect(text).toEqual(expect.arrayContaining(CANCELLED));
    });

    it('SIGINT to the packer process alone is ignored (so a runner must send SIGTERM)', async () => {
      const { result, text, ms } = await interrupted((child) => child.kill('SIGINT'));
      expect(text.some((l) => l.includes('Cancelling build'))).toBe(false);
      expect(text).toContain('error: fake packer: the interrupt scenario was never interrupted');
      expect(result.exitCode).toBe(1);
      expect(ms).toBeGreaterThan(7000);
    }, 20_000);
  });
});
