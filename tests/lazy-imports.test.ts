import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeProject, REPO, removeProjects } from './helpers/project.js';

afterAll(removeProjects);

// Records every package a run of the CLI loads: ES modules through a load hook (node:module register),
// CommonJS ones (dockerode is required through createRequire) from require's cache at exit. The CLI runs
// bundled (scripts/bundle-cli.mjs): a chunk of dist/bundle/ counts as loading the packages esbuild put in
// it, as its metafile (dist/bundle/meta.json) lists them.
const HOOKS = `export async function load(url, context, next) {
  if (url.includes('/node_modules/') || url.includes('/dist/bundle/')) globalThis.port?.postMessage(url);
  return next(url, context);
}
export async function initialize({ port }) { globalThis.port = port; }
`;
const PRELOAD = `import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { readFileSync, writeFileSync } from 'node:fs';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(url));
port1.unref();
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
const meta = JSON.parse(readFileSync(process.env.BUNDLE_META, 'utf8'));
process.on('exit', () => {
  for (const key of Object.keys(createRequire(import.meta.url).cache)) seen.add(key);
  const files = [...seen].flatMap((u) => {
    const chunk = /\\/(dist\\/bundle\\/[^/]+\\.js)$/.exec(u)?.[1];
    return chunk === undefined ? [u] : Object.keys(meta.outputs[chunk]?.inputs ?? {});
  });
  const packages = new Set(files.map((u) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(u)?.[1]).filter(Boolean));
  writeFileSync(process.env.LOADED_OUT, [...packages].sort().join('\\n'));
});
`;

async function packagesLoaded(dir: string, args: string[]): Promise<string[]> {
  const out = `${dir}/loaded-${args.join('-').replace(/[^a-z0-9-]/gi, '')}.txt`;
  const run = await execa(process.execPath, ['--import', `${dir}/preload.mjs`, BIN, ...args], {
    cwd: dir,
    reject: false,
    env: { LOADED_OUT: out, BUNDLE_META: `${REPO}/dist/bundle/meta.json` },
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
    // bin/build-images answers --version itself, before the CLI loads.
    const version = await packagesLoaded(dir, ['--version']);
    expect(version).toEqual([]);
    const help = await packagesLoaded(dir, ['--help']);
    expect(help).toEqual(['commander']);
    const generate = await packagesLoaded(dir, ['generate', '--packer-version', '1.6.6']);
    // The config is read (the probe sees packages); a valid one by js-yaml alone (src/config/quick-load.ts).
    expect(generate).toContain('js-yaml');
    expect(generate).not.toContain('yaml');
    expect(generate.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('the probe itself sees a package loaded through require (dockerode); the engine adapter asks the engine without it', async () => {
    const dir = await makeProject({ 'preload.mjs': PRELOAD, 'hooks.mjs': HOOKS });
    const loaded = async (name: string, call: string): Promise<string[]> => {
      const out = `${dir}/${name}.txt`;
      const script = `import(${JSON.stringify(`${REPO}/dist/targets/docker/engine.js`)}).then((m) => ${call})`;
      const run = await execa(process.execPath, ['--import', `${dir}/preload.mjs`, '--input-type=module', '-e', script], {
        cwd: dir,
        reject: false,
        env: { LOADED_OUT: out, BUNDLE_META: `${REPO}/dist/bundle/meta.json` },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const { readFile } = await import('node:fs/promises');
      return (await readFile(out, 'utf8')).split('\n');
    };
    expect(await loaded('client', 'm.newDockerClient({})')).toContain('dockerode');
    // ping, inspect and list go over node:http (engine-api.ts), whether or not an engine answers.
    const queries = await loaded('queries', "Promise.allSettled([m.dockerEngine().ping(), m.dockerEngine().listByLabel('x')])");
    expect(queries.filter((p) => HEAVY.includes(p))).toEqual([]);
  });
});
