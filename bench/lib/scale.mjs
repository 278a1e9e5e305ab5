// Synthetic trees of N images for `plan` and `generate`: several levels deep, 1-3 provisioners per
// image from a pool of real-sized scripts, per-image variables, the real provisioners/lib/.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from './stats.mjs';
import { run } from './proc.mjs';

const FANOUT = 4;
const POOL = 24;

export const imageName = (i) => `img-${String(i).padStart(4, '0')}`;

/** Parent of image i in a complete 4-ary tree: 10 images → 3 levels, 100 → 5, 1,000 → 6. */
const parentOf = (i) => (i === 0 ? undefined : Math.floor((i - 1) / FANOUT));

export function levelsOf(n) {
  let depth = 0;
  for (let i = n - 1; i > 0; i = parentOf(i)) depth++;
  return depth + 1;
}

export function syntheticConfig(n) {
  const lines = [
    '# Synthetic tree written by bench/run.mjs.',
    'version: 1',
    'variables: { MIRROR: "file:///mirror", NODE_EXPORTER_VERSION: "1.5.0", PROMETHEUS_VERSION: "2.42.0" }',
    'targets:',
    '  docker:',
    '    base_image: local/debian:bookworm',
    '    repository: build-images-bench-scale',
    '    run_args: ["--network=host", "--volume=/var/cache/build-images/mirror:/mirror:ro"]',
    'images:',
  ];
  for (let i = 0; i < n; i++) {
    const count = 1 + (i % 3);
    const provisioners = Array.from({ length: count }, (_, k) => `svc-${String(((i * 7 + k * 5) % POOL) + 1).padStart(2, '0')}`);
    const parent = parentOf(i);
    const parentPart = parent === undefined ? '' : `parent: ${imageName(parent)}, `;
    lines.push(
      `  ${imageName(i)}: { ${parentPart}provisioners: [${provisioners.join(', ')}], variables: { SERVICE_PORT: "${10000 + i}", ROLE: "tier-${levelsOf(i + 1)}" } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A project with the synthetic config, 24 scripts made from the real provisioners, and the real lib/. */
export async function makeSyntheticProject(repo, dir, n) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'provisioners'), { recursive: true });
  await cp(join(repo, 'provisioners', 'lib'), join(dir, 'provisioners', 'lib'), { recursive: true });
  const real = (await readdir(join(repo, 'provisioners'))).filter((f) => f.endsWith('.sh')).sort();
  for (let k = 0; k < POOL; k++) {
    const text = await readFile(join(repo, 'provisioners', real[k % real.length]), 'utf8');
    await writeFile(join(dir, 'provisioners', `svc-${String(k + 1).padStart(2, '0')}.sh`), `${text}# synthetic variant ${k + 1}\n`, {
      mode: 0o755,
    });
  }
  await writeFile(join(dir, 'images.yaml'), syntheticConfig(n));
}

/** Repeats a command; every run must exit 0 and pass `check`. */
async function repeat(times, fn, check) {
  const runs = [];
  for (let i = 0; i < times; i++) {
    const r = await fn();
    if (r.code !== 0) throw new Error(`exit ${r.code}:\n${r.stderr.trim().split('\n').slice(-10).join('\n')}`);
    check?.(r);
    runs.push({ wallMs: r.wallMs, maxRssKb: r.maxRssKb, userMs: r.userMs, systemMs: r.systemMs });
  }
  const cpu = (key) => (runs.every((r) => r[key] !== undefined) ? median(runs.map((r) => r[key])) : undefined);
  return {
    runs,
    wallMs: median(runs.map((r) => r.wallMs)),
    maxRssKb: Math.max(...runs.map((r) => r.maxRssKb ?? NaN)),
    userMs: cpu('userMs'),
    systemMs: cpu('systemMs'),
  };
}

export async function measureScale(repo, dir, n, times, { generate: timeGenerate = true } = {}) {
  const bin = join(repo, 'bin', 'build-images');
  const node = (args) => run(process.execPath, [bin, ...args], { cwd: dir, memory: true });
  const plan = await repeat(
    times,
    () => node(['plan', '--config', 'images.yaml']),
    (r) => {
      const head = r.stdout.split('\n')[0] ?? '';
      if (!head.startsWith(`Plan for target docker: ${n} images in ${levelsOf(n)} levels`))
        throw new Error(`unexpected plan output: ${head}`);
    },
  );
  const generate = !timeGenerate
    ? undefined
    : await repeat(
        times,
        async () => {
          // Each run writes every template, as a first `generate` (or a change to all of them) does.
          await rm(join(dir, 'packer'), { recursive: true, force: true });
          return node(['generate', '--config', 'images.yaml', '--packer-version', '1.6.6']);
        },
        (r) => {
          if (!r.stdout.includes(`${n} written`)) throw new Error(`unexpected generate output: ${r.stdout.split('\n').at(-2)}`);
        },
      );
  const phases = await run(process.execPath, [join(repo, 'bench', 'plan-phases.mjs'), '--config', 'images.yaml'], { cwd: dir });
  return { n, levels: levelsOf(n), plan, generate, phases: parsePhases(phases) };
}

export function parsePhases(r) {
  if (r.code !== 0) return { error: r.stderr.trim().split('\n').slice(-5).join(' ') };
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { error: `unreadable output: ${r.stdout.slice(0, 200)}` };
  }
}
