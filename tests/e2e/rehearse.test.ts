import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrerequisites, docker, E2E, e2eTitle } from '../helpers/e2e.js';
import { makeProject, runCli } from '../helpers/project.js';

/**
 * `build-images rehearse --target ami`, for real: Packer 1.6.6's null builder runs the AMI templates' provisioner
 * blocks over SSH, as the sudo user, into containers that boot with systemd as PID 1; each image's state is
 * committed and booted again, and its units and health endpoints are checked from inside. No AWS.
 */
describe.skipIf(!E2E)(e2eTitle('rehearse --target ami'), () => {
  const leftovers = async (): Promise<string> =>
    (await docker('ps', '-a', '--filter', 'name=build-images-rehearse-', '--format', '{{.Names}}')).trim();

  describe('the reference tree, offline', () => {
    let dir: string;
    let run: Awaited<ReturnType<typeof runCli>>;
    let seconds: number;
    const images = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];

    beforeAll(async () => {
      await assertPrerequisites();
      dir = await makeProject({}, ['images.yaml', 'provisioners', 'examples', 'schema']);
      const started = Date.now();
      run = await runCli(dir, ['rehearse', '--target', 'ami', '--config', 'images.yaml', '--config', 'examples/offline/images.yaml']);
      seconds = Math.round((Date.now() - started) / 1000);
      // The wall time CI reports for the rehearsal of the reference tree.
      console.log(`rehearse of the reference tree: ${seconds} s`);
    }, 1_800_000);

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('passes every image, each provisioned over SSH with the AMI provisioner blocks and booted with systemd', () => {
      expect(run.exitCode, run.all).toBe(0);
      for (const image of images) expect(run.stdout).toMatch(new RegExp(`^${image}: passed in \\d+ s$`, 'm'));
      expect(run.stdout).toContain('Rehearsed 5 of 5 images');
    });

    it('names the units the provisioners enabled, each active after the boot', () => {
      const block = (image: string): string => new RegExp(`^${image}: passed[\\s\\S]*?(?=^\\S|\\n\\n)`, 'm').exec(run.stdout)?.[0] ?? '';
      expect(block('base')).toMatch(/unit +node-exporter\.service active \(running\)\n/);
      expect(block('base')).toMatch(/unit +consul\.service active \(running\)\n/);
      expect(block('base')).toMatch(/unit +consul-instance-config\.service active \(exited\)\n/);
      expect(block('cortex')).toMatch(/unit +cortex\.service active \(running\)\n/);
      expect(block('nginx')).toMatch(/unit +nginx\.service active \(running\)\n/);
      expect(block('nginx')).toMatch(/unit +nginxlog-exporter\.service active \(running\)\n/);
      expect(block('monitoring')).toMatch(/unit +prometheus\.service active \(running\)\n/);
      expect(block('monitoring')).toMatch(/unit +grafana\.service active \(running\)\n/);
      // A child's host starts from its parent's rehearsed state: base's units run in every child.
      expect(block('monitoring')).toMatch(/unit +node-exporter\.service active \(running\) \(from a parent\)\n/);
    });

    it('gets an answer from every real program’s health endpoint, from inside the host', () => {
      expect(run.stdout).toMatch(/health +node-exporter http:\/\/localhost:9100\/metrics: HTTP\/1\.[01] 200/);
      expect(run.stdout).toMatch(/health +nginx http:\/\/localhost:80\/healthz: HTTP\/1\.[01] 200/);
      expect(run.stdout).toMatch(/health +prometheus http:\/\/localhost:9090\/-\/healthy: HTTP\/1\.[01] 200/);
      // The offline mirror's grafana is a labelled stand-in: said so, not counted as a pass.
      expect(run.stdout).toMatch(/health +grafana http:\/\/localhost:3000\/api\/health: not checked: \S+ is an offline stand-in/);
    });

    it('ran the scripts as on EC2 (amazon-ebs paths: systemd units, no image-start)', async () => {
      const log = await readFile(join(dir, '.build-images/logs/rehearse/base.log'), 'utf8');
      expect(log).toContain('Uploading .build-images/rehearse/../../provisioners/lib/ => /tmp/build-images/lib');
      expect(log).toMatch(/done: node_exporter \S+ on :9100 \(systemd\)/);
    });

    it('leaves no container behind and writes no tfvars', async () => {
      expect(await leftovers()).toBe('');
      await expect(readFile(join(dir, 'terraform/aws/images.auto.tfvars.json'))).rejects.toThrow();
    });
  });

  describe('a provisioner that installs a unit which cannot start', () => {
    let dir: string;
    let run: Awaited<ReturnType<typeof runCli>>;

    beforeAll(async () => {
      await assertPrerequisites();
      dir = await makeProject(
        {
          'images.yaml': [
            'version: 1',
            'targets:',
            '  docker: { base_image: local/debian:bookworm }',
            'images:',
            '  app: { provisioners: [broken] }',
            '  child: { parent: app, provisioners: [broken] }',
            '',
          ].join('\n'),
          // Sources lib/ exactly as the real provisioners do (finding 1: over SSH, lib/ must arrive as a folder).
          'provisioners/broken.sh': [
            '#!/usr/bin/env bash',
            'set -euo pipefail',
            'BI_NAME=broken',
            'lib=/tmp/build-images/lib',
            '. "$lib/common.sh"',
            'require_root',
            'log "lib/common.sh sourced over SSH; service manager: $(service_manager)"',
            "printf '[Unit]\\nDescription=cannot start\\n[Service]\\nExecStart=/usr/local/bin/no-such-program\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/broken-demo.service",
            'systemctl enable broken-demo.service',
            '',
          ].join('\n'),
        },
        ['provisioners/lib'],
      );
      run = await runCli(dir, ['rehearse', '--target', 'ami']);
    }, 900_000);

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('sources lib/ over SSH and sees PACKER_BUILDER_TYPE=amazon-ebs', async () => {
      const log = await readFile(join(dir, '.build-images/logs/rehearse/app.log'), 'utf8');
      expect(log).toContain('==> broken: lib/common.sh sourced over SSH; service manager: systemd');
    });

    it('fails, naming the unit with its journal, and skips the child', () => {
      expect(run.exitCode, run.all).toBe(1);
      expect(run.stdout).toMatch(/^app: FAILED after \d+ s$/m);
      expect(run.stdout).toMatch(/broken-demo\.service failed:/);
      expect(run.stdout).toMatch(/no-such-program/);
      expect(run.stdout).toContain('child: skipped (its parent app did not pass)');
      expect(run.stdout).toContain('Rehearsed 0 of 2 images');
    });

    it('leaves no container behind', async () => {
      expect(await leftovers()).toBe('');
    });
  });
});
