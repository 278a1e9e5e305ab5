#!/usr/bin/env node
// npm run bench: measures build-images against running Packer by hand, and how plan/generate scale,
// on this machine in one run, and writes docs/benchmarks.md. Needs `npm run build` first (it drives
// bin/build-images, which runs dist/), Packer, the Docker engine, local/debian:bookworm and the
// offline mirror (examples/offline/prepare). Works in temp copies: the repository is not written
// except docs/benchmarks.md. Options:
//   --runs N          cold builds per side, rotating tool / by hand / naive parallel (default 2)
//   --noop-runs N     no-op rebuilds (default 8)
//   --leaf-runs N     one-leaf changes (default 2)
//   --sizes 10,100,1000,10000  synthetic tree sizes; --scale-runs N repeats of each (default 3);
//                     --generate-max N  largest size `generate` is timed on (default 1000)
//   --sim-trees N     random trees per size in the scheduling simulation (default 30); --sim-seed S (default 18)
//   --sim-times FILE  build times for the simulation from a saved results file (default: this run's cold
//                     builds; with --only sim|scale, the hand-run table of the current docs/benchmarks.md)
//   --startup-runs N  runs of `build-images --version` and `node -e 0` (default 10)
//   --only tree|scale|sim|registry  run some parts, comma-separated (the document then has only those; sim is pure
//                     computation; registry is the fresh-runner no-op of bench/registry-noop.mjs, run last)
//   --budget-min M    stop adding cold runs when the whole bench would pass M minutes (default 14)
//   --out FILE        default docs/benchmarks.md;  --keep  keep the temp dir and the images built
//   --save FILE       where to write the raw results as JSON (default: build-images-bench-results.json in the
//                     OS temp dir);  --render FILE  only re-render --out from such a file
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, hasGnuTime, run } from './lib/proc.mjs';
import {
  BENCH_REPOSITORY,
  CONFIG_ARGS,
  cli,
  copyProject,
  handBuild,
  handBuildImage,
  handParallelBuild,
  HAND_REPOSITORY,
  toolBuild,
  touchProvisioner,
} from './lib/tree.mjs';
import { imageSizes } from './lib/layers.mjs';
import { makeSyntheticProject, measureScale, parsePhases } from './lib/scale.mjs';
import { renderReport } from './lib/report.mjs';
import { runSimulation } from './lib/simulate.mjs';
import { registryNoopBench } from './registry-noop.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const started = Date.now();
const opts = parseArgs(process.argv.slice(2));
const log = (message) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
const LEAF = 'cortex';

function parseArgs(argv) {
  const o = {
    runs: 2,
    noopRuns: 8,
    leafRuns: 2,
    sizes: [10, 100, 1000, 10000],
    scaleRuns: 3,
    generateMax: 1000,
    simTrees: 30,
    simSeed: 18,
    simTimes: undefined,
    startupRuns: 10,
    only: undefined,
    budgetMin: 14,
    out: join(repo, 'docs', 'benchmarks.md'),
    keep: false,
    save: undefined,
    render: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') o.runs = Number(next());
    else if (a === '--noop-runs') o.noopRuns = Number(next());
    else if (a === '--leaf-runs') o.leafRuns = Number(next());
    else if (a === '--sizes') o.sizes = next().split(',').map(Number);
    else if (a === '--scale-runs') o.scaleRuns = Number(next());
    else if (a === '--generate-max') o.generateMax = Number(next());
    else if (a === '--sim-trees') o.simTrees = Number(next());
    else if (a === '--sim-seed') o.simSeed = Number(next());
    else if (a === '--sim-times') o.simTimes = next();
    else if (a === '--startup-runs') o.startupRuns = Number(next());
    else if (a === '--only') o.only = next();
    else if (a === '--budget-min') o.budgetMin = Number(next());
    else if (a === '--out') o.out = next();
    else if (a === '--keep') o.keep = true;
    else if (a === '--save') o.save = next();
    else if (a === '--render') o.render = next();
    else throw new Error(`unknown option ${a} (see the header of bench/run.mjs)`);
  }
  return o;
}

