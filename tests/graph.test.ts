import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, REPO, runCli, removeProjects } from './helpers/project.js';
import { itNeeds, probeTools } from './helpers/tools.js';

afterAll(removeProjects);

const tools = await probeTools();

describe('build-images graph (real binary)', () => {
  it('prints the reference tree without Packer or a Docker engine', async () => {
    const run = await runCli(REPO, ['graph'], { PATH: '/nonexistent', DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(
      [
        'ubuntu:22.04',
        '└── base: node-exporter, consul',
        '    ├── consul: consul-server',
        '    ├── cortex: cortex',
        '    ├── nginx: nginx, nginxlog-exporter',
        '    └── monitoring: prometheus, grafana',
      ].join('\n'),
    );
  });

  it('follows the config overlays and --format', async () => {
    const run = await runCli(REPO, ['graph', '--format', 'mermaid', '-c', 'images.yaml', '-c', 'examples/offline/images.yaml']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      'flowchart TD',
      '  base_image(["local/debian:bookworm"])',
      '  img_base["base<br/>node-exporter, consul"]',
    ]);
    const dot = await runCli(REPO, ['graph', '--format', 'dot']);
    expect(dot.stdout).toContain('\n  "base" -> "monitoring";\n}');
  });

  it('exits 2 on an unknown format and on an invalid config', async () => {
    const format = await runCli(REPO, ['graph', '--format', 'svg']);
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toContain("error: option '--format <format>' argument 'svg' is invalid. Allowed choices are text, mermaid, dot.");
    const dir = await makeProject({ 'images.yaml': 'version: 1\nimages:\n  a: { parent: b, provisioners: [x] }\n' });
    const bad = await runCli(dir, ['graph']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
  });

  it('--plan needs Packer, and says so', async () => {
    const run = await runCli(REPO, ['graph', '--plan'], { PATH: '/nonexistent' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      'error: `packer` was not found on PATH. Install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer) and try again.',
    );
  });

  itNeeds(
    tools,
    'packer',
    'docker',
  )('--plan marks each image as plan would (real Packer and engine)', async () => {
    // The offline overlay's base (local/debian:bookworm): plan resolves the base first, and ubuntu:22.04 is
    // neither in this engine nor reachable from these machines, which would stop it before any mark.
    const dir = await makeProject({}, ['images.yaml', 'provisioners', 'examples/offline/images.yaml']);
    const plan = await runCli(dir, ['graph', '--plan', '--config', 'images.yaml', '--config', 'examples/offline/images.yaml']);
    expect(plan.exitCode).toBe(0);
    // A fresh copy has no manifest: every image is to be built, unless an identical build exists.
    for (const image of ['base', 'consul', 'cortex', 'nginx', 'monitoring']) {
      expect(plan.stdout).toMatch(new RegExp(`── ${image}: [a-z, -]+  \\[(build|reuse [0-9a-f]{12})`));
    }
  });
});
