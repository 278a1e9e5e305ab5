/**
 * Issue 13, finding 13: a project directory named `dir{{uuid}}x` broke the build. Packer 1.6.6's file
 * provisioner renders its source through the Go template engine twice: once in Prepare, where
 * config.Decode runs with Interpolate: true and an empty filter (hashicorp/packer v1.6.6,
 * provisioner/file/provisioner.go, Prepare; packer-plugin-sdk/template/config/decode.go, "Interpolate
 * first"), and again in ProvisionUpload (`interpolate.Render(src, &p.config.ctx)`). The env file was
 * passed by absolute path, so the directory name was templated. `path.root` is the template's directory
 * as given on the command line (hcl2template/parser.go: Basedir = filepath.Dir(filename)), relative,
 * so the scripts and provisioners/lib/ paths never held it. One tiny real build, in such a directory.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPrerequisites, BASE_IMAGE, docker, E2E, e2eTitle } from '../helpers/e2e.js';
import { makeProject, runCli } from '../helpers/project.js';
import { cp } from 'node:fs/promises';

const REPOSITORY = `rel-e2e-${process.pid}`;

describe.skipIf(!E2E)(e2eTitle('a project directory whose name holds {{ }}'), () => {
  let parent: string | undefined;
  afterAll(async () => {
    await docker('image', 'rm', '-f', `${REPOSITORY}/root:latest`).catch(() => undefined);
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('builds, and the env file and provisioners/lib/ arrive', { timeout: 300_000 }, async () => {
    await assertPrerequisites();
    const made = await makeProject({
      'images.yaml': `version: 1
variables:
  GREETING: hello
targets:
  docker:
    base_image: ${BASE_IMAGE}
    repository: ${REPOSITORY}
    run_args: ["--network=none"]
images:
  root: { provisioners: [mark] }
`,
      'provisioners/mark.sh': '#!/bin/sh\nset -eu\n. /tmp/build-images/lib/common.sh\necho "$GREETING $FROM_LIB" > /mark\n',
      'provisioners/lib/common.sh': 'FROM_LIB=from-lib\n',
    });
    parent = await mkdtemp(join(tmpdir(), 'build-images-tpl-'));
    const dir = join(parent, 'dir{{uuid}}x');
    await mkdir(dir);
    await cp(made, dir, { recursive: true });
    await rm(made, { recursive: true, force: true });

    const run = await runCli(dir, ['build', '--target', 'docker', '--plain', '--force']);
    expect(run.exitCode, run.all).toBe(0);
    expect(await docker('run', '--rm', '--network=none', '--entrypoint=/bin/cat', `${REPOSITORY}/root:latest`, '/mark')).toBe(
      'hello from-lib',
    );
    // The env file lived only for the build.
    expect(await readdir(join(dir, '.build-images', 'docker', 'env'))).toEqual([]);
  });
});