async function preflight() {
  const problems = [];
  if (!existsSync(join(repo, 'dist', 'cli.js'))) problems.push('dist/ is missing: run `npm run build` first.');
  if ((await capture('packer', ['version'])) === undefined)
    problems.push('`packer version` failed: install Packer (apt-get install packer).');
  if ((await capture('docker', ['info', '--format', '{{.ServerVersion}}'])) === undefined)
    problems.push('the Docker engine does not answer: run scripts/start-docker.');
  if (opts.only === undefined || opts.only.split(',').some((p) => p === 'tree' || p === 'registry')) {
    if ((await capture('docker', ['image', 'inspect', '--format', '{{.Id}}', 'local/debian:bookworm'])) === undefined)
      problems.push('local/debian:bookworm is missing: run examples/offline/prepare.');
    if (!existsSync('/var/cache/build-images/mirror'))
      problems.push('the mirror /var/cache/build-images/mirror is missing: run examples/offline/prepare.');
  }
  if (problems.length) throw new Error(problems.join('\n'));
  const built = statSync(join(repo, 'dist', 'cli.js')).mtimeMs;
  const newer = await newestBelow(join(repo, 'src'));
  if (newer.mtimeMs > built)
    log(`warning: ${relative(repo, newer.path)} is newer than dist/: the bench measures the last \`npm run build\`.`);
  return new Date(built).toISOString();
}

async function newestBelow(dir) {
  let best = { path: dir, mtimeMs: 0 };
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = await stat(path);
    if (mtimeMs > best.mtimeMs) best = { path, mtimeMs };
  }
  return best;
}

async function machineFacts(distBuiltAt) {
  const osRelease = existsSync('/etc/os-release')
    ? /PRETTY_NAME="?([^"\n]*)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]
    : undefined;
  const count = async (args) => ((await capture('docker', args)) ?? '').split('\n').filter(Boolean).length;
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memBytes: totalmem(),
    os: osRelease ?? 'unknown',
    kernel: release(),
    node: process.version,
    packer: (await capture('packer', ['version']))?.split('\n')[0] ?? 'unknown',
    docker: (await capture('docker', ['version', '--format', 'server {{.Server.Version}}, client {{.Client.Version}}'])) ?? 'unknown',
    storageDriver: (await capture('docker', ['info', '--format', '{{.Driver}}'])) ?? 'unknown',
    engineImages: await count(['images', '-q']),
    runningContainers: await count(['ps', '-q']),
    loadStart: loadavg(),
    tool: JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version,
    commit: gitCommit(),
    distBuiltAt,
    gnuTime: hasGnuTime(),
  };
}

