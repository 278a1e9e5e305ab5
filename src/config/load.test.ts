import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { displayPath, loadConfig } from './load.js';
import { loaded, problems, SCRIPTS } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const CONTRACT = `# yaml-language-server: $schema=./schema/images.schema.json
version: 1
variables: {}
targets:
  docker:
    base_image: ubuntu:22.04
    repository: cortex
    tag: latest
    run_args: []
    concurrency: 2
images:
  base:
    provisioners: [node-exporter, consul]
    variables: {}
  consul:     { parent: base, provisioners: [consul-server] }
  cortex:     { parent: base, provisioners: [cortex] }
  nginx:      { parent: base, provisioners: [nginx, nginxlog-exporter] }
  monitoring: { parent: base, provisioners: [prometheus, grafana] }
`;

describe('loadConfig', () => {
  test('the example config of the contract', async () => {
    const { dir, config } = await loaded({ 'images.yaml': CONTRACT });
    expect(config.root).toBe(dir);
    expect(config.files).toEqual(['images.yaml']);
    expect(config.version).toBe(1);
    expect(config.targets.docker).toEqual({
      baseImage: 'ubuntu:22.04',
      repository: 'cortex',
      tag: 'latest',
      runArgs: [],
      concurrency: 2,
    });
    expect(config.images.map((i) => [i.name, i.parent, i.provisioners.join(' ')])).toEqual([
      ['base', undefined, 'node-exporter consul'],
      ['consul', 'base', 'consul-server'],
      ['cortex', 'base', 'cortex'],
      ['nginx', 'base', 'nginx nginxlog-exporter'],
      ['monitoring', 'base', 'prometheus grafana'],
    ]);
    expect(config.images[0]?.location).toEqual({ file: 'images.yaml', line: 12, column: 3, length: 4 });
    expect(config.images[4]?.location).toEqual({ file: 'images.yaml', line: 18, column: 3, length: 10 });
  });

  test('defaults', async () => {
    const { config } = await loaded({ 'images.yaml': 'version: 1\nimages:\n  base: { provisioners: [base] }\n' });
    expect(config.variables).toEqual({});
    expect(config.targets.docker).toEqual({
      baseImage: 'ubuntu:22.04',
      repository: 'build-images',
      tag: 'latest',
      runArgs: [],
      concurrency: undefined,
    });
    expect(config.images).toEqual([
      {
        name: 'base',
        parent: undefined,
        provisioners: ['base'],
        variables: {},
        location: { file: 'images.yaml', line: 3, column: 3, length: 4 },
      },
    ]);
  });

  test('variables: numbers and booleans as written, any text kept verbatim, image values win', async () => {
    const yaml = `version: 1
variables:
  PORT: 9009
  GO_VERSION: 1.10
  MODE: 0o755
  HEX: 0x1F
  DEBUG: true
  QUOTED: "9009"
  WEIRD: "it's \\"quoted\\" \\\\ \${HOME} %{x} {{ .Name }} $(rm -rf /) ünïcødé ☃"
  MULTI: |
    line one
    line two
  SHARED: global
images:
  base:
    provisioners: [base]
    variables: { SHARED: mine, OWN: 1e3 }
  cortex: { parent: base, provisioners: [cortex] }
`;
    const { config } = await loaded({ 'images.yaml': yaml });
    const globals = {
      PORT: '9009',
      GO_VERSION: '1.10',
      MODE: '0o755',
      HEX: '0x1F',
      DEBUG: 'true',
      QUOTED: '9009',
      WEIRD: 'it\'s "quoted" \\ ${HOME} %{x} {{ .Name }} $(rm -rf /) ünïcødé ☃',
      MULTI: 'line one\nline two\n',
      SHARED: 'global',
    };
    expect(config.variables).toEqual(globals);
    expect(config.images[0]?.variables).toEqual({ ...globals, SHARED: 'mine', OWN: '1e3' });
    expect(config.images[1]?.variables).toEqual(globals);
  });

  test('a variable called __proto__ is just a variable', async () => {
    const yaml = 'version: 1\nvariables: { __proto__: x }\nimages:\n  base: { provisioners: [base] }\n';
    const { config } = await loaded({ 'images.yaml': yaml });
    expect(Object.entries(config.variables)).toEqual([['__proto__', 'x']]);
    expect(Object.entries(config.images[0]?.variables ?? {})).toEqual([['__proto__', 'x']]);
  });

  test('YAML anchors and aliases', async () => {
    const yaml = `version: 1
images:
  base: { provisioners: &common [node-exporter, consul] }
  cortex: { parent: base, provisioners: *common }
`;
    const { config } = await loaded({ 'images.yaml': yaml });
    expect(config.images[1]?.provisioners).toEqual(['node-exporter', 'consul']);
  });

  test('root is the directory of the first file; paths outside cwd are shown absolute', async () => {
    const files = {
      'project/images.yaml': 'version: 1\nimages:\n  base: { provisioners: [base] }\n',
      'project/provisioners/base.sh': '#!/bin/sh\n',
      'other/local.yaml': 'targets: { docker: { tag: dev } }\n',
      'cwd/': '',
    };
    const { dir, config } = await loaded(files, ['../project/images.yaml', '../other/local.yaml'], { cwd: 'cwd', scripts: false });
    expect(config.root).toBe(path.join(dir, 'project'));
    expect(config.files).toEqual(['../project/images.yaml', '../other/local.yaml']);
    expect(config.images[0]?.location.file).toBe(path.join(dir, 'project/images.yaml'));
    expect(config.targets.docker.tag).toBe('dev');
  });

  test('the images.yaml of this repository is valid against the schema', async () => {
    // Its scripts belong to another part of the project: here they are stand-ins.
    const { config } = await loaded({ 'images.yaml': await readFile(path.join(REPO, 'images.yaml'), 'utf8') });
    expect(config.images.map((i) => i.name)).toEqual(['base', 'consul', 'cortex', 'nginx', 'monitoring']);
    expect(config.targets.docker).toMatchObject({ repository: 'cortex', baseImage: 'ubuntu:22.04', runArgs: [] });
  });

  test('an empty list of files is a bug in the caller', async () => {
    await expect(loadConfig([], { cwd: REPO })).rejects.toThrow('no config files given');
  });
});

