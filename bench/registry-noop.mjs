// The CI case of `npm run bench`: a fresh runner (an empty second Docker engine) and a warm registry,
// no-op run of the reference tree. Every image is found in the registry by its fingerprint tag; nothing
// is built or pulled, and the tfvars file is byte-identical to the warm run's. Target (issue 15):
// < 3 s and < 5 % of the cold build.
//
// Called once from bench/run.mjs after its report is written; appends its own section to that report.
// Uses scripts/registry (127.0.0.1 only) and scripts/second-engine in its own temp dir, and removes
// both, and the images it built on the default engine, at the end.
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { capture, run, runOk } from './lib/proc.mjs';
import { CONFIG_ARGS, cli, copyProject } from './lib/tree.mjs';

// The pid in the name: two bench runs at once (a shared machine) must not tag, or remove, each other's images.
const REPOSITORY = `build-images-bench-registry-${process.pid}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Measures, then appends a section to `out`. `coldMs`: the tool's cold build of the tree, for the ratio. */
export async function registryNoopBench({ repo, out, coldMs, runs = 5, log }) {
  const work = await mkdtemp(join(tmpdir(), 'bi-bench-reg-'));
  const regDir = join(work, 'registry');
  const engineDir = await mkdtemp('/tmp/bi-bench-eng-'); // short: the engine's sockets live below it
  const project = join(work, 'project');
  const built = [];
  let result;
  let base;
  let registry;
  try {
    const port = await freePort();
    await runOk(join(repo, 'scripts', 'registry'), ['start', '--dir', regDir, '--port', String(port)]);
    registry = `127.0.0.1:${port}/cortex`;
    // The base comes from the registry too, as on a real CI runner (and as tests/e2e/registry.test.ts does):
    // the fresh engine does not hold local/debian:bookworm, and the tool resolves a root's base to its ID
    // or registry digest before it plans, so a base only the default engine knows stops the run.
    base = `127.0.0.1:${port}/debian:bookworm`;
    await runOk('docker', ['tag', 'local/debian:bookworm', base]);
    await runOk('docker', ['push', base]);
    await copyProject(repo, project);
    await writeFile(
      join(project, 'bench.yaml'),
      `# Written by bench/registry-noop.mjs\ntargets:\n  docker:\n    base_image: ${base}\n    repository: ${REPOSITORY}\n    registry: ${registry}\n`,
    );
    log('registry no-op: warming the registry (building and pushing the tree on the default engine)');
    const warm = await cli(repo, project, ['build', ...CONFIG_ARGS, '--plain', '--json']);
    if (warm.code !== 0) throw new Error(`warm build failed (exit ${warm.code}):\n${warm.stderr.split('\n').slice(-20).join('\n')}`);
    for (const image of JSON.parse(warm.stdout).images) if (image.status === 'built') built.push(image);
    const tfvars = await readFile(join(project, 'terraform/docker/images.auto.tfvars.json'), 'utf8');

    const host = (await runOk(join(repo, 'scripts', 'second-engine'), ['start', '--dir', engineDir])).stdout.trim();
    const env = { ...process.env, DOCKER_HOST: host };
    const walls = [];
    for (let i = 0; i < runs; i++) {
      // A fresh runner: a new checkout (no manifest, no tfvars) and an engine that holds nothing.
      const fresh = join(work, `fresh-${i}`);
      await copyProject(repo, fresh);
      await writeFile(join(fresh, 'bench.yaml'), await readFile(join(project, 'bench.yaml'), 'utf8'));
      const r = await cli(repo, fresh, ['build', ...CONFIG_ARGS, '--plain', '--json'], { env });
      if (r.code !== 0) throw new Error(`fresh-runner no-op failed (exit ${r.code}):\n${r.stderr.split('\n').slice(-20).join('\n')}`);
      const statuses = JSON.parse(r.stdout).images.map((i) => i.status);
      if (statuses.some((s) => s !== 'reused')) throw new Error(`fresh-runner no-op built something: ${statuses.join(', ')}`);
      const same = (await readFile(join(fresh, 'terraform/docker/images.auto.tfvars.json'), 'utf8')) === tfvars;
      if (!same) throw new Error('fresh-runner no-op wrote a different tfvars file');
      walls.push(r.wallMs);
    }
    const engineImages = ((await capture('docker', ['images', '-q'], { env })) ?? '').split('\n').filter(Boolean).length;
    result = {
      walls,
      medianMs: median(walls),
      coldMs,
      engineImages,
      command: `build-images build ${CONFIG_ARGS.join(' ')} --plain --json`,
    };
    log(`registry no-op: median ${sec(result.medianMs)} over ${runs} fresh runners`);
  } finally {
    await run(join(repo, 'scripts', 'second-engine'), ['wipe', '--dir', engineDir]);
    await run(join(repo, 'scripts', 'registry'), ['stop', '--dir', regDir]);
    // Our tags on the default engine (this run's registry's and repository's, never another run's), then the images built.
    const tags = ((await capture('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])) ?? '')
      .split('\n')
      .filter((t) => t.startsWith(`${REPOSITORY}/`) || (registry !== undefined && t.startsWith(`${registry}/`)));
    if (base !== undefined) tags.push(base);
    if (tags.length > 0) await run('docker', ['image', 'rm', '--no-prune', ...tags]);
    for (const image of [...built].reverse()) await run('docker', ['image', 'rm', image.id]);
    await rm(work, { recursive: true, force: true });
  }
  await appendFile(out, render(result));
  return result;
}

function render(r) {
  const pct = r.coldMs ? (r.medianMs / r.coldMs) * 100 : undefined;
  const met = r.medianMs < 3000 && (pct === undefined || pct < 5);
  return [
    '',
    '## Fresh runner, warm registry: no-op',
    '',
    `The CI case (issue 15): \`targets.docker.registry\` set, the registry holding the whole reference tree, and a runner with an empty engine (a second Docker engine started for the purpose) and a fresh checkout (no manifest, no tfvars). \`${r.command}\` there finds every image in the registry by its \`fp-<fingerprint>\` tag (one HEAD, then the manifest and the few-KB config to check the label; no layer), builds and pulls nothing (the engine still holds ${r.engineImages} images afterwards), and writes a tfvars file byte-identical to the warm run's. Wall time, ${r.walls.length} runs: ${r.walls.map(sec).join(', ')}.`,
    '',
    `Median **${sec(r.medianMs)}**${pct === undefined ? '' : `, ${pct.toFixed(1)} % of the cold build (${sec(r.coldMs)})`} (target < 3 s and < 5 %: ${met ? 'yes' : '**no**'}).`,
    '',
  ].join('\n');
}
