import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * Local hosts that boot like a machine image: a container with systemd as PID 1 (no extra privileges:
 * shared/ENVIRONMENT.md), sshd for Packer, a sudo user. One narrow adapter over the docker CLI.
 */
export interface SystemdHosts {
  /** The host image for `base` (base + systemd, openssh-server, sudo and `user`), made once and kept. */
  hostImage(base: string, user: string, onLine: (line: string) => void): Promise<string>;
  /** A fresh ed25519 key pair in `dir` (id_ed25519, id_ed25519.pub), made with the host image's ssh-keygen. */
  newKey(hostImage: string, dir: string): Promise<{ privateKey: string; publicKey: string }>;
  /** Boots `image` on the host network for provisioning: sshd on 127.0.0.1:port, the image's own services down. */
  startProvisioning(request: ProvisioningHost): Promise<string>;
  /** Shuts the host down cleanly and keeps its disk as an image `tag` (the rehearsed state its children start from). */
  stopAndCommit(container: string, tag: string): Promise<void>;
  /** Boots `image` as a machine launched from it: every enabled unit starts; no network but loopback. */
  boot(image: string, name: string): Promise<string>;
  exec(container: string, script: string): Promise<{ exitCode: number; output: string }>;
  remove(container: string): Promise<void>;
  removeImage(tag: string): Promise<void>;
}

export interface ProvisioningHost {
  readonly image: string;
  readonly name: string;
  readonly port: number;
  /** Holds sshd.conf and id_ed25519.pub, mounted read-only. */
  readonly dir: string;
  /** Extra `--volume` arguments (those of targets.docker.run_args, e.g. the offline mirror). */
  readonly volumes: readonly string[];
}

const HOST_PACKAGES = ['systemd', 'systemd-sysv', 'openssh-server', 'sudo'];
/** Started instead of the default target while provisioning: sshd, and none of the image's own services. */
export const PROVISIONING_TARGET = 'build-images-rehearse-provision.target';
const RECIPE_VERSION = '2';

/**
 * systemd as PID 1 (`--entrypoint` also clears whatever command the image has). It ignores SIGTERM as PID 1 (it
 * re-executes); SIGRTMIN+3 asks it to halt, shutting every unit down.
 */
const SYSTEMD_RUN = [
  '--entrypoint',
  '/lib/systemd/systemd',
  '--stop-signal',
  'SIGRTMIN+3',
  '--tmpfs',
  '/run',
  '--tmpfs',
  '/run/lock',
  '--volume',
  '/sys/fs/cgroup:/sys/fs/cgroup:ro',
];

function hostRecipe(user: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) throw new Error(`bug: unusable SSH user name ${JSON.stringify(user)}`);
  return [
    'set -eu',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update -q',
    `apt-get install -y -q --no-install-recommends ${HOST_PACKAGES.join(' ')}`,
    'rm -rf /var/lib/apt/lists/*',
    `id -u ${user} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ${user}`,
    `printf '%s ALL=(ALL) NOPASSWD:ALL\\n' ${user} > /etc/sudoers.d/90-build-images-rehearse`,
    'chmod 0440 /etc/sudoers.d/90-build-images-rehearse',
    `printf '[Unit]\\nDescription=build-images rehearse: provisioning over SSH\\nRequires=basic.target ssh.service systemd-user-sessions.service\\nAfter=basic.target ssh.service systemd-user-sessions.service\\nAllowIsolate=yes\\n' > /etc/systemd/system/${PROVISIONING_TARGET}`,
    // The mount points of the per-run sshd settings (bind-mounted read-only at every start).
    'touch /etc/ssh/sshd_config.d/build-images-rehearse.conf /etc/ssh/build-images-rehearse.keys',
  ].join('\n');
}

/** The sshd drop-in of a provisioning host; sshd_config reads sshd_config.d/ first, so these settings win. */
export const sshdConfig = (port: number): string =>
  [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    'AuthorizedKeysFile /etc/ssh/build-images-rehearse.keys',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    '',
  ].join('\n');

async function docker(args: readonly string[], options: { input?: string } = {}): Promise<string> {
  const result = await execa('docker', args, {
    reject: false,
    all: true,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `docker ${args.slice(0, 2).join(' ')} failed (exit ${result.exitCode}): ${String(result.all ?? '')
        .trim()
        .slice(-2000)}`,
    );
  }
  return String(result.stdout).trim();
}

export function dockerSystemdHosts(prefix = 'build-images-rehearse'): SystemdHosts {
  return {
    async hostImage(base, user, onLine) {
      const baseId = await docker(['image', 'inspect', '--format', '{{.Id}}', base]).catch(() => {
        throw new Error(`the base image ${base} (targets.docker.base_image) is not in the Docker engine: pull or make it first`);
      });
      const tag = `${prefix}-host:${createHash('sha256').update(`${RECIPE_VERSION}\n${baseId}\n${user}`).digest('hex').slice(0, 16)}`;
      const present = await execa('docker', ['image', 'inspect', tag], { reject: false });
      if (present.exitCode === 0) return tag;
      onLine(`making the host image ${tag}: ${base} + ${HOST_PACKAGES.join(', ')}, user ${user} with sudo`);
      const name = `${prefix}-hostprep-${process.pid}-${Date.now()}`;
      try {
        await docker(['run', '--name', name, '--network=host', '--entrypoint', '/bin/sh', base, '-c', hostRecipe(user)]);
        await docker(['commit', name, tag]);
      } finally {
        await execa('docker', ['rm', '-f', name], { reject: false });
      }
      return tag;
    },

    async newKey(hostImage, dir) {
      await docker([
        'run',
        '--rm',
        '--network=none',
        '--volume',
        `${dir}:/key`,
        '--entrypoint',
        'ssh-keygen',
        hostImage,
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        'build-images-rehearse',
        '-f',
        '/key/id_ed25519',
      ]);
      return { privateKey: join(dir, 'id_ed25519'), publicKey: join(dir, 'id_ed25519.pub') };
    },

    async startProvisioning(host) {
      await writeFile(join(host.dir, 'sshd.conf'), sshdConfig(host.port));
      return docker([
        'run',
        '-d',
        '--name',
        host.name,
        '--network=host',
        ...SYSTEMD_RUN,
        '--volume',
        `${join(host.dir, 'sshd.conf')}:/etc/ssh/sshd_config.d/build-images-rehearse.conf:ro`,
        '--volume',
        `${join(host.dir, 'id_ed25519.pub')}:/etc/ssh/build-images-rehearse.keys:ro`,
        ...host.volumes.flatMap((v) => ['--volume', v]),
        host.image,
        `--unit=${PROVISIONING_TARGET}`,
      ]);
    },

    async stopAndCommit(container, tag) {
      await docker(['stop', '--time', '90', container]);
      await docker(['commit', container, tag]);
    },

    boot: (image, name) => docker(['run', '-d', '--name', name, '--network=none', '--hostname', name.slice(-63), ...SYSTEMD_RUN, image]),

    async exec(container, script) {
      const result = await execa('docker', ['exec', '-i', container, 'bash', '-s'], { input: script, reject: false, all: true });
      return { exitCode: result.exitCode ?? 1, output: String(result.all ?? '') };
    },

    async remove(container) {
      await execa('docker', ['rm', '-f', '--volumes', container], { reject: false });
    },

    async removeImage(tag) {
      await execa('docker', ['image', 'rm', tag], { reject: false });
    },
  };
}
