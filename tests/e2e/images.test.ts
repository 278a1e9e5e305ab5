import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli, removeProjects } from '../helpers/project.js';
import { assertPrerequisites, docker, E2E, e2eTitle } from '../helpers/e2e.js';
import { eventually, httpGet, OFFLINE_ENV } from '../helpers/provisioners.js';

afterAll(removeProjects);

/**
 * The five Cortex images as built by the tool, each started with --network=none and probed from inside with
 * `docker exec`: the expected binaries at the expected versions, config files that pass the programs' own checks,
 * the services that are real in the offline build (node_exporter, nginx, prometheus) answering on their ports,
 * and `docker stop` ending the container within Docker's grace period.
 *
 * describeCortexImages(projectDir) can be called from another e2e test with the directory of a project the tool
 * built (it reads terraform/docker/images.auto.tfvars.json there). Run alone, this file builds the tree itself
 * with the offline overlay, in a copy of the repository, as tests/e2e/cortex-tree.test.ts does.
 */

/** What the images should say they run as in Docker (the `docker:` entries of images.yaml). */
export const DOCKER_RUNTIME = {
  entrypoint: ['/usr/bin/tini', '--', '/usr/local/bin/image-start'],
  expose: {
    base: ['8301/tcp', '8301/udp', '9100/tcp'],
    consul: ['8300/tcp', '8301/tcp', '8301/udp', '8302/tcp', '8302/udp', '8500/tcp', '8600/tcp', '8600/udp', '9100/tcp'],
    cortex: ['8301/tcp', '8301/udp', '9009/tcp', '9095/tcp', '9100/tcp'],
    nginx: ['4040/tcp', '80/tcp', '8301/tcp', '8301/udp', '9100/tcp'],
    monitoring: ['3000/tcp', '8301/tcp', '8301/udp', '9090/tcp', '9100/tcp'],
  } as Record<string, string[]>,
};

/** The versions of the offline build (examples/offline/images.yaml and lib/versions.sh). */
export interface ExpectedVersions {
  nodeExporter: string;
  consul: string;
  cortex: string;
  prometheus: string;
  grafana: string;
  nginxlogExporter: string;
}
export const OFFLINE_VERSIONS: ExpectedVersions = {
  nodeExporter: OFFLINE_ENV.NODE_EXPORTER_VERSION!,
  consul: '1.21.2',
  cortex: '1.20.0',
  prometheus: OFFLINE_ENV.PROMETHEUS_VERSION!,
  grafana: '12.0.2',
  nginxlogExporter: '1.11.0',
};

const IMAGES = ['base', 'consul', 'cortex', 'nginx', 'monitoring'] as const;
type Image = (typeof IMAGES)[number];

