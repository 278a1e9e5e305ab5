/** What users see when parents or provisioner scripts are wrong, alone and together with other problems. */
import { afterAll, describe, expect, test } from 'vitest';
import { codes, problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

const GOOD = `version: 1
images:
  base: { provisioners: [base] }
`;

describe('rules', () => {
  test('unknown parent suggests the near miss and lists the images', async () => {
    const yaml = `version: 1
images:
  base: { provisioners: [base] }
  consul: { parent: base, provisioners: [consul] }
  cortex: { parent: bsae, provisioners: [cortex] }
  nginx: { parent: web, provisioners: [nginx] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:5:21: error: unknown parent "bsae" of image "cortex"
          5 |   cortex: { parent: bsae, provisioners: [cortex] }
            |                     ^^^^
        hint: did you mean "base"? Known images: base, consul, cortex, nginx

      images.yaml:6:20: error: unknown parent "web" of image "nginx"
          6 |   nginx: { parent: web, provisioners: [nginx] }
            |                    ^^^
        hint: known images: base, consul, cortex, nginx"
    `);
  });

  test('an image that is its own parent', async () => {
    expect(await problems({ 'images.yaml': 'version: 1\nimages:\n  base: { parent: base, provisioners: [base] }\n' }))
      .toMatchInlineSnapshot(`
      "images.yaml:3:19: error: image "base" is its own parent
          3 |   base: { parent: base, provisioners: [base] }
            |                   ^^^^
        hint: an image without a parent starts from targets.docker.base_image; remove "parent" for that"
    `);
  });

  test('one diagnostic per cycle, at the parent of its first image', async () => {
    const yaml = `version: 1
images:
  base: { provisioners: [base] }
  c: { parent: a, provisioners: [base] }
  a: { parent: b, provisioners: [base] }
  b: { parent: c, provisioners: [base] }
  leaf: { parent: a, provisioners: [base] }
  x: { parent: y, provisioners: [base] }
  y: { parent: x, provisioners: [base] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:4:16: error: cycle in image parents: c → a → b → c
          4 |   c: { parent: a, provisioners: [base] }
            |                ^
        hint: a parent is built before its children, so parents cannot loop: change one of these "parent" settings

      images.yaml:8:16: error: cycle in image parents: x → y → x
          8 |   x: { parent: y, provisioners: [base] }
            |                ^
        hint: a parent is built before its children, so parents cannot loop: change one of these "parent" settings"
    `);
  });

  test('missing provisioner scripts', async () => {
    const yaml = `version: 1
images:
  base: { provisioners: [consl, nginx.sh, zookeeper] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:3:26: error: provisioner "consl" of image "base" not found: there is no provisioners/consl.sh
          3 |   base: { provisioners: [consl, nginx.sh, zookeeper] }
            |                          ^^^^^
        hint: did you mean "consul"? Known provisioners: base, consul, consul-server, cortex, grafana, nginx, nginxlog-exporter, node-exporter, prometheus

      images.yaml:3:33: error: provisioner "nginx.sh" of image "base" not found: there is no provisioners/nginx.sh.sh
          3 |   base: { provisioners: [consl, nginx.sh, zookeeper] }
            |                                 ^^^^^^^^
        hint: did you mean "nginx"? Names leave out the ".sh"

      images.yaml:3:43: error: provisioner "zookeeper" of image "base" not found: there is no provisioners/zookeeper.sh
          3 |   base: { provisioners: [consl, nginx.sh, zookeeper] }
            |                                           ^^^^^^^^^
        hint: known provisioners: base, consul, consul-server, cortex, grafana, nginx, nginxlog-exporter, node-exporter, prometheus"
    `);
  });

  test('no provisioners directory, or an empty one', async () => {
    expect(await problems({ 'images.yaml': GOOD }, undefined, { scripts: false })).toMatchInlineSnapshot(`
      "images.yaml:3:26: error: provisioner "base" of image "base" not found: there is no provisioners/base.sh
          3 |   base: { provisioners: [base] }
            |                          ^^^^
        hint: there is no provisioners/ directory next to the first config file"
    `);
    expect(await problems({ 'images.yaml': GOOD, 'provisioners/': '' }, undefined, { scripts: false })).toMatchInlineSnapshot(`
      "images.yaml:3:26: error: provisioner "base" of image "base" not found: there is no provisioners/base.sh
          3 |   base: { provisioners: [base] }
            |                          ^^^^
        hint: provisioners/ holds no .sh scripts yet"
    `);
  });

  test('a provisioner that is not a regular file, or a symlink out of provisioners/', async () => {
    const files = {
      'images.yaml': 'version: 1\nimages:\n  base: { provisioners: [dir, escape, inside] }\n',
      'provisioners/dir.sh/': '',
      'outside.sh': '#!/bin/sh\n',
      'provisioners/escape.sh': { symlink: '../outside.sh' },
      'provisioners/lib/inside.sh': '#!/bin/sh\n',
      'provisioners/inside.sh': { symlink: 'lib/inside.sh' },
    };
    expect(await problems(files)).toMatchInlineSnapshot(`
      "images.yaml:3:26: error: provisioner "dir" of image "base": provisioners/dir.sh is not a regular file
          3 |   base: { provisioners: [dir, escape, inside] }
            |                          ^^^

      images.yaml:3:31: error: provisioner "escape" of image "base": provisioners/escape.sh resolves to <tmp>/outside.sh, outside provisioners/
          3 |   base: { provisioners: [dir, escape, inside] }
            |                               ^^^^^^
        hint: copy the script into provisioners/ instead of linking to it"
    `);
  });
});

