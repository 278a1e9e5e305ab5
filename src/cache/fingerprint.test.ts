import { afterAll, describe, expect, it } from 'vitest';
import { addFiles, removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { buildTree } from '../graph/tree.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import { dockerTemplates } from '../targets/docker/templates.js';
import { dockerTarget } from '../targets/docker/target.js';
import type { DockerEngine } from '../targets/docker/engine.js';
import { fingerprintTree } from './collect-inputs.js';
import { decide } from './decide.js';
import { canonicalJson } from './fingerprint.js';

afterAll(removeTempDirs);

const v166 = { major: 1, minor: 6, patch: 6 };
/** The Docker target's content settings; no engine is touched. */
const dockerSettings = (config: Config) => dockerTarget(dockerDefinition(), config, {} as DockerEngine, () => undefined).settings;
const CONFIG = `version: 1
variables: { REGION: eu, PORT: 9009 }
targets:
  docker: { base_image: "local/debian:bookworm", run_args: ["--network=host"] }
images:
  base: { provisioners: [a] }
  app: { parent: base, provisioners: [b], variables: { APP: one } }
  app-debug: { parent: app, provisioners: [c] }
  tool: { parent: base, provisioners: [c] }
`;
const SCRIPTS = {
  'provisioners/a.sh': 'echo a\n',
  'provisioners/b.sh': 'echo b\n',
  'provisioners/c.sh': 'echo c\n',
  'provisioners/lib/common.sh': 'x=1\n',
};

async function load(dir: string, files = ['images.yaml']): Promise<Config> {
  const loaded = await loadConfig(files, { cwd: dir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

async function fingerprintsOf(dir: string, files?: string[]): Promise<Record<string, string>> {
  const config = await load(dir, files);
  const tree = buildTree(config.images);
  const templates = new Map(dockerTemplates(tree, v166, true).map((f, i) => [tree.order[i]!.name, f.content]));
  const fps = await fingerprintTree(config, tree, templates, dockerSettings(config));
  return Object.fromEntries([...fps].map(([k, v]) => [k, v.fingerprint]));
}

const project = (config = CONFIG, extra: Record<string, string> = {}) => tempDir({ 'images.yaml': config, ...SCRIPTS, ...extra });

/** The images whose fingerprint differs between two runs. */
const changed = (a: Record<string, string>, b: Record<string, string>): string[] =>
  Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .sort();

describe('fingerprints', () => {
  it('are stable across directories and key order', async () => {
    const reordered = `images:
  tool: { provisioners: [c], parent: base }
  app-debug: { provisioners: [c], parent: app }
  app: { variables: { APP: one }, provisioners: [b], parent: base }
  base: { provisioners: [a] }
targets:
  docker: { run_args: ["--network=host"], base_image: "local/debian:bookworm" }
variables: { PORT: 9009, REGION: eu }
version: 1
`;
    const a = await fingerprintsOf(await project());
    const b = await fingerprintsOf(await project(reordered));
    expect(b).toEqual(a);
    expect(new Set(Object.values(a)).size).toBe(4);
    for (const fp of Object.values(a)) expect(fp).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    {
      input: 'a leaf provisioner (c is used by two leaves)',
      edit: { 'provisioners/c.sh': 'echo C\n' },
      config: CONFIG,
      images: ['app-debug', 'tool'],
    },
    {
      input: "the root's provisioner",
      edit: { 'provisioners/a.sh': 'echo A\n' },
      config: CONFIG,
      images: ['app', 'app-debug', 'base', 'tool'],
    },
    {
      input: 'the shared library',
      edit: { 'provisioners/lib/common.sh': 'x=2\n' },
      config: CONFIG,
      images: ['app', 'app-debug', 'base', 'tool'],
    },
    { input: "a mid-level image's variable", edit: {}, config: CONFIG.replace('APP: one', 'APP: two'), images: ['app', 'app-debug'] },
    {
      input: 'a global variable',
      edit: {},
      config: CONFIG.replace('REGION: eu', 'REGION: us'),
      images: ['app', 'app-debug', 'base', 'tool'],
    },
    {
      input: 'the base image (a root-only setting)',
      edit: {},
      config: CONFIG.replace('"local/debian:bookworm"', '"ubuntu:22.04"'),
      images: ['app', 'app-debug', 'base', 'tool'],
    },
    {
      input: 'the repository and tag (not content)',
      edit: {},
      config: CONFIG.replace('run_args', 'repository: other, tag: v2, run_args'),
      images: [],
    },
    {
      input: "a mid-level image's Docker runtime settings",
      edit: {},
      config: CONFIG.replace('variables: { APP: one } }', 'variables: { APP: one }, docker: { expose: ["80"] } }'),
      images: ['app', 'app-debug'],
    },
    {
      input: 'the provisioner list of a leaf',
      edit: {},
      config: CONFIG.replace('tool: { parent: base, provisioners: [c] }', 'tool: { parent: base, provisioners: [c, b] }'),
      images: ['tool'],
    },
  ] as Array<{ input: string; edit: Record<string, string>; config: string; images: string[] }>)(
    'change $input → exactly $images',
    async ({ edit, config, images }) => {
      const before = await fingerprintsOf(await project());
      const dir = await project(config);
      await addFiles(dir, edit);
      expect(changed(before, await fingerprintsOf(dir))).toEqual(images);
    },
  );

  it('are the same through an overlay as with one merged file', async () => {
    const dir = await project(CONFIG.replace('REGION: eu', 'REGION: us'), { 'overlay.yaml': 'variables: { REGION: eu }\n' });
    expect(await fingerprintsOf(dir, ['images.yaml', 'overlay.yaml'])).toEqual(await fingerprintsOf(await project()));
  });

  // Pinned: an image built before a change to rendering or fingerprinting must still be reused after it. These values were
  // computed by the code before the speed-ups of issue 18 (commit 0675288); a change here means every built image rebuilds.
  it('are byte-for-byte the values of record (templates, files, variables, settings, parent, base, secrets)', async () => {
    const dir = await project(CONFIG.replace('version: 1\n', 'version: 1\nsecrets: [TOKEN]\n'));
    const config = await load(dir);
    const tree = buildTree(config.images);
    const render = (packer: typeof v166) => new Map(dockerTemplates(tree, packer, true).map((f, i) => [tree.order[i]!.name, f.content]));
    const base = { name: 'local/debian:bookworm', id: `sha256:${'ab'.repeat(32)}` };
    const withBase = await fingerprintTree(config, tree, render(v166), dockerSettings(config), () => base);
    const plugins = await fingerprintTree(config, tree, render({ major: 1, minor: 9, patch: 4 }), dockerSettings(config));
    expect({
      withBase: Object.fromEntries([...withBase].map(([k, v]) => [k, v.fingerprint])),
      plugins: Object.fromEntries([...plugins].map(([k, v]) => [k, v.fingerprint])),
      plain: await fingerprintsOf(await project()),
    }).toMatchInlineSnapshot(`
      {
        "plain": {
          "app": "e5bdb9feb1e049c10d3b73c64b6094dc65eb760d6b58238e7ae8a80df6fbaf65",
          "app-debug": "82a2b2ec60b4253026f4cc081d96bf27a98662d8873ef692becbc8cd094ee1a9",
          "base": "afd75e09aca6251114fa914889bb228eeb19c0e54947deb77f0f7d543c4989c6",
          "tool": "57c24278c6b7e32baa12d8b668ffd46ef5500648944adfd1064d1c66d8951c02",
        },
        "plugins": {
          "app": "f1edbf2e31655d3767742cb09d6dcd7653bc6bad3a83ef9d410dcf4cd511aada",
          "app-debug": "49d936516a617aec44c684024cdef4169917a944ef3e33ee7cb85e8231136d26",
          "base": "8bc5a552f83ce2ee5acdc6201c6d22121d29d9beeda91f9cb262ff5224931b7c",
          "tool": "18e2fbe7aaaedc657591bc0db563313a44b22905fd663c9b6cfe74f5199ae7d8",
        },
        "withBase": {
          "app": "367d6d534f6a101c7096b0a481199c05e213d0c08b15cd811e9c0edc3403c631",
          "app-debug": "2377c69661d0c4aae32af2617f0a8ee173f80f190cd6a35b3f92b93a64da5a1c",
          "base": "78499b97f85445ae69afd4327bbbc4df456ce0584821fce41c1a8c7b85769e35",
          "tool": "1d4172395b86079f150b8e843534e73271e15a233872de73e5d64df1ad2714d4",
        },
      }
    `);
  });

  it('canonical JSON ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('decide (the reasons plan prints)', () => {
  async function decisions(options: {
    edit?: Record<string, string>;
    existing?: string[];
    force?: 'all' | string[];
    only?: string[];
    noHistory?: boolean;
  }) {
    const dir = await project();
    const config = await load(dir);
    const tree = buildTree(config.images);
    const templates = new Map(dockerTemplates(tree, v166, true).map((f, i) => [tree.order[i]!.name, f.content]));
    const before = await fingerprintTree(config, tree, templates, dockerSettings(config));
    await addFiles(dir, options.edit ?? {});
    const now = await fingerprintTree(await load(dir), tree, templates, dockerSettings(config));
    const existing = new Map(tree.order.map((n) => [n.name, (options.existing ?? []).includes(n.name) ? `sha256:${n.name}` : undefined]));
    const previous = options.noHistory ? new Map() : new Map([...before].map(([k, v]) => [k, v.inputs]));
    const force = options.force === 'all' ? 'all' : new Set(options.force ?? []);
    const result = decide({ tree, fingerprints: now, existing, previous, force, only: options.only ? new Set(options.only) : undefined });
    return Object.fromEntries(
      [...result].map(([k, d]) => [
        k,
        d.action === 'build' ? `build: ${d.reasons.join('; ')}` : d.action === 'reuse' ? `reuse ${d.artifact}` : 'absent',
      ]),
    );
  }

  it('names the changed file, and rebuilds what is below it', async () => {
    expect(await decisions({ edit: { 'provisioners/b.sh': 'echo B\n' }, existing: ['base', 'tool'] })).toEqual({
      base: 'reuse sha256:base',
      app: 'build: provisioners/b.sh changed',
      tool: 'reuse sha256:tool',
      'app-debug': 'build: parent app rebuilt',
    });
  });

  it('says "new image" without history, "forced" when forced, and "parent rebuilt" below a forced image', async () => {
    expect(await decisions({ noHistory: true })).toEqual({
      base: 'build: new image (no earlier build recorded)',
      app: 'build: new image (no earlier build recorded)',
      tool: 'build: new image (no earlier build recorded)',
      'app-debug': 'build: new image (no earlier build recorded)',
    });
    expect(await decisions({ existing: ['base', 'app', 'tool', 'app-debug'], force: ['app'] })).toEqual({
      base: 'reuse sha256:base',
      app: 'build: forced',
      tool: 'reuse sha256:tool',
      'app-debug': 'build: parent app rebuilt',
    });
  });

  it('says when the artifact is gone although nothing changed', async () => {
    expect((await decisions({ existing: ['app', 'tool', 'app-debug'] })).base).toBe(
      'build: no image with this fingerprint (removed since the last build?)',
    );
  });

  it('--only builds the named image and only the ancestors with nothing to reuse', async () => {
    expect(await decisions({ only: ['app-debug'], existing: ['base', 'tool'] })).toEqual({
      base: 'reuse sha256:base',
      app: 'build: no image with this fingerprint (removed since the last build?)',
      tool: 'reuse sha256:tool',
      'app-debug': 'build: parent app rebuilt',
    });
    expect(await decisions({ only: ['tool'], existing: ['base'] })).toMatchObject({
      app: 'absent',
      'app-debug': 'absent',
      tool: expect.stringMatching(/^build/),
    });
  });
});
