import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeProject, REPO, removeProjects } from './helpers/project.js';

afterAll(removeProjects);

// Records every package a run of the CLI loads: ES modules through a load hook (node:module register),
// CommonJS ones (dockerode is required through createRequire) from require's cache at exit.
const HOOKS = `export async function load(url, context, next) {
  if (url.includes('/node_modules/')) globalThis.port?.postMessage(url);
  return next(url, context);
}
export async function initialize({ port }) { globalThis.port = port; }
`;
const PRELOAD = `import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(url));
port1.unref();
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => {
  for (const key of Object.keys(createRequire(import.meta.url).cache)) seen.add(key);
  const packages = new Set([...seen].map((u) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(u)?.[1]).filter(Boolean));
  writeFileSync(process.env.LOADED_OUT, [...packages].sort().join('\\n'));
});
`;

async function packagesLoaded(dir: string, args: string[]): Promise<string[]> {
  const out = `${dir}/loaded-${args.join('-').replace(/[^a-z0-9-]/gi, '')}.txt`;
  const run = await execa(process.execPath, ['--import', `${dir}/preload.mjs`, BIN, ...args], {
    cwd: dir,
    reject: false,
    env: { LOADED_OUT: out },
  });
  expect(run.exitCode, run.stderr).toBe(0);
  const { readFile } = await import('node:fs/promises');
  return (await readFile(out, 'utf8')).split('\n').filter(Boolean);
}

describe('start-up loads what the command needs', () => {
  // The heavy packages: dockerode (with gRPC and SSH), execa, listr2 and the AWS SDK.
  const HEAVY = ['dockerode', 'docker-modem', '@grpc/grpc-js', 'ssh2', 'execa', 'listr2', '@aws-sdk/client-ec2'];

  it('--version, and generate for a given Packer version, load none of the heavy packages', async () => {
    const dir = await makeProject({ 'preload.mjs': PRELOAD, 'hooks.mjs': HOOKS }, ['images.yaml', 'provisioners']);
    const version = await packagesLoaded(dir, ['--version']);
    expect(version).toEqual(['commander']);
    const generate = await packagesLoaded(dir, ['generate', '--packer-version', '1.6.6']);
    expect(generate).toContain('yaml');
    expect(generate.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('the probe itself sees a package loaded through require (dockerode, by the Docker engine adapter)', async () => {
    const dir = await makeProject({ 'preload.mjs': PRELOAD, 'hooks.mjs': HOOKS });
    const out = `${dir}/loaded.txt`;
    const script = `import(${JSON.stringify(`${REPO}/dist/targets/docker/engine.js`)}).then((m) => m.dockerEngine())`;
    const run = await execa(process.execPath, ['--import', `${dir}/preload.mjs`, '--input-type=module', '-e', script], {
      cwd: dir,
      reject: false,
      env: { LOADED_OUT: out },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(out, 'utf8')).split('\n')).toContain('dockerode');
  });
});
