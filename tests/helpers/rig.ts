import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { BuildEvent } from '../../src/engine/events.js';
import type { Artifact } from '../../src/packer/machine-readable.js';
import type { Packer, PackerBuildRequest } from '../../src/packer/run.js';
import { err, ok } from '../../src/result.js';
import type { Target, TargetDefinition, TargetName } from '../../src/targets/target.js';
import { renderAmiTfvars, renderDockerTfvars } from '../../src/terraform/tfvars.js';
import { formatDuration } from '../../src/text.js';
import { tempDir } from './temp-dir.js';

/**
 * An in-process rig for the engine: a fake Packer and a fake target that implements the Target port around
 * a real target's definition (its templates, Terraform file and reader, and wording), so runBuild runs its
 * real planning, scheduling, manifest and tfvars code in milliseconds, with no process, engine or account.
 */

/** What the fake Packer does for one image: succeed, fail with Packer's exit, or run until stopped. */
export type Behaviour = 'ok' | 'fail' | 'hang';

export interface FakePacker extends Packer {
  /** The images Packer was asked to build, in order. */
  readonly builds: string[];
}

/** `behaviour(image)` decides each build; `hang` ends only when the request's signal aborts (Ctrl-C or --timeout). */
export function fakePacker(behaviour: (image: string) => Behaviour): FakePacker {
  const builds: string[] = [];
  return {
    builds,
    version: async () => ok({ major: 1, minor: 6, patch: 6 }),
    init: async () => ok(undefined),
    async build(request: PackerBuildRequest) {
      const image = request.target.slice(request.target.indexOf('.') + 1);
      builds.push(image);
      await mkdir(dirname(request.logFile), { recursive: true });
      await writeFile(request.logFile, `==> ${request.target}: provisioning\n`);
      request.onLine(`==> ${request.target}: provisioning`);
      switch (behaviour(image)) {
        case 'ok':
          return ok<Artifact[]>([{ index: 0, builderId: 'fake', id: `artifact-of-${image}`, description: '' }]);
        case 'fail':
          await writeFile(request.logFile, `==> ${request.target}: Script exited with non-zero exit status: 1\n`, { flag: 'a' });
          return err({ reason: 'exited' as const, exitCode: 1, message: `Script exited with non-zero exit status: 1 (${image})` });
        case 'hang':
          await new Promise<void>((resolve) =>
            request.signal.aborted ? resolve() : request.signal.addEventListener('abort', () => resolve(), { once: true }),
          );
          return err({ reason: 'interrupted' as const });
      }
    },
  };
}

/** How a target's artifacts look and how its tfvars file is written: one per target, so a new target must add one. */
interface Profile {
  /** The config section the target needs (besides images). */
  readonly targets: string;
  id(image: string, build: number): string;
  tfvars(artifacts: ReadonlyArray<readonly [string, FakeArtifact]>): string;
}

const hex = (text: string, length: number): string =>
  Buffer.from(text)
    .toString('hex')
    .padEnd(length, '0')
    .slice(0, length)
    .replace(/[^0-9a-f]/g, '0');

export const PROFILES: Record<TargetName, Profile> = {
  docker: {
    targets: 'targets:\n  docker: { base_image: "local/debian:bookworm" }\n',
    id: (image, build) => `sha256:${hex(`${image}#${build}`, 64)}`,
    tfvars: (artifacts) => renderDockerTfvars(artifacts.map(([image, a]) => [image, a.id] as const)),
  },
  ami: {
    targets: 'targets:\n  ami: { region: eu-central-1 }\n',
    id: (image, build) => `ami-${hex(`${image}#${build}`, 17)}`,
    tfvars: (artifacts) =>
      renderAmiTfvars(
        artifacts.map(([image, a]) => [image, { 'eu-central-1': a.id }] as const),
        ['eu-central-1'],
      ),
  },
};

export interface FakeArtifact {
  readonly id: string;
}

/** What preflight hands every later call: the fake checks it arrives (the port keeps no state between calls). */
interface FakeContext {
  readonly run: number;
}

