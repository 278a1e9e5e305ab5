import type { Config } from '../../config/types.js';
import { err, ok } from '../../result.js';
import { renderDockerTfvars } from '../../terraform/tfvars.js';
import { shortId } from '../../text.js';
import type { ReuseQuery, Target, TargetDefinition } from '../target.js';
import { buildDockerImage, dockerLogFile, FINGERPRINT_LABEL } from './build-image.js';
import type { DockerEngine, ImageSummary } from './engine.js';
import { dockerPrune, IMAGE_LABEL, PROJECT_LABEL } from './prune.js';
import { projectId } from '../project.js';
import type { RegistrySide } from './registry/side.js';
import { renderRegistryTfvars } from './registry/tfvars.js';
import { resolveDockerBase, type DockerBase } from './base.js';
import { readProvenance } from '../../provenance/provenance.js';
import { readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { packerTmpDir } from './build-image.js';
import { hostTag, judgeBuildContainers, pidAlive, projectContainerFilter, type BuildContainerOwner } from './build-container.js';
import { projectIdentity } from '../project.js';

/** The label every built image carries naming the exact image it was built from (see imageLabels). */
const PARENT_LABEL = 'org.build-images.parent';

export interface DockerArtifact {
  /** The image ID (config digest): the same in every engine that has the image. */
  readonly id: string;
  /**
   * With a registry: `<registry>/<image>@sha256:…`, what the tfvars pins. Undefined for an image found only
   * in this engine (built here, its push failed): `adopt` pushes it and sets this.
   */
  ref?: string;
  /** The engine's Created time (ISO 8601): the image's age for max_age, the same on any machine sharing it. */
  readonly created?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What the Docker target's preflight found, for this run's builds: the base the roots start from. */
export interface DockerContext {
  readonly base: DockerBase;
}

/**
 * Docker images built by Packer's docker builder in one engine, tagged <repository>/<image>:<tag>; with
 * `targets.docker.registry` (docs/registry.md) also pushed there and found there by fingerprint, so any
 * engine, an empty one too, reuses them.
 */
export function dockerTarget(
  definition: TargetDefinition,
  config: Config,
  docker: DockerEngine,
  emitNote: (message: string) => void,
  registry?: RegistrySide,
): Target<DockerArtifact, DockerContext> {
  const settings = config.targets.docker;
  const owner: BuildContainerOwner = { project: projectId(config.root), host: hostTag(), pid: process.pid };
  // By name once: a find per image made fingerprinting quadratic (10,000 images: 50 million comparisons).
  const runtime = new Map(config.images.map((i) => [i.name, i.docker]));
  /** The engine's images by fingerprint, newest first: one engine call for the whole tree. */
  // One listing of the engine's labelled images serves a plan's findReusable and findEarlier (each was one
  // engine call, ~60-70 ms with 190 images); a build adds images, so it starts a new one.
  let labelled: Promise<ImageSummary[]> | undefined;
  const labelledImages = (): Promise<ImageSummary[]> =>
    (labelled ??= docker.listByLabel(FINGERPRINT_LABEL).catch((e: unknown) => {
      labelled = undefined;
      throw e;
    }));
  const localIndex = async (): Promise<Map<string, DockerArtifact[]>> => {
    const byFingerprint = new Map<string, DockerArtifact[]>();
    for (const image of await labelledImages()) {
      const fingerprint = image.labels[FINGERPRINT_LABEL]!;
      byFingerprint.set(fingerprint, [
        ...(byFingerprint.get(fingerprint) ?? []),
        { id: image.id, created: image.created, labels: image.labels },
      ]);
    }
    return byFingerprint;
  };
  /** Registry credentials for the base image's pull, when the base lives in the same registry. */
  const baseAuth = async (): Promise<Record<string, string> | undefined> => {
    if (registry === undefined || !settings.baseImage.startsWith(`${registry.host}/`)) return undefined;
    const auth = await registry.auth();
    return auth.ok ? auth.value : undefined;
  };
  return {
    definition,
    concurrency: settings.concurrency,
    project: projectIdentity(config),
    // Repository, tag and registry do not shape content: a reused image is re-tagged (or found by its fingerprint tag) instead.
    settings: (image) => ({
      ...(image.parent === undefined ? { 'targets.docker.base_image': settings.baseImage } : {}),
      'targets.docker.run_args': settings.runArgs,
      // The runtime config (entrypoint, cmd, ports) is part of the image too.
      [`images.${image.name}.docker`]: runtime.get(image.name) ?? {},
    }),
    async preflight() {
      // Both ask another process or the network: at once. A registry that refuses stops the run here, before any build.
      const [pinged, reg] = await Promise.all([docker.ping(), registry?.preflight()]);
      if (!pinged.ok) return err(pinged.error);
      if (reg !== undefined && !reg.ok) return err(`${reg.error.problem}. ${reg.error.fix}`);
      // Every root starts from base_image: what it points at now is part of their fingerprints.
      const base = await resolveDockerBase(docker, settings.baseImage, await baseAuth());
      if (!base.ok) return err(base.error);
      const description = reg === undefined ? pinged.value : `${pinged.value}, ${reg.value}`;
      return ok({ description, context: { base: base.value }, base: base.value.resolved });
    },
    async findReusable(queries) {
      // Queries come parent first. A child is reused only when it was built on the image chosen for its parent
      // (its org.build-images.parent label): two projects building the same fingerprints at once made two
      // roots and two children, and mixing them handed Terraform a child whose parent it did not have
      // (issue 13 #11). Among equal candidates, one that this project recorded, then one whose children can
      // be reused too, then the newest.
      const found = new Map<string, DockerArtifact>();
      let local: Map<string, DockerArtifact[]> | undefined;
      if (registry !== undefined) {
        // By fingerprint tag, all at once; nothing is pulled (docs/registry.md).
        const answers = await Promise.all(queries.map(async (q) => [q, await registry.find(q.image, q.fingerprint)] as const));
        for (const [query, answer] of answers) {
          if (!answer.ok) return err(answer.error);
          if (answer.value !== undefined) {
            // Created and labels from the image config blob the lookup read anyway: an image only the registry has
            // still has an age for max_age (a fresh runner) and its provenance, without pulling it.
            const { imageId, ref, created, labels } = answer.value;
            found.set(query.image, { id: imageId, ref, labels, ...(created === '' ? {} : { created }) });
            continue;
          }
          // Not in the registry, but built in this engine (its push failed): reused, and pushed by adopt.
          local ??= await localIndex();
          const artifact = local.get(query.fingerprint)?.[0];
          if (artifact !== undefined) found.set(query.image, artifact);
        }
        return ok(found);
      }
      const recorded = await recordedStillThere(docker, queries);
      if (recorded !== undefined) return ok(recorded);
      local = await localIndex();
      for (const query of queries) {
        const parentId = query.parent === undefined ? undefined : found.get(query.parent)?.id;
        if (query.parent !== undefined && parentId === undefined) continue; // the parent is rebuilt: so is this
        const candidates = (local.get(query.fingerprint) ?? []).filter(
          (c) => parentId === undefined || c.labels?.[PARENT_LABEL] === parentId,
        );
        const childFingerprints = queries.filter((q) => q.parent === query.image).map((q) => q.fingerprint);
        const hasChild = (c: { id: string }): boolean =>
          childFingerprints.some((f) => (local?.get(f) ?? []).some((child) => child.labels?.[PARENT_LABEL] === c.id));
        const chosen = candidates.find((c) => query.recorded.includes(c.id)) ?? candidates.find(hasChild) ?? candidates[0];
        if (chosen !== undefined) found.set(query.image, chosen);
      }
      return ok(found);
    },
    async findEarlier(queries) {
      const wanted = new Set(queries.map((q) => q.image));
      const project = projectIdentity(config).id;
      const out = new Map<string, DockerArtifact>();
      try {
        // Newest first: the first of each image is its latest build here. Only this project's: another project's
        // image of the same name says nothing about this one.
        // Every image the tool builds carries both labels: the fingerprint listing holds them all.
        for (const image of await labelledImages()) {
          const name = image.labels[IMAGE_LABEL] ?? '';
          if (!wanted.has(name) || out.has(name) || image.labels[PROJECT_LABEL] !== project) continue;
          out.set(name, { id: image.id, created: image.created, labels: image.labels });
        }
        // An empty engine with a registry: what the tfvars pins (Terraform's last images), read without pulling.
        for (const query of registry === undefined ? [] : queries) {
          for (const ref of out.has(query.image) ? [] : query.recorded) {
            const read = await registry!.resolve(ref);
            if (!read.ok || read.value === undefined) continue;
            out.set(query.image, { id: read.value.imageId, ref: read.value.ref, labels: read.value.labels });
            break;
          }
        }
      } catch {
        // Only the wording of a plan depends on this: an engine that fails here fails the lookups that matter.
      }
      return out;
    },
    async beforeRoots({ base }) {
      if (await docker.inspectImage(base.source)) return undefined;
      // By the digest resolved when planning, not by the tag: the roots' fingerprints name that digest.
      emitNote(`pulling base image ${settings.baseImage} as resolved, ${base.source} (the engine does not have it)`);
      const pulled = await docker.pull(base.source, await baseAuth());
      if (pulled.ok) return undefined;
      return `base image ${settings.baseImage} (resolved to ${base.source}) is not in the Docker engine and could not be pulled: ${pulled.error}. Offline? Make a local base image and point targets.docker.base_image at it (see examples/offline/).`;
    },
    async build(node, parent, fingerprint, ctx) {
      labelled = undefined;
      const logFile = dockerLogFile(config.root, node.name);
      const failed = (message: string) => err({ message, logFile, interrupted: ctx.signal.aborted });
      // A parent another machine built is only in the registry: pulled by its digest, so the child builds on exactly it.
      if (registry !== undefined && parent?.ref !== undefined && !(await docker.inspectImage(parent.id))) {
        ctx.onLine(`pulling the parent ${parent.ref}`);
        const pulled = await registry.ensureLocal(parent.ref, ctx.signal);
        if (!pulled.ok) return failed(pulled.error);
      }
      const built = await buildDockerImage(
        node,
        // A root starts from the base exactly as resolved into its fingerprint (an ID or repository@digest), never
        // from the tag: a tag moved between plan and build would give an image whose fingerprint names another base.
        parent?.id ?? ctx.context.base.source,
        { ...ctx.provenance, fingerprint },
        {
          config,
          docker,
          packer: ctx.packer,
          secrets: ctx.secrets,
          signal: ctx.signal,
          timeoutMs: ctx.timeoutMs,
          onLine: ctx.onLine,
          owner,
        },
      );
      if (!built.ok) return err(built.error);
      const artifact: DockerArtifact = { id: built.value.id, created: built.value.created, labels: built.value.labels };
      if (registry === undefined) return ok(artifact);
      ctx.onLine(`pushing ${node.name} to ${registry.host}`);
      const pushed = await registry.publish(node.name, built.value.id, fingerprint, ctx.signal);
      return pushed.ok ? ok({ ...artifact, ref: pushed.value.ref }) : failed(pushed.error);
    },
    async adopt(image, artifact) {
      if (registry !== undefined && artifact.ref === undefined) {
        const fingerprint = (await docker.inspectImage(artifact.id))?.labels[FINGERPRINT_LABEL];
        if (fingerprint === undefined) throw new Error(`image ${artifact.id} of ${image} disappeared from the engine`);
        emitNote(`pushing ${image} (built here earlier, not in ${registry.host} yet)`);
        const pushed = await registry.publish(image, artifact.id, fingerprint);
        // The engine records a throw as this image's failure and stops the run with the message.
        if (!pushed.ok) throw new Error(pushed.error);
        artifact.ref = pushed.value.ref;
      }
      // The local tag follows the image when this engine has it; a registry-only image is not pulled for it.
      if (registry === undefined || (await docker.inspectImage(artifact.id)))
        await docker.tag(artifact.id, `${settings.repository}/${image}`, settings.tag);
    },
    async removeLeftovers() {
      const lines: string[] = [];
      const tmp = packerTmpDir(config.root);
      const tmpEntries = tmp === undefined ? [] : (await readdir(tmp).catch(() => [] as string[])).map((name) => join(tmp, name));
      for (const path of tmpEntries) {
        await rm(path, { recursive: true, force: true });
        lines.push(`removed ${relative(config.root, path)}: Packer's temp files, left by a killed run`);
      }
      let found;
      try {
        found = await docker.listContainers(projectContainerFilter(owner.project));
      } catch (e: unknown) {
        return [...lines, `could not look for build containers left by killed runs: ${e instanceof Error ? e.message : String(e)}`];
      }
      // A build container of this project from this host whose pid is gone is from a killed run. The lock is per
      // checkout, and checkouts sharing `project:` on one host share the identity: a live pid is another run's.
      // Containers from other hosts sharing the engine are theirs to judge.
      for (const verdict of judgeBuildContainers(found, owner, (pid) => pid !== process.pid && !pidAlive(pid))) {
        if (verdict.kind !== 'left-over') continue;
        const { name, state } = verdict.container;
        const removed = await docker.removeContainer(verdict.container.id);
        lines.push(
          removed.ok
            ? `removed build container ${name} (${state}) left by a killed run (pid ${verdict.pid}); it held that build's environment`
            : `could not remove build container ${name} left by a killed run (pid ${verdict.pid}): ${removed.error}; remove it with \`docker rm -f ${name}\``,
        );
      }
      return lines;
    },
    source: (parent) => parent?.ref ?? parent?.id ?? settings.baseImage,
    ids: (artifact) => ({ id: artifact.id }),
    describe: (artifact) => shortId(artifact.id),
    builtAt: (artifact) => (artifact.created === undefined ? undefined : new Date(artifact.created)),
    provenance: (artifact) => readProvenance(artifact.labels ?? {}, 'org.build-images.'),
    logFile: (image) => dockerLogFile(config.root, image),
    tfvars: (artifacts) =>
      registry === undefined
        ? renderDockerTfvars(artifacts.map(([image, a]) => [image, a.id] as const))
        : renderRegistryTfvars(artifacts.map(([image, a]) => [image, a.ref] as const)),
    prune: { defaultKeep: 3, plan: (keep, referenced) => dockerPrune(docker, config, keep, referenced, registry) },
  };
}

/**
 * The common case of a rerun, asked cheaply: for every image exactly one of its recorded IDs (the manifest's,
 * the tfvars') is still in the engine with the fingerprint wanted and, for a child, built on its parent's
 * choice. The full search below would choose exactly that one (among the candidates, a recorded one comes
 * first, and it is the only recorded candidate), so one inspect per recorded ID, all at once, answers it;
 * listing every labelled image costs the engine ~40 ms with 190 images (curl on this machine) and grows with
 * the engine's image count. Anything else (nothing recorded, none or several fitting, a parent rebuilt):
 * undefined, and the full search decides.
 */
async function recordedStillThere(docker: DockerEngine, queries: readonly ReuseQuery[]): Promise<Map<string, DockerArtifact> | undefined> {
  if (queries.length === 0 || queries.some((q) => q.recorded.length === 0)) return undefined;
  const ids = [...new Set(queries.flatMap((q) => q.recorded))];
  const infos = new Map(await Promise.all(ids.map(async (id) => [id, await docker.inspectImage(id)] as const)));
  const found = new Map<string, DockerArtifact>();
  for (const query of queries) {
    const parentId = query.parent === undefined ? undefined : found.get(query.parent)?.id;
    const fitting = [...new Set(query.recorded)].flatMap((id) => {
      const info = infos.get(id);
      if (info === undefined || info.labels[FINGERPRINT_LABEL] !== query.fingerprint) return [];
      return query.parent !== undefined && info.labels[PARENT_LABEL] !== parentId ? [] : [info];
    });
    const distinct = [...new Map(fitting.map((i) => [i.id, i])).values()];
    if (distinct.length !== 1) return undefined;
    const info = distinct[0]!;
    // To the second, as the engine's image list gives it (listByLabel): the same artifact either way.
    const created = new Date(Math.floor(Date.parse(info.created) / 1000) * 1000).toISOString();
    found.set(query.image, { id: info.id, created, labels: info.labels });
  }
  return found;
}
