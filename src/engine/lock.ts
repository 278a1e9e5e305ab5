import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidAlive } from '../fs/atomic.js';

/**
 * One run per project directory: `.build-images/lock` holds the owner's pid, host, start time and a nonce.
 * A lock whose process is gone (same host) is stale and taken over; a live one refuses the run.
 *
 * Both steps are atomic, so of any number of concurrent runs exactly one wins:
 * - taking a free lock is link(2) of a fully written temp file: it fails with EEXIST if the lock exists, and
 *   nobody ever reads a half-written lock;
 * - taking over a stale lock first claims that very lock: `lock.takeover-<id of the stale lock>` created with
 *   O_EXCL, so one run per stale lock gets past this point. The claimant re-reads the lock; while it still is the
 *   stale one, nobody else can change it (a free-lock link fails, the claim is held), so rename(2) of our temp
 *   file over it replaces exactly the stale lock. A run that read the stale lock long ago and claims later finds
 *   the lock changed and backs off.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
  /** Tells two locks of the same pid apart (pids are reused). Absent in locks written before it existed. */
  readonly nonce?: string;
}

export type LockResult =
  | { readonly ok: true; readonly release: () => Promise<void>; readonly recovered?: LockOwner }
  | { readonly ok: false; readonly message: string };

export const lockPath = (root: string): string => join(root, '.build-images', 'lock');

/** How often a run that lost a take-over race looks again (the winner's lock then refuses it). */
const ATTEMPTS = 50;

export async function acquireLock(root: string, command: string, isAlive: (pid: number) => boolean = processAlive): Promise<LockResult> {
  const path = lockPath(root);
  await mkdir(dirname(path), { recursive: true });
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
    nonce: randomBytes(8).toString('hex'),
  };
  const temp = `${path}.${me.nonce}.tmp`;
  await writeFile(temp, `${JSON.stringify(me)}\n`, { flag: 'wx' });
  const release = async (): Promise<void> => {
    // Only remove our own lock: a stale-lock takeover by someone else must not be undone.
    const current = await readLock(path);
    if (current?.owner?.nonce === me.nonce) await rm(path, { force: true });
  };
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await link(temp, path);
        return { ok: true, release };
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = await readLock(path);
      if (held === undefined) continue; // released in between: try again
      const owner = held.owner;
      if (owner !== undefined && !(owner.host === me.host && !isAlive(owner.pid))) {
        return {
          ok: false,
          message: `another build-images run holds ${path} (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}: ${owner.command}). Wait for it to finish; if that process is gone, delete the lock file.`,
        };
      }
      const claim = `${path}.takeover-${held.id}`;
      try {
        await writeFile(claim, `${process.pid}\n`, { flag: 'wx' });
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        await sleep(20); // another run is taking this stale lock over; its lock will answer us
        continue;
      }
      try {
        const still = await readLock(path);
        if (still?.id !== held.id) continue;
        await rename(temp, path);
        return owner === undefined ? { ok: true, release } : { ok: true, release, recovered: owner };
      } finally {
        await rm(claim, { force: true });
      }
    }
    return {
      ok: false,
      message: `could not take ${path}: another run keeps taking it over. If no build-images run is active, delete ${path} and any ${path}.takeover-* files.`,
    };
  } finally {
    await rm(temp, { force: true });
  }
}

/** The lock's owner (undefined when unreadable: it counts as stale) and an id for this very lock. */
async function readLock(path: string): Promise<{ owner: LockOwner | undefined; id: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    const valid = typeof parsed.pid === 'number' && typeof parsed.host === 'string';
    return { owner: valid ? (parsed as LockOwner) : undefined, id };
  } catch {
    return { owner: undefined, id };
  }
}

/** Whether a process with this pid exists on this host (EPERM: it exists, but is not ours). */
export const processAlive = pidAlive;
