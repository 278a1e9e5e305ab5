import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packerCli } from './run.js';

// version() and init() run through node's execFile (execa loads only for a build): real processes here.
describe('packerCli version()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it.each([
    { name: 'a Packer 1.6.6', body: 'echo "Packer v1.6.6"', want: { ok: true, value: { major: 1, minor: 6, patch: 6 } } },
    { name: 'a current Packer', body: 'echo "Packer v1.11.2"; echo; echo "Your version of Packer is up to date!"', want: { ok: true } },
    { name: 'unreadable output', body: 'echo "hello"', want: { ok: false, error: /could not read a version from `.* version`: hello/ } },
    {
      name: 'a failing command, with its stderr',
      body: 'echo "broken install" >&2; exit 3',
      want: { ok: false, error: /^Command failed with exit code 3: .* version\nbroken install$/ },
    },
  ])('$name', async ({ name, body, want }) => {
    const got = await packerCli(script(name.replace(/\W+/g, '-'), body)).version();
    expect(got.ok).toBe(want.ok);
    if (got.ok && 'value' in want) expect(got.value).toMatchObject(want.value as object);
    if (!got.ok && 'error' in want) expect(got.error).toMatch(want.error as RegExp);
  });

  it('names the fix when the executable is not on PATH', async () => {
    const got = await packerCli(join(dir, 'no-such-packer')).version();
    expect(got).toEqual({ ok: false, error: expect.stringMatching(/was not found on PATH\. Install Packer >= 1\.6/) });
  });

  it('reads the installed Packer, when there is one', async () => {
    let installed: string | undefined;
    try {
      installed = execFileSync('packer', ['version'], { encoding: 'utf8' });
    } catch {
      if (process.env.CI) throw new Error('packer is not installed (CI must have it)');
      console.log('skipped: packer is not installed');
      return;
    }
    const got = await packerCli().version();
    expect(got.ok).toBe(true);
    if (got.ok) expect(installed).toContain(`${got.value.major}.${got.value.minor}.${got.value.patch}`);
  });
});
