/**
 * Bad inputs an adversarial probe found passing validation (issue 13, findings 2, 9, 12 and 16):
 * each must be a located config error, found before anything is built or written.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { codes, loaded, problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

const IMAGES = `images:
  base: { provisioners: [base] }
`;

/** Each level is a list of nine aliases of the level before: 9^levels values from a few hundred bytes. */
function aliasBomb(levels: number): string {
  const lines = ['version: 1', 'variables:', '  L0: &l0 "xxxxxxxx"'];
  for (let i = 1; i <= levels; i++) lines.push(`  L${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n${IMAGES}`;
}

describe('finding 2: YAML alias expansion is bounded', () => {
  test('an alias bomb is refused at once, at the alias that crossed the limit', async () => {
    const started = Date.now();
    const text = await problems({ 'images.yaml': aliasBomb(8) });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(text).toMatchInlineSnapshot(`
      "images.yaml:7:32: error: YAML aliases in images.yaml expand to more than 10000 values
          7 |   L4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
            |                                ^^^
        hint: aliases (*name) copy what their anchor (&name) holds; aliases of lists of aliases multiply. Write the values out, or alias less deeply"
    `);
  });

  test('ordinary aliases still expand', async () => {
    const yaml = `version: 1
x-vars: &common { A: "1", B: "2" }
images:
  base: { provisioners: [base], variables: *common }
  app: { parent: base, provisioners: [base], variables: *common }
`;
    expect(await codes({ 'images.yaml': yaml })).toEqual(['unknown-key']);
  });
});

describe('finding 12: a NUL byte in a variable value', () => {
  test('is refused where it is written, globally and per image', async () => {
    const yaml = `version: 1
variables:
  A: "one\\0two"
images:
  base:
    provisioners: [base]
    variables: { B: "x\\u0000" }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:3:6: error: variable "A" contains a NUL byte (\\0), which no environment variable can hold: it would silently cut the value short
          3 |   A: "one\\0two"
            |      ^^^^^^^^^^
        hint: remove the NUL; to pass binary data, encode it (e.g. base64) and decode it in the provisioner

      images.yaml:7:21: error: variable "B" of image "base" contains a NUL byte (\\0), which no environment variable can hold: it would silently cut the value short
          7 |     variables: { B: "x\\u0000" }
            |                     ^^^^^^^^^
        hint: remove the NUL; to pass binary data, encode it (e.g. base64) and decode it in the provisioner"
    `);
  });
});

