import { afterAll, describe, expect, it } from 'vitest';
import { registryProblem } from './rules-docker.js';
import { loaded, problems } from '../../tests/helpers/load-helpers.js';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';

afterAll(removeTempDirs);

describe('registryProblem (targets.docker.registry)', () => {
  it.each([
    'ghcr.io/acme/cortex',
    '123456789012.dkr.ecr.eu-central-1.amazonaws.com/cortex',
    '127.0.0.1:5000/cortex',
    '127.0.0.1:5000',
    'localhost/team/sub-team/x__y',
    'Registry.Example.com:443/a.b_c-d',
  ])('accepts %s', (value) => {
    expect(registryProblem(value)).toBeUndefined();
  });

  it.each([
    ['https://ghcr.io/acme/cortex', 'has a scheme (https://)', '"ghcr.io/acme/cortex"'],
    ['ghcr.io/acme/cortex:latest', 'has a tag (:latest)', '"ghcr.io/acme/cortex"'],
    ['127.0.0.1:5000/cortex:v1', 'has a tag (:v1)', '"127.0.0.1:5000/cortex"'],
    ['ghcr.io/Acme/cortex', 'has upper case in its repository path ("Acme")', '"ghcr.io/acme/cortex"'],
    ['ghcr.io/acme/cortex@sha256:' + 'a'.repeat(64), 'has a digest', 'pins every image by digest'],
    ['cortex', 'does not start with a registry host', '127.0.0.1:5000/cortex'],
    ['ghcr.io/acme/', 'ends with "/"', '"ghcr.io/acme"'],
    ['ghcr.io/acme/-x', 'invalid repository path component "-x"', 'lower-case letters'],
    ['bad_host.io/x', 'is not a valid host[:port]', 'ghcr.io'],
  ])('refuses %s: %s', (value, message, hint) => {
    const problem = registryProblem(value);
    expect(problem?.message).toContain(message);
    expect(problem?.hint).toContain(hint);
  });
});

describe('run_args that set the build container name', () => {
  it('are refused at their place: docker run keeps the last --name, and the tool finds leftovers by its own', async () => {
    const yaml = `version: 1
targets:
  docker:
    run_args: ["--memory=2g", "--name=mine"]
images:
  base: { provisioners: [base] }
`;
    const text = await problems({ 'images.yaml': yaml });
    expect(text).toContain('images.yaml:4:31: error: run_args sets the build container\'s name ("--name=mine")');
    expect(text).toContain('hint: remove it: build-images names each build container itself');
    expect(await problems({ 'images.yaml': yaml.replace('"--name=mine"', '"--name", "mine"') })).toContain('images.yaml:4:31: error:');
    expect((await loaded({ 'images.yaml': yaml.replace('"--name=mine"', '"--hostname=mine"') })).config.targets.docker.runArgs).toContain(
      '--hostname=mine',
    );
  });
});
