import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The commit checked out in the git work tree containing `dir`, read from .git itself (no git binary
 * needed); undefined outside a work tree or when HEAD cannot be resolved. Worktrees and submodules (a
 * `.git` file pointing elsewhere), packed refs and a detached HEAD are handled.
 */
export async function readGitCommit(dir: string): Promise<string | undefined> {
  const gitDir = await findGitDir(resolve(dir));
  if (gitDir === undefined) return undefined;
  const head = (await readFile(join(gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(head)) return head;
  const ref = /^ref: (refs\/\S+)$/.exec(head)?.[1];
  if (ref === undefined) return undefined;
  // A linked worktree keeps shared refs in the common directory.
  const common = (await readFile(join(gitDir, 'commondir'), 'utf8').catch(() => undefined))?.trim();
  for (const base of [gitDir, ...(common === undefined ? [] : [resolve(gitDir, common)])]) {
    const loose = (await readFile(join(base, ref), 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{40,64}$/.test(loose)) return loose;
    const packed = await readFile(join(base, 'packed-refs'), 'utf8').catch(() => '');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    const sha = line?.split(' ')[0];
    if (sha !== undefined && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
  }
  return undefined;
}

async function findGitDir(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, '.git');
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isDirectory()) return candidate;
    if (info?.isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec(await readFile(candidate, 'utf8'))?.[1]?.trim();
      if (pointer !== undefined) return resolve(dir, pointer);
    }
    if (dirname(dir) === dir) return undefined;
  }
}
