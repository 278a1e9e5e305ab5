import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO } from './project.js';

/**
 * Real registries and a second real Docker engine for tests, through the same scripts .ci/run uses
 * (scripts/registry, scripts/second-engine). Each lives in its own temp directory on a free loopback
 * port and is stopped by its own pid file; the default engine is never stopped or wiped.
 */
export const CI = process.env.CI === 'true';

export async function haveRegistry(): Promise<boolean> {
  return (await execa('docker-registry', ['--version'], { reject: false })).exitCode === 0;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRegistry {
  /** host:port, the name references use. */
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  /** A Docker client config dir holding these credentials (auth registries), for DOCKER_CONFIG. */
  readonly dockerConfig: string | undefined;
  stop(): Promise<void>;
  /** Starts it again on the same port and storage (after stop). */
  restart(): Promise<void>;
}

export interface RegistryOptions {
  readonly user?: { readonly name: string; readonly password: string };
  readonly tls?: boolean;
  readonly noDelete?: boolean;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp('/tmp/bi-reg-');
  const port = await freePort();
  const args = ['start', '--dir', dir, '--port', String(port)];
  let dockerConfig: string | undefined;
  if (options.user) {
    const htpasswd = (await execa('htpasswd', ['-Bbn', options.user.name, options.user.password])).stdout;
    await writeFile(join(dir, 'htpasswd'), `${htpasswd.trim()}\n`);
    args.push('--htpasswd', join(dir, 'htpasswd'));
    dockerConfig = join(dir, 'docker-config');
    const auth = Buffer.from(`${options.user.name}:${options.user.password}`).toString('base64');
    await execa('mkdir', ['-p', dockerConfig]);
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [`127.0.0.1:${port}`]: { auth } } }), { mode: 0o600 });
  }
  if (options.tls) {
    await execa('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=build-images-test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    args.push('--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'));
  }
  if (options.noDelete) args.push('--no-delete');
  const start = async (): Promise<string> => (await execa(join(REPO, 'scripts', 'registry'), args)).stdout.trim();
  const url = await start();
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    url,
    dockerConfig,
    async stop() {
      await execa(join(REPO, 'scripts', 'registry'), ['stop', '--dir', dir]);
    },
    async restart() {
      await start();
    },
  };
}

export async function removeRegistry(registry: TestRegistry | undefined): Promise<void> {
  if (registry === undefined) return;
  await registry.stop();
  await rm(registry.dir, { recursive: true, force: true });
}

export interface SecondEngine {
  readonly dir: string;
  /** unix:///…/docker.sock */
  readonly host: string;
  wipe(): Promise<void>;
}

export async function startSecondEngine(): Promise<SecondEngine> {
  const dir = await mkdtemp('/tmp/bi-eng-');
  const host = (await execa(join(REPO, 'scripts', 'second-engine'), ['start', '--dir', dir])).stdout.trim();
  return {
    dir,
    host,
    async wipe() {
      await execa(join(REPO, 'scripts', 'second-engine'), ['wipe', '--dir', dir]);
    },
  };
}

/**
 * A tiny real image (one small file, a label) made by `docker import` in the default engine and pushed
 * to `ref` with the docker CLI; the local tag is removed again. Returns the manifest digest the push reported.
 */
export async function pushTinyImage(ref: string, labels: Record<string, string>, dockerConfig?: string): Promise<string> {
  const dir = await mkdtemp('/tmp/bi-img-');
  try {
    await writeFile(join(dir, 'hello.txt'), `${ref}\n`);
    const tar = await execa('tar', ['-C', dir, '-c', 'hello.txt'], { encoding: 'buffer' });
    const changes = Object.entries(labels).flatMap(([k, v]) => ['--change', `LABEL ${k}=${v}`]);
    await execa('docker', ['import', ...changes, '-', ref], { input: tar.stdout });
    const config = dockerConfig ? ['--config', dockerConfig] : [];
    const pushed = await execa('docker', [...config, 'push', ref]);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
    if (digest === undefined) throw new Error(`docker push ${ref} reported no digest:\n${pushed.stdout}`);
    return digest;
  } finally {
    await execa('docker', ['image', 'rm', ref], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}
