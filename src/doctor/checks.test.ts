import { describe, expect, it } from 'vitest';
import { renderCheck, renderTally, type CheckResult } from './check.js';
import { diskChecks, formatBytes } from './disk.js';
import { baseImageCheck, buildNetworkCheck, engineCheck, type EngineFacts } from '../targets/docker/doctor.js';
import { lockCheck } from './lock.js';
import { dockerPluginCheck, packerCheck } from './packer.js';
import { scriptsCheck } from './scripts.js';

const line = (r: CheckResult): string => renderCheck(r);
const v = (major: number, minor: number, patch: number) => ({ major, minor, patch });
const GiB = 1024 ** 3;

describe('packer checks', () => {
  it.each([
    [
      { kind: 'missing' } as const,
      'FAIL  packer: not found on PATH; fix: install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer; elsewhere see https://developer.hashicorp.com/packer/install)',
    ],
    [
      { kind: 'found', path: '/usr/bin/packer', version: v(1, 5, 6) } as const,
      'FAIL  packer: Packer 1.5.6 at /usr/bin/packer is too old: build-images needs >= 1.6.0 (HCL2 templates); fix: install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer; elsewhere see https://developer.hashicorp.com/packer/install)',
    ],
    [
      { kind: 'broken', path: '/opt/packer', message: 'unexpected output "hello"' } as const,
      'FAIL  packer: /opt/packer did not report a version: unexpected output "hello"; fix: install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer; elsewhere see https://developer.hashicorp.com/packer/install)',
    ],
    [{ kind: 'found', path: '/usr/bin/packer', version: v(1, 6, 6) } as const, 'OK    packer: Packer 1.6.6 at /usr/bin/packer'],
  ])('%j', (facts, expected) => {
    expect(line(packerCheck(facts))).toBe(expected);
  });

  const plugin = '/root/.config/packer/plugins/github.com/hashicorp/docker/packer-plugin-docker_v1.0.8_x5.0_linux_amd64';
  it.each([
    [v(1, 6, 6), undefined, 'OK    packer docker plugin: built into Packer 1.6.6 (plugins start with 1.7)'],
    [
      v(1, 10, 0),
      { kind: 'listed', binaries: [plugin] } as const,
      'OK    packer docker plugin: github.com/hashicorp/docker v1.0.8 installed',
    ],
    [
      v(1, 10, 0),
      { kind: 'listed', binaries: ['/p/github.com/hashicorp/amazon/packer-plugin-amazon_v1.3.0_x5.0_linux_amd64'] } as const,
      'WARN  packer docker plugin: github.com/hashicorp/docker is not installed; fix: the build runs `packer init`, which downloads github.com/hashicorp/docker (needs github.com); or install it now with `packer plugins install github.com/hashicorp/docker`',
    ],
    [
      v(1, 7, 0),
      { kind: 'unsupported' } as const,
      'WARN  packer docker plugin: cannot tell: Packer 1.7.0 has no `packer plugins installed`; fix: the build runs `packer init`, which downloads github.com/hashicorp/docker (needs github.com); or install it now with `packer plugins install github.com/hashicorp/docker`',
    ],
  ])('plugins for %j: %j', (version, facts, expected) => {
    expect(line(dockerPluginCheck(version, facts))).toBe(expected);
  });
});

describe('docker checks', () => {
  const engine: EngineFacts = {
    serverVersion: '20.10.24+dfsg1',
    storageDriver: 'overlay2',
    rootDir: '/var/lib/docker',
    networks: ['host', 'none'],
  };

  it('engine reachable, unreachable, on vfs', () => {
    expect(line(engineCheck('unix:///var/run/docker.sock', { ok: true, value: engine }))).toBe(
      'OK    docker engine: Docker 20.10.24+dfsg1 at unix:///var/run/docker.sock, storage driver overlay2',
    );
    expect(line(engineCheck('tcp://10.0.0.5:2375', { ok: false, error: 'connect ECONNREFUSED 10.0.0.5:2375' }))).toBe(
      'FAIL  docker engine: cannot reach tcp://10.0.0.5:2375: connect ECONNREFUSED 10.0.0.5:2375; fix: start the engine (`systemctl start docker`, or scripts/start-docker where there is no systemd) or point DOCKER_HOST at a running one',
    );
    expect(engineCheck('unix:///s', { ok: true, value: { ...engine, storageDriver: 'vfs' } }).status).toBe('warn');
  });

  it('a --bridge=none engine is fine when run_args gives the build containers a network', () => {
    expect(line(buildNetworkCheck(engine, ['--network=host', '--volume=/m:/m:ro']))).toBe(
      'OK    build network: build containers run with --network=host (targets.docker.run_args)',
    );
    expect(line(buildNetworkCheck(engine, ['--network', 'host']))).toBe(
      'OK    build network: build containers run with --network host (targets.docker.run_args)',
    );
    expect(line(buildNetworkCheck({ ...engine, networks: ['bridge', 'host', 'none'] }, []))).toBe(
      "OK    build network: build containers use the engine's default bridge network",
    );
    expect(line(buildNetworkCheck(engine, []))).toBe(
      'WARN  build network: the engine has no default bridge network (dockerd --bridge=none) and targets.docker.run_args names none: build containers get no network, so provisioners that download anything fail; fix: add "--network=host" to targets.docker.run_args (as examples/offline/images.yaml does)',
    );
  });

  it('base image present, pullable, not pullable (never pulled)', () => {
    expect(line(baseImageCheck('local/debian:bookworm', { kind: 'present', id: `sha256:${'8af898542d9b'.padEnd(64, '0')}` }))).toBe(
      'OK    base image: local/debian:bookworm is in the engine (8af898542d9b)',
    );
    expect(line(baseImageCheck('ubuntu:22.04', { kind: 'pullable', digest: 'sha256:abc' }))).toBe(
      'OK    base image: ubuntu:22.04 is not in the engine; its registry has it (sha256:abc), and the build will pull it',
    );
    expect(line(baseImageCheck('ubuntu:22.04', { kind: 'unpullable', message: 'no such host' }))).toBe(
      'FAIL  base image: ubuntu:22.04 is not in the engine and cannot be pulled: no such host; fix: pull or load it into the engine, or point targets.docker.base_image at a local image (offline: examples/offline/prepare makes local/debian:bookworm, see docs/offline.md)',
    );
  });
});