/** Artifacts that exist, by fingerprint: the engine or account the fake target builds into, kept across runs. */
export type Store = Map<string, FakeArtifact>;

/** A Target port that acts like the named real target in everything the engine sees, building through `ctx.packer`. */
export function fakeTarget(definition: TargetDefinition, config: Config, store: Store, run: number): Target<FakeArtifact, FakeContext> {
  const profile = PROFILES[definition.name];
  const logFile = (image: string): string => join(config.root, '.build-images', 'logs', definition.name, `${image}.log`);
  let builds = 0;
  const expectContext = (context: FakeContext): void => {
    if (context.run !== run) throw new Error(`bug in the engine: context of run ${context.run} passed to run ${run}`);
  };
  return {
    definition,
    concurrency: undefined,
    settings: (image) => ({ [`targets.${definition.name}.fake`]: { parent: image.parent ?? null } }),
    preflight: async () => ok({ description: `fake ${definition.name}`, context: { run } }),
    async findReusable(queries, context) {
      expectContext(context);
      return ok(new Map(queries.flatMap((q) => (store.has(q.fingerprint) ? [[q.image, store.get(q.fingerprint)!] as const] : []))));
    },
    beforeRoots: async (context) => (expectContext(context), undefined),
    async build(node, _parent, fingerprint, ctx) {
      expectContext(ctx.context);
      const log = logFile(node.name);
      const timeout = ctx.timeoutMs === undefined ? undefined : AbortSignal.timeout(ctx.timeoutMs);
      const signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;
      const result = await ctx.packer.build({
        cwd: config.root,
        template: `${definition.templates.dir}/${node.name}.pkr.hcl`,
        varFile: 'vars.json',
        target: `${definition.name}.${node.name}`,
        logFile: log,
        signal,
        redact: Object.values(ctx.secrets),
        onLine: ctx.onLine,
      });
      if (!result.ok) {
        const failure = result.error;
        if (failure.reason === 'interrupted' && timeout?.aborted && !ctx.signal.aborted) {
          return err({
            message: `timed out after ${formatDuration(ctx.timeoutMs ?? 0)} (--timeout); Packer stopped the build and removed its ${definition.wording.cleanup}`,
            logFile: log,
            interrupted: false,
          });
        }
        if (failure.reason === 'interrupted') return err({ message: 'interrupted', logFile: log, interrupted: true });
        return err({ message: failure.message, logFile: log, interrupted: false });
      }
      builds += 1;
      const artifact = { id: profile.id(node.name, run * 1000 + builds) };
      store.set(fingerprint, artifact);
      return ok(artifact);
    },
    adopt: async () => undefined,
    source: (parent) => parent?.id ?? 'base',
    ids: (artifact) => ({ id: artifact.id }),
    builtAt: () => undefined,
    provenance: () => undefined,
    describe: (artifact) => artifact.id.slice(0, 16),
    logFile,
    tfvars: (artifacts) => profile.tfvars(artifacts),
    prune: { defaultKeep: 1, plan: () => Promise.reject(new Error('not used by the rig')) },
  };
}

/** A project for `name` with the given images (YAML lines under `images:`), each provisioner a script. */
export async function rigProject(name: TargetName, images: string, scripts: readonly string[]): Promise<Config> {
  const files: Record<string, string> = { 'images.yaml': `version: 1\n${PROFILES[name].targets}images:\n${images}` };
  for (const script of scripts) files[`provisioners/${script}.sh`] = '#!/bin/sh\n';
  const root = await tempDir(files);
  const loaded = await loadConfig(['images.yaml'], { cwd: root });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

/** Collects the engine's events, and lets a test act when one arrives (e.g. abort when a build starts). */
export function recorder(on?: (event: BuildEvent) => void): { events: BuildEvent[]; emit: (event: BuildEvent) => void } {
  const events: BuildEvent[] = [];
  return {
    events,
    emit: (event) => {
      events.push(event);
      on?.(event);
    },
  };
}
