import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { err, ok, type Result } from '../result.js';
import type { TargetDefinition } from './target.js';

/** Why a target's tfvars file could not be used (rendered by engine/failure.ts). */
export type TfvarsProblem =
  | { readonly reason: 'tfvars-damaged'; readonly path: string; readonly problem: string }
  | { readonly reason: 'tfvars-unreadable'; readonly path: string; readonly message: string };

/**
 * The one reader of a target's tfvars file (build, plan and prune all use it): the IDs per image, empty when
 * there is no file yet. A file that is there but is not what the tool writes is an error naming the file:
 * guessing would let prune remove what Terraform uses, or make a build hand out other IDs than last time.
 */
export async function readTfvarsFile(
  root: string,
  definition: TargetDefinition,
  /** Another copy of the file (prune --tfvars), relative to `root` or absolute. */
  path = definition.terraform.tfvars,
): Promise<Result<Map<string, string[]>, TfvarsProblem>> {
  let text: string;
  try {
    text = await readFile(resolve(root, path), 'utf8');
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === 'ENOENT') return ok(new Map());
    return err({ reason: 'tfvars-unreadable', path, message: e instanceof Error ? e.message : String(e) });
  }
  const parsed = definition.terraform.read(text);
  return parsed.ok ? parsed : err({ reason: 'tfvars-damaged', path, problem: parsed.error });
}
