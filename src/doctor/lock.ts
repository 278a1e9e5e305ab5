import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { lockPath, processAlive, type LockOwner } from '../engine/lock.js';
import { fail, ok, type CheckResult } from './check.js';

export type LockFacts =
  | { readonly kind: 'free' }
  /** The lock file exists but names no owner: the next run treats it as stale. */
  | { readonly kind: 'unreadable' }
  /** alive: undefined when the owner is on another host, where its process cannot be asked. */
  | { readonly kind: 'held'; readonly owner: LockOwner; readonly alive: boolean | undefined };

/** Reads `.build-images/lock` as the build does (src/engine/lock.ts), without taking it. */
export async function probeLock(root: string, isAlive: (pid: number) => boolean = processAlive): Promise<LockFacts> {
  let text: string;
  try {
    text = await readFile(lockPath(root), 'utf8');
  } catch {
    return { kind: 'free' };
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string') return { kind: 'unreadable' };
    const full = owner as LockOwner;
    return { kind: 'held', owner: full, alive: full.host === hostname() ? isAlive(full.pid) : undefined };
  } catch {
    return { kind: 'unreadable' };
  }
}

/** `shown` is the lock file's path as the user should read it. */
export function lockCheck(facts: LockFacts, shown: string): CheckResult {
  switch (facts.kind) {
    case 'free':
      return ok('lock', `no run holds ${shown}`);
    case 'unreadable':
      return ok('lock', `${shown} names no owner; the next run takes it over`);
    case 'held': {
      const { pid, host, startedAt, command } = facts.owner;
      const who = `pid ${pid} on ${host}, started ${startedAt}: ${command}`;
      if (facts.alive === false) return ok('lock', `${shown} is left over from pid ${pid} (no longer running); the next run takes it over`);
      return fail(
        'lock',
        facts.alive
          ? `a running build-images holds ${shown} (${who}), so a build started now is refused`
          : `${shown} is held from another host (${who}), so a build started here is refused`,
        `wait for that run to finish; if it is gone, delete ${shown}`,
      );
    }
  }
}
