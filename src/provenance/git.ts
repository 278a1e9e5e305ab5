import { execa } from 'execa';
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
  const git = (args: readonly string[]) => execa('git', args, { cwd: root, reject: false, env: { GIT_OPTIONAL_LOCKS: '0' } });
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => undefined);
  const commit = head?.exitCode === 0 ? head.stdout.trim() : undefined;
  if (commit === undefined || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit)) return undefined;
  // Scoped to the project root: changes elsewhere in a monorepo do not reach these images.
  const status = await git(['status', '--porcelain', '--untracked-files=normal', '--', '.', ...TOOL_OUTPUTS.map((p) => `:(exclude)${p}`)]);
  if (status.exitCode !== 0) return undefined;
  return { commit, dirty: isDirty(status.stdout) };
}
