/**
 * Bad inputs from the adversarial probe (issue 13) that are only visible through the real CLI:
 * an unreadable script (finding 9, run as a non-root user), a mistyped command and out-of-range numbers (finding 16).
 */
import { chmod, readdir, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeProject, REPO, runCli } from './helpers/project.js';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});
const project = async (files: Record<string, string>): Promise<string> => {
  const dir = await makeProject(files);
  made.push(dir);
  return dir;
};

const CONFIG = 'version: 1\nimages:\n  base: { provisioners: [base] }\n';
/** Root reads any file whatever its mode, so the unreadable case runs the CLI as "nobody". */
const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
const hasSetpriv =
  asNobody.length === 0 ||
  (await execa('setpriv', ['--version'], { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  ));
if (!hasSetpriv) console.log('setpriv not found: cannot run the CLI as a non-root user; the unreadable-script case is skipped');

describe('bad inputs through the CLI', () => {
  it.skipIf(!hasSetpriv)('an unreadable provisioner script is a located config error, exit 2, nothing written', async () => {
    const dir = await project({
      'images.yaml': CONFIG,
      'provisioners/base.sh': '#!/bin/sh\necho hi\n',
      'provisioners/lib/common.sh': 'x=1\n',
    });
    await chmod(dir, 0o755);
    await chmod(`${dir}/provisioners/base.sh`, 0o000);
    await chmod(`${dir}/provisioners/lib/common.sh`, 0o000);
    const [cmd = process.execPath, ...pre] = [...asNobody, process.execPath];
    const run = await execa(cmd, [...pre, BIN, 'build', '--target', 'docker'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "error: cannot read provisioners/lib/common.sh: permission denied
        hint: make it readable by the user running build-images (chmod a+r)

      images.yaml:3:26: error: provisioner "base" of image "base": cannot read provisioners/base.sh: permission denied
          3 |   base: { provisioners: [base] }
            |                          ^^^^
        hint: make it readable by the user running build-images (chmod a+r)

      2 problems in the config: nothing was built or written."
    `);
    expect((await readdir(dir)).sort()).toEqual(['images.yaml', 'provisioners']);
  });

  it('a mistyped command gets "did you mean", exit 2', async () => {
    const run = await runCli(REPO, ['biuld']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "error: unknown command 'biuld' (did you mean build?)
        hint: commands are build, plan, generate, prune, doctor, rehearse, graph; see build-images --help"
    `);
    const other = await runCli(REPO, ['docter']);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('did you mean doctor?');
  });

  it('a number out of range says so', async () => {
    const keep = await runCli(REPO, ['prune', '--keep', '1e400']);
    expect(keep.exitCode).toBe(2);
    expect(keep.stderr).toContain('1e400 is out of range');
    // Finding 7: refused before the config is read or a build starts.
    const timeout = await runCli(REPO, ['build', '--timeout', '1200h'], { PATH: '/nonexistent' });
    expect(timeout.exitCode).toBe(2);
    expect(timeout.stderr).toBe(
      "error: option '--timeout <duration>' argument '1200h' is invalid. 1200h is out of range: at most 168h (7 days).",
    );
    const build = await runCli(REPO, ['build', '--concurrency', '1e400']);
    expect(build.exitCode).toBe(2);
    expect(build.stderr).toMatchInlineSnapshot(
      `"error: option '-j, --concurrency <n>' argument '1e400' is invalid. 1e400 is out of range: expected a whole number from 1 to 10000."`,
    );
  });
});
