import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from '@cdktf/hcl2json';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, REPO, runCli, removeProjects } from './helpers/project.js';

afterAll(removeProjects);

const hasPacker = await execa('packer', ['version'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);

describe('build-images CLI (real binary)', () => {
  it('reports every config problem with file:line:col, exits 2 and writes nothing', async () => {
    const dir = await makeProject({
      'images.yaml': 'version: 1\nimages:\n  base: { provisioners: [missing] }\n  app: { parent: bsae, provisioners: [missing] }\n',
    });
    const run = await runCli(dir, ['--target', 'docker']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "images.yaml:3:26: error: provisioner "missing" of image "base" not found: there is no provisioners/missing.sh
          3 |   base: { provisioners: [missing] }
            |                          ^^^^^^^
        hint: there is no provisioners/ directory next to the first config file

      images.yaml:4:18: error: unknown parent "bsae" of image "app"
          4 |   app: { parent: bsae, provisioners: [missing] }
            |                  ^^^^
        hint: did you mean "base"? Known images: base, app

      images.yaml:4:39: error: provisioner "missing" of image "app" not found: there is no provisioners/missing.sh
          4 |   app: { parent: bsae, provisioners: [missing] }
            |                                       ^^^^^^^
        hint: there is no provisioners/ directory next to the first config file

      3 problems in the config: nothing was built or written."
    `);
    expect(await readdir(dir)).toEqual(['images.yaml']);
  });

  it('exits 2 on an unknown target and on an unknown flag, with a suggestion', async () => {
    const unknownTarget = await runCli(REPO, ['--target', 'vmware']);
    expect(unknownTarget.exitCode).toBe(2);
    expect(unknownTarget.stderr).toContain(
      "error: option '-t, --target <target>' argument 'vmware' is invalid. Allowed choices are docker, ami.",
    );
    const typo = await runCli(REPO, ['plan', '--confg', 'images.yaml']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain("error: unknown option '--confg'\n(Did you mean --config?)");
  });

  it('exits 2 on conflicting or unknown --force/--only names, before touching Packer or Docker', async () => {
    const conflict = await runCli(REPO, ['build', '--force', 'consul', '--only', 'cortex'], { PATH: '/nonexistent' });
    expect(conflict.exitCode).toBe(2);
    expect(conflict.stderr).toBe(
      'error: conflicting flags: --force consul, but --only cortex leaves consul out (it is neither named nor an ancestor of a named image)',
    );
    const unknown = await runCli(REPO, ['plan', '--only', 'ngnix'], { PATH: '/nonexistent' });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('error: --only names unknown image "ngnix"; did you mean "nginx"?');
  });

  it('exits 2 when a --config overlay is missing or not a file', async () => {
    const missing = await runCli(REPO, ['plan', '--config', 'images.yaml', '--config', 'nope.yaml']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('error: config file nope.yaml does not exist');
    const directory = await runCli(REPO, ['plan', '--config', 'images.yaml', '--config', 'provisioners']);
    expect(directory.exitCode).toBe(2);
    expect(directory.stderr).toContain('provisioners');
  });

  it('exits 2 when a secret the config lists is not set, before building anything', async () => {
    const dir = await makeProject({
      'images.yaml': 'version: 1\nsecrets: [BI_TEST_UNSET_SECRET]\nimages:\n  solo: { provisioners: [ok] }\n',
      'provisioners/ok.sh': '#!/bin/sh\n',
    });
    const run = await runCli(dir, ['build'], { PATH: '/nonexistent' });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'error: secret BI_TEST_UNSET_SECRET listed under `secrets` in images.yaml is not set in the environment\n  hint: export BI_TEST_UNSET_SECRET=… before running build-images (the value is passed to provisioners and never written or logged)',
    );
  });

  it.each(['docker', 'ami'])('keeps the committed templates in packer/%s/ current (generate --check)', async (target) => {
    const run = await runCli(REPO, ['generate', '--target', target, '--check', '--packer-version', '1.6.6']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`5 templates in packer/${target}/ are up to date (Packer 1.6.6).`);
    expect(run.exitCode).toBe(0);
  });

  it('generate --check fails on a stale or orphaned template and generate repairs it', async () => {
    const dir = await makeProject({}, ['images.yaml', 'provisioners', 'packer']);
    await writeFile(join(dir, 'packer/docker/cortex.pkr.hcl'), '# edited by hand\n');
    const header = (await readFile(join(dir, 'packer/docker/base.pkr.hcl'), 'utf8')).split('\n')[0];
    await writeFile(join(dir, 'packer/docker/gone.pkr.hcl'), `${header}\n`);
    const check = await runCli(dir, ['generate', '--check', '--packer-version', '1.6.6']);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('packer/docker/cortex.pkr.hcl: out of date\npacker/docker/gone.pkr.hcl: no longer in the config');
    const fix = await runCli(dir, ['generate', '--packer-version', '1.6.6']);
    expect(fix.stdout).toContain('wrote   packer/docker/cortex.pkr.hcl\nremoved packer/docker/gone.pkr.hcl');
    expect((await runCli(dir, ['generate', '--check', '--packer-version', '1.6.6'])).exitCode).toBe(0);
  });

  it('renders templates for Packer >= 1.7 with required_plugins, parsed by a real HCL parser', async () => {
    const dir = await makeProject({}, ['images.yaml', 'provisioners']);
    const run = await runCli(dir, ['generate', '--packer-version', '1.10.0']);
    expect(run.exitCode).toBe(0);
    const parsed = (await parse('base.pkr.hcl', await readFile(join(dir, 'packer/docker/base.pkr.hcl'), 'utf8'))) as {
      packer: Array<{ required_plugins: Array<{ docker: { source: string } }> }>;
      source: { docker: Record<string, unknown> };
    };
    expect(parsed.packer[0]?.required_plugins[0]?.docker.source).toBe('github.com/hashicorp/docker');
    expect(Object.keys(parsed.source.docker)).toEqual(['base']);
  });

  it.runIf(hasPacker || process.env.CI === 'true')(
    'every committed template passes real `packer validate` (Packer 1.6 rendering)',
    async () => {
      const dir = await makeProject({ 'empty.env': '' }, ['images.yaml', 'provisioners', 'packer']);
      const vars = {
        source_image: 'local/debian:bookworm',
        run_args: ['--network=host'],
        env_file: join(dir, 'empty.env'),
        repository: 'cortex/base',
        tags: ['latest'],
        labels: { 'org.build-images.image': 'base' },
        changes: ['ENTRYPOINT [""]', 'CMD []'],
      };
      await writeFile(join(dir, 'vars.pkrvars.json'), JSON.stringify(vars));
      for (const template of await readdir(join(dir, 'packer/docker'))) {
        const run = await execa('packer', ['validate', '-var-file=vars.pkrvars.json', `packer/docker/${template}`], {
          cwd: dir,
          reject: false,
          env: { CHECKPOINT_DISABLE: '1' },
        });
        expect(run.exitCode, `${template}\n${run.stdout}\n${run.stderr}`).toBe(0);
      }
    },
  );
});
