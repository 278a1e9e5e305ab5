// The reference tree on the real Docker engine: cold builds with the tool and by hand, the no-op
// rebuild, and a one-leaf change. Everything runs in a temp copy of the project.
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKER_ENV, run } from './proc.mjs';

/** What the bench copies: everything a build reads. The repository tree itself is never written. */
export const PROJECT_PARTS = ['images.yaml', 'provisioners', 'examples', 'schema', 'terraform'];

/** The benchmark's images get their own repository, so the team's tags on the shared engine are never moved. */
export const BENCH_REPOSITORY = 'build-images-bench';
export const HAND_REPOSITORY = 'build-images-bench-hand';
export const CONFIG_ARGS = ['--config', 'images.yaml', '--config', 'examples/offline/images.yaml', '--config', 'bench.yaml'];

export async function copyProject(repo, dest) {
  await mkdir(dest, { recursive: true });
  for (const part of PROJECT_PARTS) await cp(join(repo, part), join(dest, part), { recursive: true });
  await writeFile(
    join(dest, 'bench.yaml'),
    `# Written by bench/run.mjs: benchmark images are tagged ${BENCH_REPOSITORY}/<image>, never the team's tags.\ntargets:\n  docker:\n    repository: ${BENCH_REPOSITORY}\n`,
  );
}

/** `node bin/build-images <args>` in `cwd`; the exact process a user starts. */
export function cli(repo, cwd, args, options = {}) {
  return run(process.execPath, [join(repo, 'bin', 'build-images'), ...args], { cwd, ...options });
}

/** One `build --json`: wall time and the result object (schema/build-result.schema.json). */
export async function toolBuild(repo, project, { force = false, expect } = {}) {
  const args = ['build', ...CONFIG_ARGS, '--plain', '--json', ...(force ? ['--force'] : [])];
  const r = await cli(repo, project, args);
  let result;
  try {
    result = JSON.parse(r.stdout);
  } catch {
    result = undefined;
  }
  if (r.code !== 0 || result?.status !== 'succeeded') {
    throw new Error(`build-images ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.trim().split('\n').slice(-25).join('\n')}`);
  }
  const statuses = Object.fromEntries(result.images.map((i) => [i.image, i.status]));
  if (expect) {
    for (const [image, status] of Object.entries(statuses)) {
      const wanted = expect(image);
      if (status !== wanted) throw new Error(`expected ${image} to be ${wanted}, it was ${status}:\n${r.stderr}`);
    }
  }
  return { wallMs: r.wallMs, images: result.images, command: `build-images ${args.join(' ')}` };
}

/** Parents before children, config order within a level (the order a person would type them). */
export function handOrder(images) {
  const out = [];
  const placed = new Set();
  while (out.length < images.length) {
    const before = out.length;
    for (const image of images) {
      if (placed.has(image.name)) continue;
      if (image.parent === undefined || placed.has(image.parent)) {
        out.push(image);
        placed.add(image.name);
      }
    }
    if (out.length === before) throw new Error('images in a cycle');
  }
  return out;
}

/** The variables file the tool wrote for this image in its last build (undefined before its first). */
async function toolVariables(project, image) {
  const text = await readFile(join(project, '.build-images', 'docker', 'vars', `${image}.pkrvars.json`), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * The baseline users have today: the same generated templates, `packer build` one after another,
 * each child from its parent's freshly built ID. The variables are the tool's own file from its last
 * build of the image (so new template variables need no change here), with the source image, the
 * environment file, the repository and the labels replaced.
 */
export async function handBuild(project, workDir, config, dist) {
  const ids = new Map();
  const images = [];
  const started = process.hrtime.bigint();
  for (const image of handOrder(config.images)) {
    const source = image.parent === undefined ? config.targets.docker.baseImage : ids.get(image.parent);
    const r = await handBuildImage(project, workDir, config, dist, image.name, source);
    ids.set(image.name, r.id);
    images.push({ image: image.name, parent: image.parent ?? null, id: r.id, durationMs: r.durationMs });
  }
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, images };
}

/**
 * The peer a shell user would write: the same templates and variables as handBuild, but every image
 * of a level started at once after its parents (`packer build … &` per image, then `wait`), one level
 * after the other. On the reference tree: base, then all four children in parallel. Spawned from here
 * rather than from a shell script only so each build's ID and time are read the same way as handBuild's.
 */
export async function handParallelBuild(project, workDir, config, dist) {
  const ids = new Map();
  const images = [];
  const started = process.hrtime.bigint();
  let level = config.images.filter((i) => i.parent === undefined);
  while (level.length > 0) {
    const built = await Promise.all(
      level.map(async (image) => {
        const source = image.parent === undefined ? config.targets.docker.baseImage : ids.get(image.parent);
        const startedAt = new Date().toISOString();
        const r = await handBuildImage(project, workDir, config, dist, image.name, source);
        return { image: image.name, parent: image.parent ?? null, id: r.id, durationMs: r.durationMs, startedAt };
      }),
    );
    for (const b of built) {
      ids.set(b.image, b.id);
      images.push(b);
    }
    const names = new Set(level.map((i) => i.name));
    level = config.images.filter((i) => i.parent !== undefined && names.has(i.parent));
  }
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, images };
}

/** One `packer build` by hand, of one image from `source`: its ID and how long Packer took. */
export async function handBuildImage(project, workDir, config, dist, name, source) {
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const image = config.images.find((i) => i.name === name);
  const envFile = join(workDir, `${name}.env`);
  const varFile = join(workDir, `${name}.pkrvars.json`);
  await writeFile(envFile, dist.renderEnvFile(image.variables), { mode: 0o600 });
  const variables = {
    ...(await toolVariables(project, name)),
    source_image: source,
    run_args: config.targets.docker.runArgs,
    env_file: envFile,
    repository: `${HAND_REPOSITORY}/${name}`,
    tags: [config.targets.docker.tag],
    // No fingerprint label: the tool must never mistake a hand-built image for one of its own.
    labels: { 'org.build-images.image': name, 'org.build-images.parent': source, 'org.build-images.version': 'hand-run' },
  };
  await writeFile(varFile, `${JSON.stringify(variables, null, 2)}\n`);
  const collector = new dist.ArtifactCollector();
  const r = await run('packer', ['build', '-machine-readable', '-color=false', `-var-file=${varFile}`, `packer/docker/${name}.pkr.hcl`], {
    cwd: project,
    env: PACKER_ENV,
    onStdoutLine: (line) => {
      const parsed = dist.parseMachineLine(line);
      if (parsed) collector.add(parsed);
    },
  });
  const log = join(workDir, `${name}.log`);
  await writeFile(log, `${r.stdout}\n${r.stderr}`);
  const id = dist.dockerImageId(collector.artifacts(`docker.${name}`));
  if (r.code !== 0 || id === undefined) {
    throw new Error(
      `hand-run packer build of ${name} failed (exit ${r.code}); log: ${log}\n${r.stdout.trim().split('\n').slice(-10).join('\n')}`,
    );
  }
  return { id, durationMs: r.wallMs };
}

/** Appends a comment to a provisioner of the temp copy: a content change that affects one image. */
export async function touchProvisioner(project, name, note) {
  await appendFile(join(project, 'provisioners', `${name}.sh`), `# bench: ${note}\n`);
}
