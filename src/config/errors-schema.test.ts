/** What users see when the config breaks the schema. */
import { afterAll, describe, expect, test } from 'vitest';
import { problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

const GOOD = `version: 1
images:
  base: { provisioners: [base] }
`;

describe('schema', () => {
  test('unknown keys point at the key and suggest near misses', async () => {
    const yaml = `version: 1
imgaes: {}
targets:
  gce: { zone: europe-west1-b }
  docker: { tagg: v1, something: else }
images:
  base: { parnet: x, provisioners: [base] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:2:1: error: unknown key "imgaes" at the top level
          2 | imgaes: {}
            | ^^^^^^
        hint: did you mean "images"? Known keys: version, project, variables, secrets, max_age, targets, images

      images.yaml:4:3: error: unknown key "gce" in "targets"
          4 |   gce: { zone: europe-west1-b }
            |   ^^^
        hint: known keys: docker, ami

      images.yaml:5:13: error: unknown key "tagg" in "targets.docker"
          5 |   docker: { tagg: v1, something: else }
            |             ^^^^
        hint: did you mean "tag"? Known keys: base_image, repository, tag, run_args, concurrency, registry

      images.yaml:5:23: error: unknown key "something" in "targets.docker"
          5 |   docker: { tagg: v1, something: else }
            |                       ^^^^^^^^^
        hint: known keys: base_image, repository, tag, run_args, concurrency, registry

      images.yaml:7:11: error: unknown key "parnet" in image "base"
          7 |   base: { parnet: x, provisioners: [base] }
            |           ^^^^^^
        hint: did you mean "parent"? Known keys: parent, provisioners, variables, docker, max_age"
    `);
  });

  test('missing required keys', async () => {
    expect(await problems({ 'images.yaml': 'variables: {}\n' })).toMatchInlineSnapshot(`
      "images.yaml:1:1: error: missing "version" at the top level
        hint: add "version: 1" at the top of the file

      images.yaml:1:1: error: missing "images" at the top level
        hint: define at least one image, e.g.
              version: 1
              images:
                base:
                  provisioners: [base]"
    `);
    expect(await problems({ 'images.yaml': 'version: 1\nimages:\n  base:\n    parent: x\n' })).toMatchInlineSnapshot(`
      "images.yaml:3:3: error: missing "provisioners" in image "base"
          3 |   base:
            |   ^^^^
        hint: list the provisioners/<name>.sh scripts to run, e.g. provisioners: [base]"
    `);
  });

  test('unsupported version', async () => {
    expect(await problems({ 'images.yaml': GOOD.replace('version: 1', 'version: 2') })).toMatchInlineSnapshot(`
      "images.yaml:1:10: error: unsupported config version 2; this build-images supports version 1
          1 | version: 2
            |          ^
        hint: set "version: 1""
    `);
    expect(await problems({ 'images.yaml': GOOD.replace('version: 1', 'version: "1"') })).toMatchInlineSnapshot(`
      "images.yaml:1:10: error: unsupported config version "1"; this build-images supports version 1
          1 | version: "1"
            |          ^^^
        hint: set "version: 1""
    `);
  });

  test('wrong types say what was expected and what was found', async () => {
    const yaml = `version: 1
variables:
  PORT: 9009
  LIST: [a]
  EMPTY:
targets:
  docker:
    run_args: --network=host
    concurrency: two
images:
  base:
    provisioners: consul
    parent: 3
    variables: [A=1]
  cortex: true
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:4:9: error: variable "LIST" must be a string, number or true/false, got a list
          4 |   LIST: [a]
            |         ^^^

      images.yaml:5:3: error: variable "EMPTY" must be a string, number or true/false, got an empty value
          5 |   EMPTY:
            |   ^^^^^
        hint: for an empty value, write EMPTY: ""

      images.yaml:8:15: error: "targets.docker.run_args" must be a list of strings, got a string
          8 |     run_args: --network=host
            |               ^^^^^^^^^^^^^^
        hint: for a list of one, write run_args: [--network=host]

      images.yaml:9:18: error: "targets.docker.concurrency" must be a whole number of at least 1, got a string
          9 |     concurrency: two
            |                  ^^^

      images.yaml:12:19: error: "provisioners" of image "base" must be a list of provisioner names, got a string
         12 |     provisioners: consul
            |                   ^^^^^^
        hint: for a list of one, write provisioners: [consul]

      images.yaml:13:13: error: "parent" of image "base" must be the name of another image, got a whole number
         13 |     parent: 3
            |             ^

      images.yaml:14:16: error: "variables" of image "base" must be a map of variable names to values, got a list
         14 |     variables: [A=1]
            |                ^^^^^

      images.yaml:15:11: error: image "cortex" must be a map with "provisioners" and optionally "parent" and "variables", got true
         15 |   cortex: true
            |           ^^^^"
    `);
  });

  test('images must be a map', async () => {
    expect(await problems({ 'images.yaml': 'version: 1\nimages:\n  - base\n' })).toMatchInlineSnapshot(`
      "images.yaml:3:3: error: "images" must be a map of image names to images, got a list
          3 |   - base
            |   ^^^^^^"
    `);
  });

  test('no images, no provisioners', async () => {
    expect(await problems({ 'images.yaml': 'version: 1\nimages: {}\n' })).toMatchInlineSnapshot(`
      "images.yaml:2:9: error: "images" is empty: define at least one image
          2 | images: {}
            |         ^^
        hint: for example:
              version: 1
              images:
                base:
                  provisioners: [base]"
    `);
    expect(await problems({ 'images.yaml': 'version: 1\nimages:\n  base: { provisioners: [] }\n' })).toMatchInlineSnapshot(`
      "images.yaml:3:25: error: image "base" has no provisioners
          3 |   base: { provisioners: [] }
            |                         ^^
        hint: list the provisioners/<name>.sh scripts to run, e.g. provisioners: [base]"
    `);
  });

  test('invalid image names explain the rule', async () => {
    const yaml = `version: 1
images:
  Cortex: { provisioners: [cortex] }
  my.image: { provisioners: [base] }
  a--b: { provisioners: [base] }
  ${'x'.repeat(64)}: { provisioners: [base] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:3:3: error: invalid image name "Cortex": image names start with a lower-case letter and use only a-z, 0-9 and single "-" or "_" between them, at most 63 characters
          3 |   Cortex: { provisioners: [cortex] }
            |   ^^^^^^
        hint: try "cortex"; image names are also Docker repository names, AMI names and Packer labels

      images.yaml:4:3: error: invalid image name "my.image": image names start with a lower-case letter and use only a-z, 0-9 and single "-" or "_" between them, at most 63 characters
          4 |   my.image: { provisioners: [base] }
            |   ^^^^^^^^
        hint: try "my-image"; image names are also Docker repository names, AMI names and Packer labels

      images.yaml:5:3: error: invalid image name "a--b": image names start with a lower-case letter and use only a-z, 0-9 and single "-" or "_" between them, at most 63 characters
          5 |   a--b: { provisioners: [base] }
            |   ^^^^
        hint: try "a-b"; image names are also Docker repository names, AMI names and Packer labels

      images.yaml:6:3: error: invalid image name "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (it has 64 characters): image names start with a lower-case letter and use only a-z, 0-9 and single "-" or "_" between them, at most 63 characters
          6 |   xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: { provisioners: [base] }
            |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        hint: image names are also Docker repository names, AMI names and Packer labels"
    `);
  });

  test('invalid variable names', async () => {
    const yaml = `version: 1
variables: { my-var: 1, 9LIVES: x }
images:
  base: { provisioners: [base], variables: { "a b": c } }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:2:14: error: invalid variable name "my-var" in "variables": variable names are environment variable names: letters, digits and "_", not starting with a digit
          2 | variables: { my-var: 1, 9LIVES: x }
            |              ^^^^^^
        hint: try "my_var"

      images.yaml:2:25: error: invalid variable name "9LIVES" in "variables": variable names are environment variable names: letters, digits and "_", not starting with a digit
          2 | variables: { my-var: 1, 9LIVES: x }
            |                         ^^^^^^
        hint: try "_9LIVES"

      images.yaml:4:46: error: invalid variable name "a b" in "variables" of image "base": variable names are environment variable names: letters, digits and "_", not starting with a digit
          4 |   base: { provisioners: [base], variables: { "a b": c } }
            |                                              ^^^^^
        hint: try "a_b""
    `);
  });

  test('provisioner names are file names, not paths', async () => {
    const yaml = `version: 1
images:
  base:
    provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:4:20: error: provisioner "../evil" of image "base" is a path: provisioner names are file names in provisioners/, not paths
          4 |     provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
            |                    ^^^^^^^
        hint: put the script at provisioners/evil.sh and write "evil"

      images.yaml:4:29: error: provisioner "/etc/passwd" of image "base" is a path: provisioner names are file names in provisioners/, not paths
          4 |     provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
            |                             ^^^^^^^^^^^
        hint: put the script at provisioners/passwd.sh and write "passwd"

      images.yaml:4:42: error: provisioner "scripts/setup.sh" of image "base" is a path: provisioner names are file names in provisioners/, not paths
          4 |     provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
            |                                          ^^^^^^^^^^^^^^^^
        hint: put the script at provisioners/setup.sh and write "setup"

      images.yaml:4:60: error: provisioner "a..b" of image "base" is a path: provisioner names are file names in provisioners/, not paths
          4 |     provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
            |                                                            ^^^^
        hint: put the script in provisioners/ and write its name without ".sh"

      images.yaml:4:66: error: invalid provisioner name "foo bar" in image "base": provisioner names start with a letter or digit and use only letters, digits, ".", "_" and "-"
          4 |     provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
            |                                                                  ^^^^^^^^^

      images.yaml:4:77: error: invalid provisioner name "-x" in image "base": provisioner names start with a letter or digit and use only letters, digits, ".", "_" and "-"
          4 |     provisioners: [../evil, /etc/passwd, scripts/setup.sh, a..b, "foo bar", -x]
            |                                                                             ^^"
    `);
  });

  test('docker settings', async () => {
    const yaml = `version: 1
targets:
  docker:
    base_image: ubuntu 22.04
    repository: My Repo
    tag: .hidden
    run_args: ["--label=x={{ .Name }}", --network=host]
    concurrency: 0
images:
  base: { provisioners: [base] }
`;
    expect(await problems({ 'images.yaml': yaml })).toMatchInlineSnapshot(`
      "images.yaml:4:17: error: "targets.docker.base_image" must be a Docker image reference without spaces, like "ubuntu:22.04", got "ubuntu 22.04"
          4 |     base_image: ubuntu 22.04
            |                 ^^^^^^^^^^^^

      images.yaml:5:17: error: "targets.docker.repository" must be a Docker repository name like "cortex" or "registry.example.com:5000/team" (lower-case, no tag), got "My Repo"
          5 |     repository: My Repo
            |                 ^^^^^^^

      images.yaml:6:10: error: "targets.docker.tag" must be a Docker tag: letters, digits, "_", "." and "-", not starting with "." or "-", at most 128 characters, got ".hidden"
          6 |     tag: .hidden
            |          ^^^^^^^

      images.yaml:7:16: error: item 1 of "targets.docker.run_args" contains "{{", which Packer would read as a template expression: "--label=x={{ .Name }}"
          7 |     run_args: ["--label=x={{ .Name }}", --network=host]
            |                ^^^^^^^^^^^^^^^^^^^^^^^
        hint: pass the value some other way, e.g. in an environment variable

      images.yaml:8:18: error: "targets.docker.concurrency" must be a whole number of at least 1, got 0
          8 |     concurrency: 0
            |                  ^"
    `);
    expect(await problems({ 'images.yaml': yaml.replace('concurrency: 0', 'concurrency: 1.5') })).toMatchInlineSnapshot(`
      "images.yaml:4:17: error: "targets.docker.base_image" must be a Docker image reference without spaces, like "ubuntu:22.04", got "ubuntu 22.04"
          4 |     base_image: ubuntu 22.04
            |                 ^^^^^^^^^^^^

      images.yaml:5:17: error: "targets.docker.repository" must be a Docker repository name like "cortex" or "registry.example.com:5000/team" (lower-case, no tag), got "My Repo"
          5 |     repository: My Repo
            |                 ^^^^^^^

      images.yaml:6:10: error: "targets.docker.tag" must be a Docker tag: letters, digits, "_", "." and "-", not starting with "." or "-", at most 128 characters, got ".hidden"
          6 |     tag: .hidden
            |          ^^^^^^^

      images.yaml:7:16: error: item 1 of "targets.docker.run_args" contains "{{", which Packer would read as a template expression: "--label=x={{ .Name }}"
          7 |     run_args: ["--label=x={{ .Name }}", --network=host]
            |                ^^^^^^^^^^^^^^^^^^^^^^^
        hint: pass the value some other way, e.g. in an environment variable

      images.yaml:8:18: error: "targets.docker.concurrency" must be a whole number of at least 1, got a number
          8 |     concurrency: 1.5
            |                  ^^^"
    `);
  });

  test('a project name that is not one: located, with what it should be', async () => {
    const bad = (value: string) =>
      problems({ 'images.yaml': `version: 1\nproject: ${value}\nimages:\n  base: { provisioners: [base] }\n` });
    expect(await bad('"my project"')).toMatchInlineSnapshot(`
      "images.yaml:2:10: error: "project" must be a project name: letters, digits, ".", "_", "-" and "/", starting with a letter or digit, at most 128 characters, like "acme/cortex-images", got "my project"
          2 | project: "my project"
            |          ^^^^^^^^^^^^"
    `);
    expect(await bad('[a]')).toMatchInlineSnapshot(`
      "images.yaml:2:10: error: "project" must be a project name: letters, digits, ".", "_", "-" and "/", starting with a letter or digit, at most 128 characters, like "acme/cortex-images", got a list
          2 | project: [a]
            |          ^^^"
    `);
    expect(await bad(`"${'x'.repeat(129)}"`)).toContain('images.yaml:2:10: error: "project" must be a project name');
  });
});
