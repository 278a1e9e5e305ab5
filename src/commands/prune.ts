import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { amiTarget as buildableAmiTarget } from '../config/normalise.js';
import type { Config } from '../config/types.js';
import { acquireLock } from '../engine/lock.js';
import { amiRegions } from '../targets/ami/checks.js';
import type { Ec2 } from '../targets/ami/ec2.js';
import { describePrunePlan, executePrune, listToolAmis, planPrune } from '../targets/ami/prune.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { describeDockerPrunePlan, IMAGE_LABEL, planDockerPrune } from '../targets/docker/prune.js';
import type { TargetName } from '../targets/target.js';
import { AMI_TFVARS_PATH, DOCKER_TFVARS_PATH, parseAmiTfvars } from '../terraform/tfvars.js';
import { EXIT } from './exit-codes.js';

export interface PruneOptions {
  readonly target: TargetName;
  readonly keep: number | undefined;
  readonly dryRun: boolean;
  readonly docker: () => DockerEngine;
  readonly ec2: () => Ec2 | Promise<Ec2>;
  readonly write: (line: string) => void;
}

/** Images the current tfvars reference never go; a tfvars file that cannot be read stops the prune. */
async function referencedIds(root: string, target: TargetName): Promise<{ ok: true; ids: Set<string> } | { ok: false; message: string }> {
  const path = target === 'docker' ? DOCKER_TFVARS_PATH : AMI_TFVARS_PATH;
  const text = await readFile(join(root, path), 'utf8').catch(() => undefined);
  if (text === undefined) return { ok: true, ids: new Set() };
  if (target === 'ami') {
    const parsed = parseAmiTfvars(text);
    return parsed.ok
      ? { ok: true, ids: new Set(Object.values(parsed.value).flatMap((byRegion) => Object.values(byRegion))) }
      : { ok: false, message: `${path}: ${parsed.error}` };
  }
  try {
    const images = (JSON.parse(text) as { images?: Record<string, unknown> }).images ?? {};
    return { ok: true, ids: new Set(Object.values(images).filter((v): v is string => typeof v === 'string')) };
  } catch (e: unknown) {
    return { ok: false, message: `${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

export async function runPruneCommand(config: Config, options: PruneOptions): Promise<number> {
  const ami = options.target === 'ami' ? buildableAmiTarget(config) : undefined;
  if (ami && !ami.ok) throw new Error('bug: the caller validates targets.ami before pruning');
  const keep = options.keep ?? (ami?.ok ? ami.value.keep : undefined) ?? 3;
  const referenced = await referencedIds(config.root, options.target);
  if (!referenced.ok) {
    process.stderr.write(`error: ${referenced.message}: refusing to prune without knowing what Terraform uses.\n`);
    return EXIT.buildFailed;
  }
  const lock = await acquireLock(config.root, `prune --target ${options.target}`);
  if (!lock.ok) {
    process.stderr.write(`error: ${lock.message}\n`);
    return EXIT.buildFailed;
  }
  try {
    if (ami?.ok) {
      const ec2 = await options.ec2();
      const plan = planPrune({ images: await listToolAmis(ec2, amiRegions(ami.value)), keep, referenced: referenced.ids });
      for (const line of describePrunePlan(plan)) options.write(line);
      if (options.dryRun || plan.remove.length === 0) return done(options, plan.remove.length);
      const outcome = await executePrune(ec2, plan, { onRemoved: (a) => options.write(`removed ${a.region} ${a.id} and its snapshots`) });
      for (const f of outcome.failed) process.stderr.write(`error: could not remove ${f.ami.region} ${f.ami.id}: ${f.message}\n`);
      return outcome.failed.length === 0 ? EXIT.ok : EXIT.buildFailed;
    }
    const docker = options.docker();
    // The engine's images may belong to other projects too: only this config's image names are considered.
    const names = new Set(config.images.map((i) => i.name));
    const images = (await docker.listByLabel(IMAGE_LABEL)).filter((i) => names.has(i.labels[IMAGE_LABEL] ?? ''));
    const plan = planDockerPrune({ images, keep, referenced: referenced.ids });
    for (const line of describeDockerPrunePlan(plan)) options.write(line);
    if (options.dryRun || plan.remove.length === 0) return done(options, plan.remove.length);
    let failed = 0;
    for (const image of plan.remove) {
      const removed = await docker.removeImage(image.id);
      if (removed.ok) options.write(`removed ${image.id}`);
      else {
        failed += 1;
        process.stderr.write(`error: could not remove ${image.id}: ${removed.error}\n`);
      }
    }
    return failed === 0 ? EXIT.ok : EXIT.buildFailed;
  } finally {
    await lock.release();
  }
}

function done(options: PruneOptions, count: number): number {
  options.write(count === 0 ? 'Nothing to remove.' : `${count} would be removed (--dry-run: nothing was removed).`);
  return EXIT.ok;
}
