import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/project.js';

/**
 * Every shell script the project ships passes shellcheck: the provisioners and their lib/, the offline
 * example's prepare, and scripts/. Scripts are found by their shebang (or a `# shellcheck shell=` line for
 * sourced files), so a new one cannot be forgotten. CI installs shellcheck (.ci/run); there a missing
 * shellcheck is a failure, elsewhere the test is skipped and says why.
 */
const haveShellcheck = await execa('shellcheck', ['--version']).then(
  () => true,
  () => false,
);
const mustRun = process.env.CI === 'true';
const title = haveShellcheck || mustRun ? 'shellcheck' : 'shellcheck [skipped: shellcheck is not installed (apt-get install shellcheck)]';

async function shellScripts(): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) {
        const head = (await readFile(path, 'utf8')).slice(0, 200);
        if (/^#!.*\b(ba)?sh\b/.test(head) || /^# shellcheck shell=(ba)?sh/m.test(head)) found.push(relative(REPO, path));
      }
    }
  };
  for (const dir of ['provisioners', 'scripts', 'examples/offline']) await visit(join(REPO, dir));
  return found.sort();
}

describe.skipIf(!haveShellcheck && !mustRun)(title, () => {
  it('is installed', () => {
    expect(haveShellcheck, 'shellcheck is not on PATH (.ci/run installs it: apt-get install shellcheck)').toBe(true);
  });

  it('finds the scripts it must check', async () => {
    const scripts = await shellScripts();
    for (const expected of [
      'provisioners/consul.sh',
      'provisioners/lib/common.sh',
      'provisioners/lib/image-start',
      'provisioners/lib/consul-instance-config',
      'examples/offline/prepare',
      'scripts/mirror',
    ]) {
      expect(scripts).toContain(expected);
    }
  });

  it('reports nothing for any of them', async () => {
    const scripts = await shellScripts();
    const run = await execa('shellcheck', ['--external-sources', '--format=gcc', ...scripts], { cwd: REPO, reject: false, all: true });
    expect(run.all, `shellcheck ${scripts.join(' ')}`).toBe('');
    expect(run.exitCode).toBe(0);
  });
});
