import { DEFAULT_AMI_SSH_USERNAME } from '../config/normalise.js';
import type { Config } from '../config/types.js';
import { buildTree, type ImageNode } from '../graph/tree.js';
import type { Packer } from '../packer/run.js';
import type { SystemdHosts } from '../targets/ami/rehearse/host.js';
import { rehearse } from '../targets/ami/rehearse/rehearse.js';
import { renderRehearsal } from '../targets/ami/rehearse/report.js';
import { EXIT } from './exit-codes.js';
import { runInputs } from './run-inputs.js';

export interface RehearseFlags {
  readonly only?: string[];
  readonly except?: string[];
  readonly verbose?: boolean;
}

/** `build-images rehearse --target ami`: the AMI tree's provisioning, run for real on local systemd hosts. */
export async function runRehearseCommand(
  config: Config,
  deps: { packer: Packer; hosts: SystemdHosts; write: (text: string) => void; signal: AbortSignal },
  flags: RehearseFlags,
): Promise<number> {
  const inputs = runInputs(config, flags, process.env);
  if (!inputs.ok) {
    process.stderr.write(inputs.error);
    return EXIT.badInput;
  }
  const { selection, secrets } = inputs.value;
  const tree = buildTree(config.images);
  // A child starts from its parent's rehearsed state, so the ancestors of what was asked for are rehearsed too.
  const wanted = new Set<string>();
  for (const node of tree.order) {
    if (selection.only !== undefined && !selection.only.has(node.name)) continue;
    for (let at: ImageNode | undefined = node; at !== undefined; at = at.parent === undefined ? undefined : tree.byName.get(at.parent))
      wanted.add(at.name);
  }
  const started = Date.now();
  const say = (line: string): void => void process.stderr.write(`rehearse: ${line}\n`);
  const results = await rehearse(
    {
      root: config.root,
      images: tree.order.filter((n) => wanted.has(n.name)),
      baseImage: config.targets.docker.baseImage,
      sshUsername: config.targets.ami?.sshUsername ?? DEFAULT_AMI_SSH_USERNAME,
      volumes: volumesOf(config.targets.docker.runArgs),
      secrets,
    },
    {
      packer: deps.packer,
      hosts: deps.hosts,
      signal: deps.signal,
      say,
      ...(flags.verbose ? { onPackerLine: (image: string, line: string) => void process.stderr.write(`${image}: ${line}\n`) } : {}),
    },
  );
  deps.write(renderRehearsal(results, Math.round((Date.now() - started) / 1000)));
  if (results.some((r) => r.outcome === 'interrupted')) return EXIT.interrupted;
  return results.every((r) => r.outcome === 'passed') ? EXIT.ok : EXIT.buildFailed;
}

/**
 * The volumes of targets.docker.run_args (`-v X`, `--volume X`, `--volume=X`): the files a build container sees
 * (the offline mirror) are what a provisioning host needs too. Nothing else of run_args applies to a host.
 */
export function volumesOf(runArgs: readonly string[]): string[] {
  const volumes: string[] = [];
  for (let i = 0; i < runArgs.length; i++) {
    const arg = runArgs[i]!;
    if (arg.startsWith('--volume=')) volumes.push(arg.slice('--volume='.length));
    else if ((arg === '-v' || arg === '--volume') && runArgs[i + 1] !== undefined) volumes.push(runArgs[++i]!);
  }
  return volumes;
}