/** Registers the probes of every image of the project built in projectDir(). */
export function describeCortexImages(projectDir: () => string, versions: ExpectedVersions = OFFLINE_VERSIONS): void {
  describe('each image, started with --network=none and probed from inside', () => {
    let ids: Record<string, string>;
    const containers = new Map<Image, string>();

    beforeAll(async () => {
      ids = (
        JSON.parse(await readFile(join(projectDir(), 'terraform/docker/images.auto.tfvars.json'), 'utf8')) as {
          images: Record<string, string>;
        }
      ).images;
      // Started as they are: the image's own entrypoint (tini + image-start) must run them.
      for (const image of IMAGES)
        containers.set(image, await docker('run', '-d', '--network=none', '--label', 'org.build-images.test=images', ids[image]!));
    }, 120_000);

    afterAll(async () => {
      const running = [...containers.values()];
      if (running.length > 0) await execa('docker', ['rm', '-f', ...running], { reject: false });
    });

    const exec = (image: Image, ...cmd: string[]) =>
      execa('docker', ['exec', containers.get(image)!, ...cmd], { reject: false, all: true });
    const ok = async (image: Image, ...cmd: string[]) => {
      const run = await exec(image, ...cmd);
      expect(run.exitCode, `${image}: ${cmd.join(' ')}\n${run.all}`).toBe(0);
      return run.all ?? '';
    };

    it('declares tini + image-start as entrypoint and its ports (images.yaml docker: settings)', async () => {
      for (const image of IMAGES) {
        const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', ids[image]!)) as {
          Entrypoint: string[];
          ExposedPorts: Record<string, object>;
        };
        expect(config.Entrypoint, image).toEqual(DOCKER_RUNTIME.entrypoint);
        expect(Object.keys(config.ExposedPorts ?? {}).sort(), image).toEqual(DOCKER_RUNTIME.expose[image]);
      }
    });

    it('every image has base’s programs at the expected versions, run by tini and image-start', async () => {
      for (const image of IMAGES) {
        expect(await ok(image, '/usr/local/bin/node_exporter', '--version')).toContain(`version ${versions.nodeExporter}`);
        expect(await ok(image, 'consul', 'version')).toContain(`Consul v${versions.consul}`);
        expect(await ok(image, 'cat', '/proc/1/cmdline')).toBe('/usr/bin/tini\0--\0/usr/local/bin/image-start\0');
        expect(await ok(image, 'ls', '/etc/image-start.d')).toMatch(/^10-node-exporter\n20-consul(\n|$)/);
      }
    });

    it('every image keeps no build leftovers: no apt lists, no curl or unzip, no /tmp/build-images', async () => {
      for (const image of IMAGES) {
        expect(await ok(image, 'bash', '-c', 'ls -A /var/lib/apt/lists | grep -v "^partial$" | grep -v "^lock$" || true'), image).toBe('');
        for (const tool of ['curl', 'unzip'])
          expect((await exec(image, 'bash', '-c', `command -v ${tool}`)).exitCode, `${image}: ${tool}`).not.toBe(0);
        expect((await exec(image, 'test', '-e', '/tmp/build-images')).exitCode, image).not.toBe(0);
        expect(await ok(image, 'bash', '-c', 'ls /tmp | grep build-images || true'), image).toBe('');
      }
    });

    it('node_exporter answers /metrics in every image', async () => {
      for (const image of IMAGES) {
        let last = { status: 0, body: '' };
        const up = await eventually(async () => (last = await httpGet(containers.get(image)!, 9100, '/metrics')).status === 200, 15_000);
        expect(up, `${image}: ${last.status}`).toBe(true);
        expect(last.body).toMatch(/^node_exporter_build_info\{.*version="[^"]+"/m);
      }
    }, 60_000);

    it('consul: the agent is a server with the UI, and the container’s main service', async () => {
      expect(await ok('consul', 'cat', '/etc/consul.d/server.hcl')).toMatch(/server\s+= true[\s\S]*bootstrap_expect = 1/);
      expect(await ok('consul', 'cat', '/etc/image-start.d/20-consul')).toContain('# image-start-role: main');
      expect(await ok('consul', 'consul', 'validate', '/etc/consul.d')).toBeDefined();
    });

    it('cortex: the binary and its configuration, with the rings in consul', async () => {
      expect(await ok('cortex', 'cortex', '-version')).toContain(versions.cortex);
      const config = await ok('cortex', 'cat', '/etc/cortex/cortex.yaml');
      expect(config).toContain('auth_enabled: false');
      expect(config).toContain('http_listen_port: 9009');
      expect(config).toMatch(/store: consul/);
      expect(await ok('cortex', 'ls', '/etc/image-start.d')).toContain('50-cortex');
    });

    it('nginx: `nginx -t` passes and the gateway answers on port 80', async () => {
      expect(await ok('nginx', 'nginx', '-t')).toContain('test is successful');
      let last = { status: 0, body: '' };
      expect(await eventually(async () => (last = await httpGet(containers.get('nginx')!, 80, '/healthz')).status === 200, 15_000)).toBe(
        true,
      );
      expect(last.body.trim()).toBe('ok');
      expect(await ok('nginx', 'prometheus-nginxlog-exporter', '-version')).toContain(versions.nginxlogExporter);
    }, 30_000);

    it('monitoring: promtool accepts the configuration and prometheus answers /-/ready', async () => {
      expect(await ok('monitoring', 'prometheus', '--version')).toContain(`version ${versions.prometheus}`);
      expect(await ok('monitoring', 'promtool', 'check', 'config', '/etc/prometheus/prometheus.yml')).toContain('SUCCESS');
      let last = { status: 0, body: '' };
      expect(
        await eventually(async () => (last = await httpGet(containers.get('monitoring')!, 9090, '/-/ready')).status === 200, 30_000),
        String(last.status),
      ).toBe(true);
      expect(await ok('monitoring', 'grafana', '--version')).toContain(versions.grafana);
      expect(await ok('monitoring', 'bash', '-c', 'cat /etc/grafana/provisioning/datasources/*.yaml')).toMatch(
        /name: Prometheus[\s\S]*name: Cortex/,
      );
    }, 60_000);

    it('`docker stop` ends every container within the grace period, cleanly', async () => {
      for (const image of IMAGES) {
        const t0 = Date.now();
        await docker('stop', '--time', '10', containers.get(image)!);
        const took = Date.now() - t0;
        const state = JSON.parse(await docker('inspect', '--format', '{{json .State}}', containers.get(image)!)) as {
          ExitCode: number;
          OOMKilled: boolean;
        };
        const logs = (await execa('docker', ['logs', containers.get(image)!], { all: true })).all ?? '';
        expect(took, `${image} took ${took} ms to stop\n${logs}`).toBeLessThan(9_000);
        expect(state.ExitCode, `${image}\n${logs}`).toBe(0);
        expect(logs, image).toContain('image-start: got SIGTERM: stopping every service');
        expect(logs, image).not.toContain('did not stop within');
      }
    }, 90_000);
  });
}

describe.skipIf(!E2E)(e2eTitle('the Cortex images, built for real and run'), () => {
  let dir: string;

  beforeAll(async () => {
    await assertPrerequisites();
    dir = await makeProject({}, ['images.yaml', 'provisioners', 'examples', 'schema', 'terraform']);
    const run = await runCli(dir, ['--target', 'docker', '--config', 'images.yaml', '--config', 'examples/offline/images.yaml']);
    if (run.exitCode !== 0) throw new Error(`build-images failed (exit ${run.exitCode}):\n${run.all}`);
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describeCortexImages(() => dir);
});