describe('disk checks', () => {
  const at = (path: string, gib: number, device = 1) => ({ ok: true as const, value: { path, freeBytes: gib * GiB, device } });

  it('one line when the project and the Docker root dir share a filesystem', () => {
    expect(diskChecks(at('/work', 40), at('/var/lib/docker', 40)).map(line)).toEqual([
      'OK    disk space: 40.0 GiB free for /work (project root) and /var/lib/docker (Docker root dir), one filesystem',
    ]);
  });

  it('judges each filesystem by what it holds', () => {
    expect(diskChecks(at('/work', 0.5), at('/var/lib/docker', 3, 2)).map(line)).toEqual([
      'WARN  disk space: only 512 MiB free for /work (project root); fix: free some space (`docker image prune` removes dangling images): doctor fails below 100 MiB and warns below 1.0 GiB',
      'WARN  disk space: only 3.0 GiB free for /var/lib/docker (Docker root dir); fix: free some space (`docker image prune` removes dangling images): doctor fails below 2.0 GiB and warns below 5.0 GiB',
    ]);
    expect(diskChecks(at('/work', 10), at('/var/lib/docker', 1.5, 2)).map((r) => r.status)).toEqual(['ok', 'fail']);
  });

  it('does not measure a remote engine locally', () => {
    expect(
      diskChecks(at('/work', 10), "the Docker root dir is on the engine's machine (tcp://b:2375), not checked here").map(line),
    ).toEqual([
      "OK    disk space: 10.0 GiB free for /work (project root); the Docker root dir is on the engine's machine (tcp://b:2375), not checked here",
    ]);
  });

  it('formats sizes', () => {
    expect([formatBytes(5 * 1024 ** 2), formatBytes(1.25 * GiB)]).toEqual(['5 MiB', '1.3 GiB']);
  });
});

describe('lock check', () => {
  const owner = { pid: 4242, host: 'ci-7', startedAt: '2026-11-21T10:00:00Z', command: 'build --target docker' };
  it.each([
    [{ kind: 'free' } as const, 'OK    lock: no run holds .build-images/lock'],
    [{ kind: 'unreadable' } as const, 'OK    lock: .build-images/lock names no owner; the next run takes it over'],
    [
      { kind: 'held', owner, alive: false } as const,
      'OK    lock: .build-images/lock is left over from pid 4242 (no longer running); the next run takes it over',
    ],
    [
      { kind: 'held', owner, alive: true } as const,
      'FAIL  lock: a running build-images holds .build-images/lock (pid 4242 on ci-7, started 2026-11-21T10:00:00Z: build --target docker), so a build started now is refused; fix: wait for that run to finish; if it is gone, delete .build-images/lock',
    ],
    [
      { kind: 'held', owner, alive: undefined } as const,
      'FAIL  lock: .build-images/lock is held from another host (pid 4242 on ci-7, started 2026-11-21T10:00:00Z: build --target docker), so a build started here is refused; fix: wait for that run to finish; if it is gone, delete .build-images/lock',
    ],
  ])('%j', (facts, expected) => {
    expect(line(lockCheck(facts, '.build-images/lock'))).toBe(expected);
  });
});

describe('provisioner scripts check', () => {
  const checked = ['provisioners/a.sh', 'provisioners/b.sh', 'provisioners/lib/common.sh'];
  it.each([
    [
      { checked, unreadable: [], notExecutable: [] },
      'OK    provisioner scripts: 2 scripts readable and executable, 1 file in provisioners/lib/ readable',
    ],
    [
      { checked, unreadable: [], notExecutable: ['provisioners/b.sh'] },
      'WARN  provisioner scripts: not executable: provisioners/b.sh (builds still run them: the template makes them executable inside the container; running them by hand does not); fix: chmod +x provisioners/b.sh',
    ],
    [
      { checked, unreadable: ['provisioners/a.sh', 'provisioners/lib/common.sh'], notExecutable: ['provisioners/a.sh'] },
      'FAIL  provisioner scripts: not readable: provisioners/a.sh, provisioners/lib/common.sh; not executable: provisioners/a.sh; fix: chmod a+r provisioners/a.sh provisioners/lib/common.sh',
    ],
  ])('%j', (facts, expected) => {
    expect(line(scriptsCheck(facts))).toBe(expected);
  });
});

describe('tally', () => {
  it('counts each status', () => {
    const results: CheckResult[] = [
      { status: 'ok', check: 'a', detail: '' },
      { status: 'warn', check: 'b', detail: '' },
      { status: 'fail', check: 'c', detail: '', fix: '' },
      { status: 'ok', check: 'd', detail: '' },
    ];
    expect(renderTally(results)).toBe('1 failed, 1 warning, 2 ok.');
  });
});
