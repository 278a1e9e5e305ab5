#!/usr/bin/env node
// Where `plan` spends its time: imports the built modules (dist/, unbundled: the CLI itself runs the esbuild
// bundle in dist/bundle/, so its module loading costs less than the import figures here) and runs the same preparation
// `plan` and `build` run (engine/prepare.js), with the Packer and Docker adapters wrapped in timers.
// Prints one JSON object. Usage (in a project directory): node bench/plan-phases.mjs --config images.yaml ...
// It reaches into dist/ internals, so it follows both the docker-only API (prepareDockerRun) and the
// target API (prepareRun + dockerTarget); figures it cannot take are left out.
import { performance } from 'node:perf_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const files = process.argv.slice(2).filter((a, i, all) => all[i - 1] === '--config');
const out = { nodeStartMs: performance.now(), imports: {} };
out.cliStaticImports = staticPackages('cli.js');

/** Imports a dist module and records what it adds on top of the modules loaded before it. */
async function load(path) {
  const url = new URL(path, dist);
  if (!existsSync(fileURLToPath(url))) return {};
  const s = performance.now();
  const mod = await import(url);
  out.imports[path] = performance.now() - s;
  return mod;
}
// Order matters: each figure is what that module adds on top of the ones before it.
const { loadConfig } = await load('config/load.js'); // yaml, ajv
const { packerCli } = await load('packer/run.js'); // execa
const { dockerEngine } = await load('targets/docker/engine.js');
// dockerode is not timed: the engine's questions go over node:http (targets/docker/engine-api.js), and
// dockerode loads only for a push, a pull or an ssh:// engine.
// @aws-sdk/client-ec2: only when the CLI loads it at start-up, so the figures add up to what a command pays.
if (out.cliStaticImports.includes('@aws-sdk/client-ec2')) await load('targets/ami/ec2.js');
const prepare = await load('engine/prepare.js');
const { dockerTarget } = await load('targets/docker/target.js');
const { dockerDefinition } = await load('targets/docker/definition.js');
const plan = await load('commands/plan.js');
await load('cli.js'); // commander, listr2, the renderers, whatever else the CLI imports up front
const { buildTree } = await load('graph/tree.js');

const timed =
  (fn, samples) =>
  async (...args) => {
    const s = performance.now();
    try {
      return await fn(...args);
    } finally {
      samples.push(performance.now() - s);
    }
  };
/** Wraps every method of an adapter so each call is counted and timed, under `samples[name]`. */
function instrument(adapter, samples) {
  const wrapped = { ...adapter };
  for (const [name, fn] of Object.entries(adapter)) {
    if (typeof fn !== 'function') continue;
    samples[name] = [];
    wrapped[name] = timed(fn.bind(adapter), samples[name]);
  }
  return wrapped;
}
const packerCalls = {};
const engineCalls = {};

let s = performance.now();
const loaded = await loadConfig(files.length ? files : ['images.yaml'], { cwd: process.cwd() });
out.loadConfigMs = performance.now() - s;
if (!loaded.ok) throw new Error(`config problems: ${JSON.stringify(loaded.error).slice(0, 500)}`);
const config = loaded.value;

const realPacker = packerCli();
const realDocker = dockerEngine();
const packer = instrument(realPacker, packerCalls);
const docker = instrument(realDocker, engineCalls);
// After the target port (issue 12) a target is opened from its definition; before it, dockerTarget(config, docker, note).
const target = dockerDefinition
  ? dockerDefinition({ engine: () => docker }).open(config, { note: () => {} })
  : dockerTarget
    ? dockerTarget(config, docker, () => {})
    : undefined;
s = performance.now();
const prepared = prepare.prepareRun
  ? await prepare.prepareRun(config, { packer, target }, prepare.SELECT_ALL)
  : await prepare.prepareDockerRun(config, { packer, docker }, prepare.SELECT_ALL);
out.prepareMs = performance.now() - s;
if (!prepared.ok) throw new Error(prepared.message);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const summarise = (calls) =>
  Object.fromEntries(
    Object.entries(calls)
      .filter(([, xs]) => xs.length > 0)
      .map(([name, xs]) => [
        name,
        { calls: xs.length, totalMs: sum(xs), medianMs: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] },
      ]),
  );
out.packerCalls = summarise(packerCalls);
out.engineCalls = summarise(engineCalls);
out.packerVersionMs = out.packerCalls.version?.totalMs ?? 0;
out.pingMs = out.engineCalls.ping?.totalMs ?? 0;
out.engineQueries = { calls: 0, totalMs: 0 };
for (const [name, c] of Object.entries(out.engineCalls)) {
  if (name === 'ping') continue;
  out.engineQueries.calls += c.calls;
  out.engineQueries.totalMs += c.totalMs;
}
out.prepareOtherMs = out.prepareMs - out.packerVersionMs - out.pingMs - out.engineQueries.totalMs;

// Templates and fingerprints again on their own (warm file cache), to split "other" into its pieces.
const tree = buildTree(config.images);
if (prepare.fingerprintsFor && target) {
  s = performance.now();
  await prepare.fingerprintsFor(config, tree, target, prepared.value.packer);
  out.fingerprintMs = performance.now() - s;
}
s = performance.now();
if (plan.planEntries && plan.renderPlan) {
  const entries = target ? plan.planEntries(prepared.value, target) : plan.planEntries(prepared.value);
  if (target) plan.renderPlan(entries, 'docker', config.targets.docker.baseImage);
  else plan.renderPlan(entries, config.targets.docker.baseImage);
  out.renderMs = performance.now() - s;
}

// The alternative: one label query for every fingerprinted image, matched in memory.
const { default: Docker } = await import('dockerode');
s = performance.now();
const all = await new Docker().listImages({ filters: { label: ['org.build-images.fingerprint'] } });
out.oneQuery = { ms: performance.now() - s, images: all.length };
s = performance.now();
const everything = await new Docker().listImages({ all: false });
out.engineImages = { count: everything.length, listMs: performance.now() - s };

out.images = tree.order.length;
out.totalMs = performance.now();
out.maxRssKb = process.resourceUsage().maxRSS;
process.stdout.write(`${JSON.stringify(out)}\n`);

/** Packages reached through static imports from a dist module: what its start-up always loads. */
function staticPackages(entry) {
  const seen = new Set();
  const packages = new Set();
  const visit = (url) => {
    if (seen.has(url.href) || !existsSync(fileURLToPath(url))) return;
    seen.add(url.href);
    const text = readFileSync(fileURLToPath(url), 'utf8');
    for (const [, spec] of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (spec.startsWith('.')) visit(new URL(spec, url));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  };
  visit(new URL(entry, dist));
  return [...packages].sort();
}
