import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir.js';
import { renderCheck } from './check.js';
import type { PluginFacts } from '../packer/run.js';
import type { DoctorDocker } from '../targets/docker/doctor.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import { amiDefinition } from '../targets/ami/definition.js';
import type { TargetName } from '../targets/target.js';
import { runChecks, type DoctorDeps } from './run.js';
import { classifyDryRun, type DoctorAws } from '../targets/ami/doctor.js';

afterAll(removeTempDirs);

const CONFIG =
  'version: 1\ntargets: { docker: { base_image: "local/base:1", run_args: ["--network=host"] } }\nimages:\n  solo: { provisioners: [ok] }\n';
const engine: DoctorDocker = {
  info: async () => ({ ok: true, value: { serverVersion: '24.0.7', storageDriver: 'overlay2', rootDir: undefined, networks: ['bridge'] } }),
  baseImage: async () => ({ kind: 'pullable', digest: undefined }),
  containers: async () => ({ ok: true, value: [] }),
};
const packer16: DoctorDeps['packer'] = {
  probe: async () => ({ kind: 'found', path: '/usr/bin/packer', version: { major: 1, minor: 6, patch: 6 } }),
};
const noPlugins = async (): Promise<PluginFacts> => {
  throw new Error('Packer 1.6 has no plugins to list');
};

/** Stand-ins for what doctor and the targets ask. */
interface Stand {
  packer: DoctorDeps['packer'];
  docker: DoctorDocker;
  plugins: () => Promise<PluginFacts>;
  aws: () => Promise<DoctorAws>;
}

/** An account where DescribeImages and DescribeSubnets are allowed, CreateKeyPair is denied, and CreateSecurityGroup errs. */
const account: DoctorAws = {
  credentials: async () => ({ ok: true, source: 'environment' }),
  dryRun: async (_region, call) =>
    call === 'CreateKeyPair' ? 'denied' : call === 'CreateSecurityGroup' ? { error: 'RequestLimitExceeded' } : 'allowed',
};

async function doctor(
  files: Record<string, string>,
  stand: Partial<Stand> = {},
  env: NodeJS.ProcessEnv = {},
  target: TargetName = 'docker',
) {
  const cwd = await tempDir(files);
  const use: Stand = { packer: packer16, docker: engine, plugins: noPlugins, aws: async () => account, ...stand };
  // The targets from their own modules, with stand-in adapters: the same checks the registry's run.
  const definition =
    target === 'docker'
      ? dockerDefinition({ docker: () => use.docker, plugins: use.plugins })
      : amiDefinition({ doctor: use.aws, debianPacker: async () => '1.6.6-1' });
  const report = await runChecks({ files: [], cwd, target: definition, env }, { packer: use.packer });
  return { lines: report.results.map(renderCheck), problems: report.configProblems };
}

