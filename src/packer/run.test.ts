import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packerCli } from './run.js';
import { versionCache } from './version-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'packer-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A stand-in `packer`: a shell script with this body. */
const script = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};

// version() and init() run through node's execFile (execa loads only for a build): real processes here.
describe('packerCli version()', () => {

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

  it('asks a given executable once: later runs read what it said from the cache, until the file changes', async () => {
    const counter = join(dir, 'asked');
    const path = script('counted-packer', `echo x >> ${counter}; echo "Packer v1.6.6"`);
    const cache = versionCache(join(dir, 'cache'));
    const asked = (): number => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').length - 1 : 0);
    expect(await packerCli(path, {}, cache).version()).toEqual({ ok: true, value: { major: 1, minor: 6, patch: 6 } });
    expect(await packerCli(path, {}, cache).version()).toEqual({ ok: true, value: { major: 1, minor: 6, patch: 6 } });
    expect(asked()).toBe(1);
    // An upgrade in place: new content, so a new size, mtime and ctime.
    script('counted-packer', `echo x >> ${counter}; echo "Packer v1.9.4"`);
    expect(await packerCli(path, {}, cache).version()).toEqual({ ok: true, value: { major: 1, minor: 9, patch: 4 } });
    expect(asked()).toBe(2);
    // A failure is never cached: the next run asks again.
    const broken = script('broken-packer', `echo x >> ${counter}; exit 1`);
    await packerCli(broken, {}, cache).version();
    await packerCli(broken, {}, cache).version();
    expect(asked()).toBe(4);
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

// What doctor asks (PackerProbe): the same executable and environment as builds, real processes here.
describe('packerCli probe() and plugins()', () => {

  it('a Packer that answers: found, at its path', async () => {
    const path = script('good', 'echo "Packer v1.6.6"');
    expect(await packerCli(path).probe()).toEqual({ kind: 'found', path, version: { major: 1, minor: 6, patch: 6 } });
  });

  it('a Packer that fails: broken, with the exit code and the first line it said', async () => {
    const path = script('failing', 'echo "broken install" >&2; echo "more" >&2; exit 3');
    expect(await packerCli(path).probe()).toEqual({
      kind: 'broken',
      path,
      message: `Command failed with exit code 3: ${path} version: broken install`,
    });
  });

  it('a Packer that prints no version: broken, with what it printed', async () => {
    const path = script('chatty', 'echo hello');
    expect(await packerCli(path).probe()).toEqual({ kind: 'broken', path, message: 'unexpected output "hello"' });
  });

  it('no Packer: missing', async () => {
    expect(await packerCli(join(dir, 'absent')).probe()).toEqual({ kind: 'missing' });
  });

  it('a bare name is looked up on PATH, and the path found is reported', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const path = join(bin, 'packer-on-path');
    writeFileSync(path, '#!/bin/sh\necho "Packer v1.11.2"\n');
    chmodSync(path, 0o755);
    const before = process.env.PATH;
    process.env.PATH = `${bin}:${before ?? ''}`;
    try {
      expect(await packerCli('packer-on-path').probe()).toMatchObject({ kind: 'found', path });
    } finally {
      process.env.PATH = before;
    }
  });

  it.each([
    {
      name: 'lists the binaries (stdout, one a line)',
      body: 'echo "/root/.packer.d/plugins/github.com/hashicorp/docker/packer-plugin-docker_v1.0.8_x5.0_linux_amd64"; echo',
      want: {
        kind: 'listed',
        binaries: ['/root/.packer.d/plugins/github.com/hashicorp/docker/packer-plugin-docker_v1.0.8_x5.0_linux_amd64'],
      },
    },
    {
      name: 'a Packer before 1.7: unsupported (usage text, exit 127)',
      body: 'echo "Usage: packer [--version] [--help] <command> [<args>]" >&2; exit 127',
      want: { kind: 'unsupported' },
    },
    { name: 'an error: its first line', body: 'echo "cannot read plugin dir" >&2; echo "detail" >&2; exit 1', want: { kind: 'error', message: 'cannot read plugin dir' } },
  ])('plugins(): $name', async ({ name, body, want }) => {
    expect(await packerCli(script(`plugins-${name.replace(/\W+/g, '-')}`, body)).plugins()).toEqual(want);
  });
});