describe('finding 9: values that pass the schema but break the build', () => {
  test('a 1 MB variable is refused with its size and the limit', async () => {
    const yaml = `version: 1\nvariables:\n  BIG: "${'a'.repeat(1024 * 1024)}"\n${IMAGES}`;
    const text = await problems({ 'images.yaml': yaml });
    expect(text.replace(/a{40,}/g, 'a…')).toMatchInlineSnapshot(`
      "images.yaml:3:8: error: variable "BIG" is 1024 KiB (1048576 bytes); a variable may hold at most 64 KiB
          3 |   BIG: "a……
            |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        hint: an environment variable that large makes the provisioner fail with "Argument list too long": put the data in a file in provisioners/lib/ and read it there"
    `);
  });

  test('the 64 KiB limit counts UTF-8 bytes, not characters, on both sides of it', async () => {
    // "€" is one UTF-16 code unit and 3 UTF-8 bytes: 21,845 of them are 65,535 bytes, one more is 65,538.
    const config = (text: string) => `version: 1\nvariables:\n  V: "${text}"\n${IMAGES}`;
    expect((await loaded({ 'images.yaml': config('€'.repeat(21_845)) })).config.variables['V']).toHaveLength(21_845);
    expect(await codes({ 'images.yaml': config('€'.repeat(21_846)) })).toEqual(['variable-too-large']);
    // "é" is 2 bytes: 32,768 of them are exactly 64 KiB; one more is over.
    expect((await loaded({ 'images.yaml': config('é'.repeat(32_768)) })).config.variables['V']).toHaveLength(32_768);
    expect(await codes({ 'images.yaml': config('é'.repeat(32_769)) })).toEqual(['variable-too-large']);
  });

  test("many variables that together exceed what one process's environment can hold", async () => {
    const vars = Array.from({ length: 20 }, (_, i) => `  V${i}: "${'b'.repeat(60_000)}"`).join('\n');
    const text = await problems({ 'images.yaml': `version: 1\nvariables:\n${vars}\n${IMAGES}` });
    expect(text.replace(/b{40,}/g, 'b…')).toMatchInlineSnapshot(`
      "images.yaml:24:3: error: the variables of image "base" (global and its own) add up to 1172 KiB; at most 1024 KiB fit in a provisioner's environment
         24 |   base: { provisioners: [base] }
            |   ^^^^
        hint: put large data in files in provisioners/lib/ and read them there"
    `);
  });

  test.each([
    ['Local/Debian:Bookworm'],
    ['{{uuid}}'],
    ['local/debian@sha256:zz'],
    ['local/debian@sha256:0123'],
    ['debian:'],
    ['debian:-x'],
    ['-debian'],
    ['Debian'],
    ['a'.repeat(256)],
  ])('an invalid base_image reference %j is refused, located', async (ref) => {
    const yaml = `version: 1\ntargets:\n  docker:\n    base_image: ${JSON.stringify(ref)}\n${IMAGES}`;
    const text = await problems({ 'images.yaml': yaml });
    expect(text).toMatch(/^images\.yaml:4:17: error: "targets\.docker\.base_image" /);
    expect(text).toMatch(/hint: .*e\.g\. "debian:bookworm"/);
  });

  test('the base_image messages say what is wrong', async () => {
    const at = async (ref: string) =>
      (await problems({ 'images.yaml': `version: 1\ntargets:\n  docker:\n    base_image: ${JSON.stringify(ref)}\n${IMAGES}` })).split(
        '\n',
      )[0];
    expect(await at('Local/Debian:Bookworm')).toMatchInlineSnapshot(
      `"images.yaml:4:17: error: "targets.docker.base_image" is not a Docker image reference: the repository name "Debian" must be lower-case: "Local/Debian:Bookworm""`,
    );
    expect(await at('{{uuid}}')).toMatchInlineSnapshot(
      `"images.yaml:4:17: error: "targets.docker.base_image" is not a Docker image reference: the repository name "{{uuid}}" is not lower-case letters and digits, separated by ".", "_", "__", "-" or "/": "{{uuid}}""`,
    );
    expect(await at('local/debian@sha256:zz')).toMatchInlineSnapshot(
      `"images.yaml:4:17: error: "targets.docker.base_image" is not a Docker image reference: the digest "sha256:zz" is not <algorithm>:<hex digits>: "local/debian@sha256:zz""`,
    );
  });

  test.each([
    ['local/debian:bookworm'],
    ['ubuntu'],
    ['127.0.0.1:5000/team/base:1.0'],
    ['localhost/x'],
    ['Registry.Example.com/team/base'],
    [`debian@sha256:${'a'.repeat(64)}`],
    [`debian:12@sha256:${'b'.repeat(64)}`],
    [`sha256:${'c'.repeat(64)}`],
  ])('a valid base_image reference %j loads', async (ref) => {
    const yaml = `version: 1\ntargets:\n  docker:\n    base_image: ${JSON.stringify(ref)}\n${IMAGES}`;
    const { config } = await loaded({ 'images.yaml': yaml });
    expect(config.targets.docker.baseImage).toBe(ref);
  });

  test('a symlink, or something not a file, in provisioners/lib/ is refused by path', async () => {
    const text = await problems({
      'images.yaml': `version: 1\n${IMAGES}`,
      'provisioners/lib/common.sh': '#!/bin/sh\n',
      'provisioners/lib/link.sh': { symlink: 'common.sh' },
      'provisioners/lib/sub/out': { symlink: '/etc/passwd' },
    });
    expect(text).toMatchInlineSnapshot(`
      "error: provisioners/lib/link.sh is a symlink: provisioners/lib/ is uploaded into every image and fingerprinted, and a link is neither
        hint: copy the file it points to into provisioners/lib/ instead of linking to it

      error: provisioners/lib/sub/out is a symlink: provisioners/lib/ is uploaded into every image and fingerprinted, and a link is neither
        hint: copy the file it points to into provisioners/lib/ instead of linking to it"
    `);
  });
});

describe('finding 16: numbers out of range', () => {
  test('1e400 is out of range, not "a number"', async () => {
    const yaml = `version: 1\ntargets:\n  docker:\n    concurrency: 1e400\n${IMAGES}`;
    const text = await problems({ 'images.yaml': yaml });
    expect(text).not.toContain('got a number\n');
    expect(text).toMatchInlineSnapshot(`
      "images.yaml:4:18: error: "targets.docker.concurrency" must be a whole number of at least 1, got a number out of range (too large to represent)
          4 |     concurrency: 1e400
            |                  ^^^^^"
    `);
  });
});