describe('runChecks (stand-in Packer and engine, real project directory)', () => {
  it('runs every check in a fixed order', async () => {
    const { lines, problems } = await doctor({ 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' });
    const stable = (l: string) =>
      l.replace(/\d+\.\d GiB free for \S+/, '<free>').replace(/[0-9a-f]{12}, a hash of the path \S+/, '<id>, <path>');
    expect(lines.map(stable)).toEqual([
      'OK    config: images.yaml: 1 image in 1 level, root images from local/base:1',
      'WARN  provisioner scripts: not executable: provisioners/ok.sh (builds still run them: the template makes them executable inside the container; running them by hand does not); fix: chmod +x provisioners/ok.sh',
      'OK    packer: Packer 1.6.6 at /usr/bin/packer',
      'OK    packer docker plugin: built into Packer 1.6.6 (plugins start with 1.7)',
      'OK    docker engine: Docker 24.0.7 at unix:///var/run/docker.sock, storage driver overlay2',
      'OK    build network: build containers run with --network=host (targets.docker.run_args)',
      'OK    base image: local/base:1 is not in the engine; its registry has it, and the build will pull it',
      'OK    build containers: none left by killed runs of this project',
      'OK    project identity: <id>, <path> (if CI or another checkout builds this project too: set `project: <name>` in images.yaml so every checkout shares one identity)',
      'OK    disk space: <free> (project root)',
      'OK    lock: no run holds .build-images/lock',
      'OK    left-over files: no build environment files or Packer temp files left by killed runs',
    ]);
    expect(problems).toBeUndefined();
  });

  it('marks what depends on a broken config or an unreachable engine as not checked', async () => {
    const dead: DoctorDocker = { ...engine, info: async () => ({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:2375' }) };
    const { lines, problems } = await doctor(
      { 'images.yaml': 'version: 1\nimages:\n  solo: { parent: nope, provisioners: [ok] }\n', 'provisioners/ok.sh': '' },
      { docker: dead },
      { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
    );
    expect(lines.filter((l) => !l.startsWith('OK    disk space'))).toEqual([
      'FAIL  config: 1 problem in images.yaml (listed below); fix: correct the problems listed below',
      'WARN  provisioner scripts: not checked: the config is not valid',
      'OK    packer: Packer 1.6.6 at /usr/bin/packer',
      'OK    packer docker plugin: built into Packer 1.6.6 (plugins start with 1.7)',
      'FAIL  docker engine: cannot reach tcp://127.0.0.1:2375: connect ECONNREFUSED 127.0.0.1:2375; fix: start the engine (`systemctl start docker`, or scripts/start-docker where there is no systemd) or point DOCKER_HOST at a running one',
      'WARN  build network: not checked: the Docker engine cannot be reached',
      'WARN  base image: not checked: the Docker engine cannot be reached',
      'WARN  build containers: not checked: the Docker engine cannot be reached',
      'WARN  project identity: not checked: the config is not valid',
      'OK    lock: no run holds .build-images/lock',
      'OK    left-over files: no build environment files or Packer temp files left by killed runs',
    ]);
    expect(problems).toContain(
      'images.yaml:3:19: error: unknown parent "nope" of image "solo"\n    3 |   solo: { parent: nope, provisioners: [ok] }\n      |                   ^^^^',
    );
  });

  it('says where the project identity comes from, and warns under CI when it is the path', async () => {
    const files = { 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' };
    const identity = (ls: readonly string[]) => ls.find((l) => l.includes('project identity:'));
    expect(identity((await doctor(files, {}, { CI: 'true' })).lines)).toMatch(
      /^WARN  project identity: [0-9a-f]{12} is a hash of the path \S+: under CI each checkout directory is another project to prune; fix: set `project: <name>` in images.yaml so every checkout shares one identity$/,
    );
    const named = { ...files, 'images.yaml': CONFIG.replace('version: 1\n', 'version: 1\nproject: acme/cortex\n') };
    expect(identity((await doctor(named, {}, { CI: 'true' })).lines)).toBe(
      'OK    project identity: acme/cortex (from project: in images.yaml:2): images are labelled with it, and prune keeps to it',
    );
  });

  it('asks `packer plugins installed` only for Packer >= 1.7', async () => {
    const packer110: DoctorDeps['packer'] = {
      probe: async () => ({ kind: 'found', path: '/usr/local/bin/packer', version: { major: 1, minor: 11, patch: 2 } }),
    };
    const { lines } = await doctor(
      { 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' },
      { packer: packer110, plugins: async () => ({ kind: 'listed', binaries: [] }) },
    );
    expect(lines[3]).toBe(
      'WARN  packer docker plugin: github.com/hashicorp/docker is not installed; fix: the build runs `packer init`, which downloads github.com/hashicorp/docker (needs github.com); or install it now with `packer plugins install github.com/hashicorp/docker`',
    );
  });

  it('--target ami: checks what the config must give the AMI target, and leaves the Docker checks out', async () => {
    const { lines, problems } = await doctor({ 'images.yaml': CONFIG, 'provisioners/ok.sh': '#!/bin/sh\n' }, {}, {}, 'ami');
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'FAIL  config',
      'WARN  provisioner scripts',
      'OK    packer',
      'OK    packer ssh to ubuntu 22.04+',
      'WARN  aws credentials',
      'WARN  aws permissions',
      'WARN  project identity',
      'OK    disk space',
      'OK    lock',
      'OK    left-over files',
    ]);
    expect(problems).toContain('images.yaml:1:1: error: missing "targets.ami": --target ami needs at least the AWS region to build in');
  });

  it('--target ami: credentials from the SDK chain, and permissions by DryRun', async () => {
    const config = CONFIG.replace('targets: {', 'targets: { ami: { region: eu-central-1 },');
    const { lines } = await doctor({ 'images.yaml': config, 'provisioners/ok.sh': '#!/bin/sh\n' }, {}, {}, 'ami');
    expect(lines.filter((l) => l.includes('aws'))).toEqual([
      'OK    aws credentials: resolved (environment)',
      'FAIL  aws permissions: denied in eu-central-1: ec2:CreateKeyPair; fix: grant the IAM permissions listed in the README ("The AMI target")',
    ]);
    const none = await doctor(
      { 'images.yaml': config, 'provisioners/ok.sh': '#!/bin/sh\n' },
      {
        aws: async () => ({ ...account, credentials: async () => ({ ok: false, error: 'Could not load credentials from any providers' }) }),
      },
      {},
      'ami',
    );
    expect(none.lines.filter((l) => l.includes('aws'))).toEqual([
      'FAIL  aws credentials: the AWS SDK found no credentials: Could not load credentials from any providers; fix: set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a web identity (OIDC) role; in CI see examples/ci/',
      'WARN  aws permissions: not checked: no AWS credentials',
    ]);
  });
});

describe('left-over files (issue 13 #6: doctor said all OK while a killed run had left the secret on disk)', () => {
  it('names the env files and Packer temp dirs a killed run left, unless a live run holds the lock', async () => {
    const files = {
      'images.yaml': CONFIG,
      'provisioners/ok.sh': '#!/bin/sh\n',
      '.build-images/docker/env/solo.env': "S='secret'\n",
      '.build-images/docker/packer-tmp/tmp123/upload456': 'x',
    };
    const { lines } = await doctor(files);
    expect(lines.at(-1)).toBe(
      "WARN  left-over files: 2 left by a killed run, holding its builds' environment (variables, secrets): .build-images/docker/env/solo.env, .build-images/docker/packer-tmp/tmp123; fix: the next `build-images build` removes them before building; or delete them now",
    );
    const held = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'now', command: 'build' });
    const running = await doctor({ ...files, '.build-images/lock': held });
    expect(running.lines.at(-1)).toBe('OK    left-over files: not judged: a run holds the lock, and these are its files');
  });
});

describe('classifyDryRun', () => {
  it('reads EC2 DryRun answers: DryRunOperation allowed, UnauthorizedOperation denied, anything else unknown', () => {
    const named = (name: string) => Object.assign(new Error(`${name} message`), { name });
    expect(classifyDryRun(named('DryRunOperation'))).toBe('allowed');
    expect(classifyDryRun(named('UnauthorizedOperation'))).toBe('denied');
    expect(classifyDryRun(named('RequestLimitExceeded'))).toEqual({ error: 'RequestLimitExceeded message' });
  });
});
