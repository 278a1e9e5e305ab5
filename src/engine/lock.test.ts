import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import { acquireLock, lockPath } from './lock.js';

afterAll(removeTempDirs);

describe('project lock', () => {
  it('refuses a second run while the first holds the lock, and frees it on release', async () => {
    const dir = await tempDir({});
    const first = await acquireLock(dir, 'build --target docker');
    expect(first.ok).toBe(true);
    const second = await acquireLock(dir, 'build --target docker');
    expect(second).toEqual({
      ok: false,
      message: expect.stringMatching(
        new RegExp(
          `^another build-images run holds .*lock \\(pid ${process.pid} on ${hostname()}, started .*: build --target docker\\)\\. Wait for it to finish`,
        ),
      ),
    });
    if (first.ok) await first.release();
    const third = await acquireLock(dir, 'plan');
    expect(third.ok).toBe(true);
    if (third.ok) await third.release();
  });

  it('takes over a stale lock left by a killed run on this host', async () => {
    const dir = await tempDir({ '.build-images/': '' });
    await writeFile(lockPath(dir), JSON.stringify({ pid: 999_999, host: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'build' }));
    const taken = await acquireLock(dir, 'build', (pid) => pid !== 999_999);
    expect(taken).toMatchObject({ ok: true, recovered: { pid: 999_999 } });
    expect(JSON.parse(await readFile(lockPath(dir), 'utf8')).pid).toBe(process.pid);
  });

  it('treats an unreadable lock file as stale', async () => {
    const dir = await tempDir({ '.build-images/lock': 'half-writ' });
    expect((await acquireLock(dir, 'build')).ok).toBe(true);
  });

  it('does not take over a lock held by another host', async () => {
    const dir = await tempDir({ '.build-images/': '' });
    await writeFile(lockPath(dir), JSON.stringify({ pid: 1, host: 'other-host', startedAt: 'x', command: 'build' }));
    expect((await acquireLock(dir, 'build', () => false)).ok).toBe(false);
  });
});
