import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir.js';
import { builderCidr } from './builder-address.js';
import { readGitCommit } from './git-commit.js';

afterAll(removeTempDirs);

const answer =
  (status: number, body: string): typeof fetch =>
  async () =>
    new Response(body, { status });

describe('builderCidr', () => {
  it('is the address checkip answers, as a /32', async () => {
    expect(await builderCidr({ fetch: answer(200, '203.0.113.7\n') })).toEqual({ ok: true, value: '203.0.113.7/32' });
  });

  it('says why when it cannot tell', async () => {
    expect(await builderCidr({ fetch: answer(503, 'busy') })).toEqual({
      ok: false,
      error: "could not learn this machine's public IP address: https://checkip.amazonaws.com/ answered 503",
    });
    expect(await builderCidr({ fetch: answer(200, '<html>captive portal</html>') })).toEqual({
      ok: false,
      error: `could not learn this machine's public IP address: https://checkip.amazonaws.com/ answered "<html>captive portal</html>", not an IPv4 address`,
    });
    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await builderCidr({ fetch: offline })).toEqual({
      ok: false,
      error: "could not learn this machine's public IP address from https://checkip.amazonaws.com/: fetch failed",
    });
  });
});

describe('readGitCommit', () => {
  const SHA = '0123456789abcdef0123456789abcdef01234567';

  it('follows HEAD to a loose ref, from a subdirectory', async () => {
    const dir = await tempDir({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${SHA}\n`, 'sub/dir/': '' });
    expect(await readGitCommit(`${dir}/sub/dir`)).toBe(SHA);
  });

  it('packed refs, a detached HEAD, a worktree .git file', async () => {
    const packed = await tempDir({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${SHA} refs/heads/main\n`,
    });
    expect(await readGitCommit(packed)).toBe(SHA);
    const detached = await tempDir({ '.git/HEAD': `${SHA}\n` });
    expect(await readGitCommit(detached)).toBe(SHA);
    const worktree = await tempDir({
      'main/.git/refs/heads/feature': `${SHA}\n`,
      'main/.git/worktrees/wt/HEAD': 'ref: refs/heads/feature\n',
      'main/.git/worktrees/wt/commondir': '../..\n',
      'wt/.git': 'gitdir: ../main/.git/worktrees/wt\n',
    });
    expect(await readGitCommit(`${worktree}/wt`)).toBe(SHA);
  });

  it('is undefined outside a work tree or for an unborn branch', async () => {
    expect(await readGitCommit(await tempDir({ 'x/': '' }))).toBeUndefined();
    expect(await readGitCommit(await tempDir({ '.git/HEAD': 'ref: refs/heads/main\n' }))).toBeUndefined();
  });
});