describe('overlays', () => {
  const BASE = `version: 1
variables: { REGION: eu, PORT: 80 }
targets:
  docker: { repository: cortex, tag: latest, run_args: [--network=host, --init] }
images:
  base:
    provisioners: [node-exporter, consul]
    variables: { A: base }
  cortex: { parent: base, provisioners: [cortex] }
`;

  test('maps merge deeply, lists and scalars replace, new images come last', async () => {
    const local = `variables: { PORT: 8080 }
targets:
  docker: { tag: dev, run_args: [--network=none] }
images:
  base:
    provisioners: [consul]
    variables: { B: local }
  nginx: { parent: base, provisioners: [nginx] }
`;
    const { config } = await loaded({ 'images.yaml': BASE, 'local.yaml': local }, ['images.yaml', 'local.yaml']);
    expect(config.files).toEqual(['images.yaml', 'local.yaml']);
    expect(config.variables).toEqual({ REGION: 'eu', PORT: '8080' });
    expect(config.targets.docker).toMatchObject({ repository: 'cortex', tag: 'dev', runArgs: ['--network=none'] });
    expect(config.images.map((i) => [i.name, i.location.file, i.provisioners.join(' ')])).toEqual([
      ['base', 'local.yaml', 'consul'],
      ['cortex', 'images.yaml', 'cortex'],
      ['nginx', 'local.yaml', 'nginx'],
    ]);
    expect(config.images[0]?.variables).toEqual({ REGION: 'eu', PORT: '8080', A: 'base', B: 'local' });
  });

  test('three files apply in order', async () => {
    const { config } = await loaded(
      {
        'images.yaml': BASE,
        'a.yaml': 'targets: { docker: { tag: a } }\n',
        'b.yaml': 'targets: { docker: { tag: b, concurrency: 3 } }\n',
      },
      ['images.yaml', 'a.yaml', 'b.yaml'],
    );
    expect(config.targets.docker).toMatchObject({ tag: 'b', concurrency: 3, repository: 'cortex' });
  });

  test('a problem in a value set by the overlay is located in the overlay', async () => {
    const local = `images:
  cortex: { parent: bsae }
`;
    expect(await problems({ 'images.yaml': BASE, 'local.yaml': local }, ['images.yaml', 'local.yaml'])).toMatchInlineSnapshot(`
      "local.yaml:2:21: error: unknown parent "bsae" of image "cortex"
          2 |   cortex: { parent: bsae }
            |                     ^^^^
        hint: did you mean "base"? Known images: base, cortex"
    `);
  });

  test('a problem in a value the overlay replaced is not reported from the earlier file', async () => {
    const broken = BASE.replace('provisioners: [cortex]', 'provisioners: [cortex, ../evil]');
    const { config } = await loaded({ 'images.yaml': broken, 'local.yaml': 'images:\n  cortex: { provisioners: [cortex] }\n' }, [
      'images.yaml',
      'local.yaml',
    ]);
    expect(config.images[1]?.provisioners).toEqual(['cortex']);
  });

  test('an overlay may replace a map with another type, which the schema then rejects', async () => {
    const local = 'images:\n  base: [consul]\n';
    expect(await problems({ 'images.yaml': BASE, 'local.yaml': local }, ['images.yaml', 'local.yaml'])).toMatchInlineSnapshot(`
      "local.yaml:2:9: error: image "base" must be a map with "provisioners" and optionally "parent" and "variables", got a list
          2 |   base: [consul]
            |         ^^^^^^^^"
    `);
  });

  test('a missing overlay file is reported with the problems of the others', async () => {
    expect(await problems({ 'images.yaml': 'version: 1\nimages: {}\nimages: {}\n' }, ['images.yaml', 'missing.yaml']))
      .toMatchInlineSnapshot(`
      "error: config file missing.yaml does not exist
        hint: looked for <tmp>/missing.yaml

      images.yaml:3:1: error: duplicate key "images"
          3 | images: {}
            | ^^^^^^
        hint: it is already set on line 2; a key may appear only once in a map (the later one would silently win)"
    `);
  });
});

describe('displayPath', () => {
  test.each([
    ['/work/p/images.yaml', '/work/p', 'images.yaml'],
    ['/work/p/conf/a.yaml', '/work/p', 'conf/a.yaml'],
    ['/work/other/a.yaml', '/work/p', '/work/other/a.yaml'],
    ['/work/p..x/a.yaml', '/work/p', '/work/p..x/a.yaml'],
  ])('%s from %s is %s', (file, cwd, shown) => {
    expect(displayPath(file, cwd)).toBe(shown);
  });
});

test('SCRIPTS cover the example config', () => {
  expect(Object.keys(SCRIPTS)).toContain('provisioners/nginxlog-exporter.sh');
});
