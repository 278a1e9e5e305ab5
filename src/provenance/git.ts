import { execFile } from 'node:child_process';
import type { GitState } from './provenance.js';

/**
 * What the tool writes into a project itself: never a reason to call the tree dirty. Templates under
 * packer/ are not here: they are committed, and a stale one is a real difference from the commit.
 */
export const TOOL_OUTPUTS = ['.build-images', 'terraform/*/images.auto.tfvars.json'] as const;

/** Pure: `git status --porcelain` output → dirty or not. Any line is a change (staged, unstaged or untracked). */
export const isDirty = (porcelain: string): boolean => porcelain.split('\n').some((line) => line.trim() !== '');

/**
 * The commit checked out and whether the project root differs from it, from the git binary (the only
 * reliable judge of "dirty": index, ignores and attributes). undefined outside a work tree or without git.
 */
export async function readGitState(root: string): Promise<GitState | undefined> {
  const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  const commit = head?.exitCode === 0 ? head.stdout.trim() : undefined;
  if (commit === undefined || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit)) return undefined;
  // Scoped to the project root: changes elsewhere in a monorepo do not reach these images.
  const status = await git(root, [
    'status',
    '--porcelain',
    '--untracked-files=normal',
    '--',
    '.',
    ...TOOL_OUTPUTS.map((p) => `:(exclude)${p}`),
  ]);
  if (status.exitCode !== 0) return undefined;
  return { commit, dirty: isDirty(status.stdout) };
}

/**
 * Two short commands with small outputs: node's execFile, so a build that reuses every image does not load
 * execa (its chunk is most of a no-op build's module loading, docs/benchmarks.md). Without git, or outside
 * a work tree, the exit code is not 0.
 */
function git(cwd: string, args: readonly string[]): Promise<{ exitCode: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout }),
    );
  });
}