describe('many problems at once', () => {
  test('schema and rule problems are reported together, sorted by file, line and column', async () => {
    const yaml = `version: 1
images:
  cortex: { parent: bsae, provisioners: [cortx] }
  Base: { provisioners: [base], colour: blue }
  nginx: { parent: nginx, provisioners: [../nginx] }
`;
    const overlay = `images:
  cortex: { provisioners: [cortex, grafna] }
`;
    expect(await problems({ 'images.yaml': yaml, 'local.yaml': overlay }, ['images.yaml', 'local.yaml'])).toMatchInlineSnapshot(`
      "images.yaml:3:21: error: unknown parent "bsae" of image "cortex"
          3 |   cortex: { parent: bsae, provisioners: [cortx] }
            |                     ^^^^
        hint: did you mean "Base"? Known images: cortex, Base, nginx

      images.yaml:4:3: error: invalid image name "Base": image names start with a lower-case letter and use only a-z, 0-9 and single "-" or "_" between them, at most 63 characters
          4 |   Base: { provisioners: [base], colour: blue }
            |   ^^^^
        hint: try "base"; image names are also Docker repository names, AMI names and Packer labels

      images.yaml:4:33: error: unknown key "colour" in image "Base"
          4 |   Base: { provisioners: [base], colour: blue }
            |                                 ^^^^^^
        hint: known keys: parent, provisioners, variables, docker, max_age

      images.yaml:5:20: error: image "nginx" is its own parent
          5 |   nginx: { parent: nginx, provisioners: [../nginx] }
            |                    ^^^^^
        hint: an image without a parent starts from targets.docker.base_image; remove "parent" for that

      images.yaml:5:42: error: provisioner "../nginx" of image "nginx" is a path: provisioner names are file names in provisioners/, not paths
          5 |   nginx: { parent: nginx, provisioners: [../nginx] }
            |                                          ^^^^^^^^
        hint: put the script at provisioners/nginx.sh and write "nginx"

      local.yaml:2:36: error: provisioner "grafna" of image "cortex" not found: there is no provisioners/grafna.sh
          2 |   cortex: { provisioners: [cortex, grafna] }
            |                                    ^^^^^^
        hint: did you mean "grafana"? Known provisioners: base, consul, consul-server, cortex, grafana, nginx, nginxlog-exporter, node-exporter, prometheus"
    `);
  });

  test('a value of the wrong type stops the rules, which need the shape to be right', async () => {
    const yaml = `version: 1
images:
  base: { provisioners: base }
  cortex: { parent: bsae, provisioners: [cortex] }
`;
    expect(await codes({ 'images.yaml': yaml })).toEqual(['wrong-type']);
  });
});
