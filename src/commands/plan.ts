import type { Config } from '../config/types.js';
import type { PreparedRun } from '../engine/prepare.js';
import { prepareDockerRun } from '../engine/prepare.js';
import type { Packer } from '../packer/run.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { shortId, table } from '../ui/format.js';
import { EXIT } from './exit-codes.js';
import { parseSelection, type SelectionFlags } from './selection.js';

export interface PlanEntry {
  readonly image: string;
  readonly parent: string | null;
  readonly level: number;
  readonly action: 'build' | 'reuse' | 'absent';
  readonly id?: string;
  readonly reasons?: readonly string[];
  readonly fingerprint: string;
}

/** Pure: the plan as data (`plan --json`). */
export function planEntries(run: PreparedRun): PlanEntry[] {
  return run.tree.order.map((node) => {
    const decision = run.decisions.get(node.name)!;
    return {
      image: node.name,
      parent: node.parent ?? null,
      level: node.depth,
      action: decision.action,
      ...(decision.action === 'reuse' ? { id: decision.id } : {}),
      ...(decision.action === 'build' ? { reasons: decision.reasons } : {}),
      fingerprint: run.fingerprints.get(node.name)!.fingerprint,
    };
  });
}

/** Pure: the text `build-images plan` prints. */
export function renderPlan(entries: readonly PlanEntry[], baseImage: string): string {
  const count = (action: PlanEntry['action']): number => entries.filter((e) => e.action === action).length;
  const levels = new Set(entries.map((e) => e.level)).size;
  const out: string[] = [];
  out.push(`Plan for target docker: ${entries.length} image${entries.length === 1 ? '' : 's'} in ${levels} level${levels === 1 ? '' : 's'}: ${count('build')} to build, ${count('reuse')} to reuse${count('absent') ? `, ${count('absent')} left out by --only` : ''}.`);
  out.push('');
  const rows = entries.map((e) => [
    String(e.level),
    e.image,
    e.action === 'absent' ? '-' : e.action,
    e.parent === null ? baseImage : e.parent,
    e.action === 'reuse' ? shortId(e.id ?? '') : e.action === 'build' ? (e.reasons ?? []).join('; ') : 'not selected, nothing to reuse',
  ]);
  out.push(table(['LEVEL', 'IMAGE', 'ACTION', 'FROM', 'WHY / ID'], rows));
  out.push('');
  out.push('Images in one level build in parallel once their parents are done. Nothing was built.');
  return `${out.join('\n')}\n`;
}

export async function runPlanCommand(
  config: Config,
  deps: { packer: Packer; docker: DockerEngine },
  flags: SelectionFlags & { json?: boolean },
  write: (text: string) => void,
): Promise<number> {
  const selection = parseSelection(config, flags);
  if (!selection.ok) {
    process.stderr.write(`${selection.errors.join('\n')}\n`);
    return EXIT.badInput;
  }
  const prepared = await prepareDockerRun(config, deps, selection.value);
  if (!prepared.ok) {
    process.stderr.write(`error: ${prepared.message}\n`);
    return EXIT.buildFailed;
  }
  const entries = planEntries(prepared.value);
  if (flags.json) {
    const levels = prepared.value.tree.levels;
    write(`${JSON.stringify({ target: 'docker', images: entries, levels }, null, 2)}\n`);
  } else {
    write(renderPlan(entries, config.targets.docker.baseImage));
  }
  return EXIT.ok;
}
