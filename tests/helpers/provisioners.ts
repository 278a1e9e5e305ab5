import { execa } from 'execa';
import { join } from 'node:path';
import { REPO } from './project.js';
import { BASE_IMAGE } from './e2e.js';

/** The mirror examples/offline/prepare fills (stand-ins plus Debian's node_exporter and prometheus). */
export const MIRROR_DIR = process.env.BUILD_IMAGES_MIRROR_DIR ?? '/var/cache/build-images/mirror';

/** The variables examples/offline/images.yaml sets, as the provisioners see them inside a build container. */
export const OFFLINE_ENV: Record<string, string> = {
  MIRROR: 'file:///mirror',
  NODE_EXPORTER_VERSION: '1.5.0',
  PROMETHEUS_VERSION: '2.42.0',
  PROMETHEUS_DISCOVERY: 'file',
  HASHICORP_PGP_KEY_FILE: '/mirror/build-images-stand-in-signing-key.asc',
};

export interface ProvisionRun {
  exitCode: number;
  output: string;
}

/**
 * Runs provisioners/<script>.sh in order, as root, in one throwaway container of the local base image, the way
 * the tool's Packer build does (lib/ beside the scripts, the config variables in the environment,
 * PACKER_BUILDER_TYPE set), with `mirror` mounted at /mirror. `before` is a shell command run first (e.g. to
 * install systemd), `after` one run last; the container is removed afterwards.
 */
export async function runProvisioners(opts: {
  scripts: readonly string[];
  env?: Record<string, string>;
  builder?: 'docker' | 'amazon-ebs';
  mirror?: string;
  before?: string;
  after?: string;
  network?: 'host' | 'none';
}): Promise<ProvisionRun> {
  const env = { ...OFFLINE_ENV, ...opts.env, PACKER_BUILDER_TYPE: opts.builder ?? 'docker' };
  const steps = ['set -e', opts.before ?? ':', ...opts.scripts.map((s) => `bash /p/${s}.sh`), opts.after ?? ':'].join('\n');
  const args = [
    'run',
    '--rm',
    `--network=${opts.network ?? 'host'}`,
    '-v',
    `${opts.mirror ?? MIRROR_DIR}:/mirror:ro`,
    '-v',
    `${join(REPO, 'provisioners')}:/p:ro`,
  ];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  args.push('--entrypoint', '/bin/bash', BASE_IMAGE, '-c', steps);
  const run = await execa('docker', args, { reject: false, all: true });
  return { exitCode: run.exitCode ?? -1, output: run.all ?? '' };
}

/** GET http://127.0.0.1:<port><path> from inside a running container (bash's /dev/tcp: the images carry no curl). */
export async function httpGet(container: string, port: number, path: string): Promise<{ status: number; body: string }> {
  const script = `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && cat <&3`;
  const run = await execa('docker', ['exec', container, 'bash', '-c', script], { reject: false });
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(run.stdout)?.[1] ?? 0);
  return {
    status,
    body: run.stdout
      .split(/\r?\n\r?\n/)
      .slice(1)
      .join('\n\n'),
  };
}

/** Polls `check` every 250 ms until it returns true or `ms` pass. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}
