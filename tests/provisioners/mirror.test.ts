import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrerequisites, E2E, e2eTitle } from '../helpers/e2e.js';
import { MIRROR_DIR, OFFLINE_ENV, runProvisioners } from '../helpers/provisioners.js';
import { REPO } from '../helpers/project.js';

/**
 * The download path against a mirror: a tampered archive or checksum file stops the provisioner with the
 * checksum or signature message and installs nothing, and scripts/mirror copies a mirror file for file,
 * verifying as it goes. Uses the mirror examples/offline/prepare made (copied, never changed).
 */
const NODE_EXPORTER = 'github.com/prometheus/node_exporter/releases/download/v1.5.0';
const CONSUL = 'releases.hashicorp.com/consul/1.21.2';

async function files(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe.skipIf(!E2E)(e2eTitle('vendor downloads from a mirror'), () => {
  let tmp: string;

  beforeAll(async () => {
    await assertPrerequisites();
    tmp = await mkdtemp(join(tmpdir(), 'build-images-mirror-test-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** A copy of the prepared mirror that the test may damage. */
  async function copyOfMirror(name: string): Promise<string> {
    const dir = join(tmp, name);
    await cp(MIRROR_DIR, dir, { recursive: true });
    return dir;
  }

  it('a tampered archive fails the build with the checksum message and installs nothing', async () => {
    const mirror = await copyOfMirror('tampered-archive');
    const archive = join(mirror, NODE_EXPORTER, 'node_exporter-1.5.0.linux-amd64.tar.gz');
    const expected = createHash('sha256')
      .update(await readFile(archive))
      .digest('hex');
    await appendFile(archive, 'tampered');
    const actual = createHash('sha256')
      .update(await readFile(archive))
      .digest('hex');
    const run = await runProvisioners({ scripts: ['node-exporter'], mirror, after: 'echo "UNREACHED"' });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain(
      `==> node-exporter: ERROR: checksum mismatch for node_exporter-1.5.0.linux-amd64.tar.gz: expected ${expected} ` +
        `(from file:///mirror/${NODE_EXPORTER}/sha256sums.txt), actual ${actual}. Refusing to install it.`,
    );
    expect(run.output).not.toContain('installed /usr/local/bin/node_exporter');
    expect(run.output).not.toContain('UNREACHED');
  }, 300_000);

  it('a checksum file changed to match a tampered HashiCorp archive fails the signature check', async () => {
    const mirror = await copyOfMirror('tampered-sums');
    const zip = join(mirror, CONSUL, 'consul_1.21.2_linux_amd64.zip');
    await appendFile(zip, 'tampered');
    const hash = createHash('sha256')
      .update(await readFile(zip))
      .digest('hex');
    const sums = join(mirror, CONSUL, 'consul_1.21.2_SHA256SUMS');
    await writeFile(sums, (await readFile(sums, 'utf8')).replace(/^[0-9a-f]{64}(?=  consul_1\.21\.2_linux_amd64\.zip$)/m, hash));
    const run = await runProvisioners({ scripts: ['consul'], mirror });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain(
      `==> consul: ERROR: signature check failed for consul_1.21.2_SHA256SUMS: file:///mirror/${CONSUL}/consul_1.21.2_SHA256SUMS.sig ` +
        'is not a valid signature by the key in build-images-stand-in-signing-key.asc. Refusing to use it.',
    );
    expect(run.output).not.toContain('installed /usr/local/bin/consul');
  }, 300_000);

  it('the stand-in signature does not pass as HashiCorp’s: without the test key the real key rejects it', async () => {
    const run = await runProvisioners({ scripts: ['consul'], env: { HASHICORP_PGP_KEY_FILE: '' } });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('ERROR: signature check failed for consul_1.21.2_SHA256SUMS');
    expect(run.output).toContain('is not a valid signature by the key in hashicorp-security.asc');
  }, 300_000);

  it('scripts/mirror copies a mirror file for file, verified', async () => {
    const out = join(tmp, 'copy');
    const run = await execa(join(REPO, 'scripts/mirror'), ['--arch', 'amd64', '--from', `file://${MIRROR_DIR}`, out], {
      env: { ...OFFLINE_ENV, MIRROR: '', HASHICORP_PGP_KEY_FILE: join(MIRROR_DIR, 'build-images-stand-in-signing-key.asc') },
      reject: false,
      all: true,
    });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('release files verified (amd64)');
    const copied = await files(out);
    expect(copied).toEqual([
      'dl.grafana.com/oss/release/grafana-12.0.2.linux-amd64.tar.gz',
      'dl.grafana.com/oss/release/grafana-12.0.2.linux-amd64.tar.gz.sha256',
      'github.com/cortexproject/cortex/releases/download/v1.20.0/cortex-linux-amd64',
      'github.com/cortexproject/cortex/releases/download/v1.20.0/cortex-linux-amd64-sha-256',
      'github.com/martin-helmich/prometheus-nginxlog-exporter/releases/download/v1.11.0/checksums.txt',
      'github.com/martin-helmich/prometheus-nginxlog-exporter/releases/download/v1.11.0/prometheus-nginxlog-exporter_1.11.0_linux_amd64.tar.gz',
      `${NODE_EXPORTER}/node_exporter-1.5.0.linux-amd64.tar.gz`,
      `${NODE_EXPORTER}/sha256sums.txt`,
      'github.com/prometheus/prometheus/releases/download/v2.42.0/prometheus-2.42.0.linux-amd64.tar.gz',
      'github.com/prometheus/prometheus/releases/download/v2.42.0/sha256sums.txt',
      `${CONSUL}/consul_1.21.2_SHA256SUMS`,
      `${CONSUL}/consul_1.21.2_SHA256SUMS.sig`,
      `${CONSUL}/consul_1.21.2_linux_amd64.zip`,
    ]);
    const sha256 = async (path: string) =>
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
    for (const f of copied) expect(await sha256(join(out, f)), f).toBe(await sha256(join(MIRROR_DIR, f)));
  }, 120_000);

  it('scripts/mirror refuses a tampered source and keeps nothing unverified', async () => {
    const source = await copyOfMirror('tampered-source');
    await appendFile(join(source, 'github.com/cortexproject/cortex/releases/download/v1.20.0/cortex-linux-amd64'), 'x');
    const out = join(tmp, 'copy-of-tampered');
    const run = await execa(join(REPO, 'scripts/mirror'), ['--arch', 'amd64', '--from', `file://${source}`, out], {
      env: { ...OFFLINE_ENV, MIRROR: '', HASHICORP_PGP_KEY_FILE: join(source, 'build-images-stand-in-signing-key.asc') },
      reject: false,
      all: true,
    });
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain('==> mirror: ERROR: checksum mismatch for cortex-linux-amd64');
    expect((await files(out)).filter((f) => f.includes('cortex') || f.endsWith('.unverified'))).toEqual([]);
  }, 120_000);
});