/** The checked-out commit, read from .git without running git; undefined outside a checkout. */
function gitCommit() {
  try {
    const head = readFileSync(join(repo, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    const ref = head.slice(5);
    const loose = join(repo, '.git', ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim().slice(0, 12);
    const packed = readFileSync(join(repo, '.git', 'packed-refs'), 'utf8')
      .split('\n')
      .find((l) => l.endsWith(` ${ref}`));
    return packed?.slice(0, 12);
  } catch {
    return undefined;
  }
}

function commandLine() {
  const args = process.argv.slice(2).join(' ');
  return process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${args ? ` -- ${args}` : ''}`
    : `node bench/run.mjs${args ? ` ${args}` : ''}`;
}

/** The reference tree: cold builds (tool vs hand-run, alternating), no-op rebuilds, one-leaf changes, sizes. */
async function treeSection(work, built) {
  const project = join(work, 'tree');
  await copyProject(repo, project);
  const dist = {
    ...(await import('../dist/packer/env-file.js')),
    ...(await import('../dist/packer/machine-readable.js')),
    ...(await import('../dist/config/load.js')),
  };
  const loaded = await dist.loadConfig(['images.yaml', 'examples/offline/images.yaml', 'bench.yaml'], { cwd: project });
  if (!loaded.ok) throw new Error(`the reference config does not load: ${JSON.stringify(loaded.error).slice(0, 400)}`);
  const config = loaded.value;
  const leaf = config.images.find((i) => i.name === LEAF);
  if (!leaf || config.images.some((i) => i.parent === LEAF)) throw new Error(`${LEAF} is not a leaf of the reference tree`);
  // The hand-run uses the templates the tool generates for the installed Packer.
  const gen = await cli(repo, project, ['generate', ...CONFIG_ARGS]);
  if (gen.code !== 0) throw new Error(`generate failed:\n${gen.stderr}`);

  const out = {
    images: config.images.map((i) => ({ name: i.name, parent: i.parent ?? null, provisioners: i.provisioners })),
    concurrency: config.targets.docker.concurrency ?? availableParallelism(),
    leaf: LEAF,
    cold: [],
    noop: [],
    leafRuns: [],
    commands: {},
  };
  const deadline = started + opts.budgetMin * 60_000;
  // What follows the cold runs took about 4 minutes on a loaded 2-core machine (3 with --only tree less the scale part).
  const reserveMs = opts.only === 'tree' ? 120_000 : 270_000;
  let pairMs = 0;
  for (let i = 0; i < opts.runs; i++) {
    if (i > 0 && Date.now() + pairMs * 1.15 + reserveMs > deadline) {
      log(`cold runs: stopping after ${i} per side (budget ${opts.budgetMin} min)`);
      break;
    }
    const pairStart = Date.now();
    // Rotating the order (tool, hand, naive; hand, naive, tool; …) spreads drift in the machine's load over all three.
    const sides = ['tool', 'hand', 'naive'];
    for (const who of [...sides.slice(i % 3), ...sides.slice(0, i % 3)]) {
      const label = {
        tool: 'build-images --force',
        hand: 'packer build by hand, one after another',
        naive: 'packer build by hand, children in parallel (& and wait)',
      };
      log(`cold run ${i + 1}/${opts.runs}: ${label[who]}`);
      if (who === 'tool') {
        const r = await toolBuild(repo, project, { force: true, expect: () => 'built' });
        out.commands.cold = r.command;
        for (const image of r.images) built.push({ id: image.id, name: image.image, root: image.parent === null });
        out.cold.push({
          who,
          wallMs: r.wallMs,
          images: r.images.map(({ image, parent, id, durationMs, startedAt }) => ({ image, parent, id, durationMs, startedAt })),
        });
      } else {
        const r = await (who === 'hand' ? handBuild : handParallelBuild)(project, join(work, `${who}-${i + 1}`), config, dist);
        for (const image of r.images) built.push({ id: image.id, name: image.image, root: image.parent === null });
        out.cold.push({ who, wallMs: r.wallMs, images: r.images });
      }
      log(`  ${who}: ${(out.cold.at(-1).wallMs / 1000).toFixed(1)} s`);
    }
    pairMs = Date.now() - pairStart;
  }

  log(`no-op rebuilds: ${opts.noopRuns} runs`);
  for (let i = 0; i < opts.noopRuns; i++) {
    const r = await toolBuild(repo, project, { expect: () => 'reused' });
    out.commands.noop = r.command;
    out.noop.push({ wallMs: r.wallMs });
  }
  out.noopPhases = parsePhases(await run(process.execPath, [join(repo, 'bench', 'plan-phases.mjs'), ...CONFIG_ARGS], { cwd: project }));
  out.startup = { node: [], version: [] };
  for (let i = 0; i < opts.startupRuns; i++) {
    out.startup.node.push((await run(process.execPath, ['-e', '0'])).wallMs);
    out.startup.version.push((await cli(repo, project, ['--version'])).wallMs);
  }

  let lastImages;
  for (let i = 0; i < opts.leafRuns; i++) {
    log(`one-leaf change ${i + 1}/${opts.leafRuns}: a comment appended to provisioners/${LEAF}.sh`);
    await touchProvisioner(project, LEAF, `one-leaf change ${i + 1}, ${new Date().toISOString()}`);
    const r = await toolBuild(repo, project, { expect: (image) => (image === LEAF ? 'built' : 'reused') });
    out.commands.leaf = r.command;
    const leafImage = r.images.find((im) => im.image === LEAF);
    built.push({ id: leafImage.id, name: LEAF, root: false });
    // The same leaf by hand right away, from the same parent: a baseline taken under the same load.
    const parentId = r.images.find((im) => im.image === leaf.parent).id;
    const hand = await handBuildImage(project, join(work, `leaf-${i + 1}`), config, dist, LEAF, parentId);
    built.push({ id: hand.id, name: LEAF, root: false });
    out.leafRuns.push({ wallMs: r.wallMs, leafMs: leafImage.durationMs, handMs: hand.durationMs });
    lastImages = r.images;
  }
  if (!lastImages) lastImages = (await toolBuild(repo, project, {})).images;

  log('image sizes and layer contents');
  out.sizes = await imageSizes(config, Object.fromEntries(lastImages.map((i) => [i.image, i.id])));
  return out;
}

async function startupRuns(work) {
  const out = { node: [], version: [] };
  for (let i = 0; i < opts.startupRuns; i++) {
    out.node.push((await run(process.execPath, ['-e', '0'])).wallMs);
    out.version.push((await cli(repo, work, ['--version'])).wallMs);
  }
  return out;
}

async function scaleSection(work) {
  const out = [];
  for (const n of opts.sizes) {
    log(`scale: ${n} images (plan and generate, ${opts.scaleRuns} runs each)`);
    const dir = join(work, `scale-${n}`);
    await makeSyntheticProject(repo, dir, n);
    out.push(await measureScale(repo, dir, n, opts.scaleRuns, { generate: n <= opts.generateMax }));
  }
  return out;
}

/** Build times for the simulation: { image: [ms, …] } from solo (one after another) builds of the reference tree. */
function simSamples(tree) {
  if (tree) return { source: "this run's cold builds by hand, one after another (solo build times)", samples: soloTimes(tree.cold) };
  if (opts.simTimes) {
    const saved = JSON.parse(readFileSync(opts.simTimes, 'utf8'));
    return { source: `the cold builds by hand in ${opts.simTimes} (${saved.startedAt})`, samples: soloTimes(saved.tree.cold) };
  }
  // The hand-run rows of section 1 of the current docs/benchmarks.md: real builds from its last full run.
  const doc = readFileSync(join(repo, 'docs', 'benchmarks.md'), 'utf8');
  const header = doc.split('\n').find((l) => l.startsWith('| Run | Who | Wall |'));
  if (!header) throw new Error('no build times for the simulation: run the tree part, or pass --sim-times');
  const names = header
    .split('|')
    .map((c) => c.trim())
    .filter(Boolean)
    .slice(3);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (const line of doc.split('\n').filter((l) => /^\| \d+ \| by hand(, one after another)? \|/.test(l))) {
    const cells = line
      .split('|')
      .map((c) => c.trim())
      .filter(Boolean)
      .slice(3);
    cells.forEach((c, k) => samples[names[k]].push(parseFloat(c) * (c.endsWith(' ms') ? 1 : 1000)));
  }
  const date = /on (\d{4}-\d{2}-\d{2})/.exec(doc)?.[1] ?? 'an earlier run';
  return { source: `the builds by hand in section 1 of docs/benchmarks.md as it stood (run of ${date})`, samples };
}

function soloTimes(cold) {
  const samples = {};
  for (const r of cold.filter((c) => c.who === 'hand')) for (const i of r.images) (samples[i.image] ??= []).push(i.durationMs);
  return samples;
}

async function simSection(tree) {
  const { source, samples } = simSamples(tree);
  log(`scheduling simulation: ${opts.simTrees} random trees per size, build times from ${source}`);
  const sim = await runSimulation(repo, { trees: opts.simTrees, seed: opts.simSeed, samples });
  return { ...sim, source, samples };
}

/**
 * Removes what the bench built: first its own tags (only where they point at an image it built), then
 * the images it built by ID, children first, never forced: an image someone else has tagged since
 * (or built on) stays.
 */
async function removeImages(built) {
  const ids = new Set(built.map((b) => b.id));
  const names = [...new Set(built.map((b) => b.name))];
  const tags = [BENCH_REPOSITORY, HAND_REPOSITORY].flatMap((repository) => names.map((n) => `${repository}/${n}:latest`));
  for (const tag of tags) {
    const id = await capture('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]);
    if (id !== undefined && ids.has(id)) await run('docker', ['image', 'rm', '--no-prune', tag]);
  }
  const ordered = [...new Set([...built.filter((b) => !b.root), ...built.filter((b) => b.root)].map((b) => b.id))];
  for (let pass = 0; pass < 2; pass++) {
    for (const id of ordered) await run('docker', ['image', 'rm', id], { timeoutMs: 120_000 });
  }
  let remaining = 0;
  for (const id of ordered) if ((await capture('docker', ['image', 'inspect', '--format', '{{.Id}}', id])) !== undefined) remaining++;
  return { built: ordered.length, remaining };
}

async function main() {
  if (opts.render) {
    await writeFile(opts.out, renderReport(JSON.parse(readFileSync(opts.render, 'utf8'))));
    log(`rendered ${opts.out} from ${opts.render}`);
    return;
  }
  log(`build-images bench: ${commandLine()}`);
  const distBuiltAt = await preflight();
  const machine = await machineFacts(distBuiltAt);
  const work = await mkdtemp(join(tmpdir(), 'build-images-bench-'));
  log(`working in ${work}`);
  const built = [];
  // The machine is shared: the 1-minute load average every 10 s, so the document can say how busy it was.
  const loadSamples = [loadavg()[0]];
  const sampler = setInterval(() => loadSamples.push(loadavg()[0]), 10_000);
  sampler.unref();
  const results = { startedAt: new Date(started).toISOString(), command: commandLine(), machine, options: opts };
  const parts = opts.only === undefined ? ['tree', 'scale', 'sim', 'registry'] : opts.only.split(',');
  try {
    if (parts.includes('tree')) results.tree = await treeSection(work, built);
    if (parts.includes('scale')) results.scale = await scaleSection(work);
    if (parts.includes('sim')) results.sim = await simSection(results.tree);
    // Start-up without the tree part: `--version` and `node -e 0` alone (the no-op build needs the built tree).
    if (!results.tree && parts.includes('scale')) results.startup = await startupRuns(work);
  } finally {
    if (!opts.keep) {
      log('removing the images the bench built and its temp dir');
      results.cleanup = await removeImages(built).catch((e) => ({ error: e.message }));
      await rm(work, { recursive: true, force: true });
    } else log(`kept ${work} and the images`);
  }
  clearInterval(sampler);
  results.machine.loadEnd = loadavg();
  results.machine.loadSamples = loadSamples;
  results.elapsedMs = Date.now() - started;
  const saved = opts.save ?? join(tmpdir(), 'build-images-bench-results.json');
  await writeFile(saved, `${JSON.stringify(results, null, 2)}\n`);
  log(`raw results in ${saved} (re-render with --render)`);
  await writeFile(opts.out, renderReport(results));
  log(`wrote ${relative(process.cwd(), opts.out) || opts.out} (${(results.elapsedMs / 60_000).toFixed(1)} min)`);
  if (parts.includes('registry'))
    await registryNoopBench({ repo, out: opts.out, coldMs: results.tree?.cold.find((r) => r.who === 'tool')?.wallMs, log });
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
