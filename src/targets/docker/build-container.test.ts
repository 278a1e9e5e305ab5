import { describe, expect, it } from 'vitest';
import { renderCheck } from '../../doctor/check.js';
import { buildContainersCheck } from './doctor.js';
import { buildContainerName, judgeBuildContainers, parseBuildContainerName, projectContainerFilter } from './build-container.js';

const owner = { project: 'a1b2c3d4e5f6', host: '0badcafe', pid: 4242 };

describe('build container names (issue 13 #6, #8)', () => {
  it('say project, host, pid and image, and read back', () => {
    const name = buildContainerName(owner, 'web_1-x');
    expect(name).toBe('build-images-a1b2c3d4e5f6-0badcafe-4242-web_1-x');
    expect(parseBuildContainerName(`/${name}`)).toEqual({ ...owner, image: 'web_1-x' });
    expect(new RegExp(projectContainerFilter(owner.project)).test(`/${name}`)).toBe(true);
    // Packer renders run_command through its template engine: nothing in the name may look like a template.
    expect(name).not.toMatch(/[{}]/);
  });

  it('a run holding the lock removes only containers of its project from this host and another pid', () => {
    const c = (name: string) => ({ id: name, name, state: 'exited' });
    const verdicts = judgeBuildContainers(
      [
        c(buildContainerName({ ...owner, pid: 17 }, 'root')),
        c(buildContainerName(owner, 'child')),
        c(buildContainerName({ ...owner, host: 'ffffffff' }, 'root')),
        c(buildContainerName({ ...owner, project: 'ffffffffffff' }, 'root')),
        c('build-images-a1b2c3d4e5f6-something-else'),
      ],
      owner,
      (pid) => pid !== owner.pid,
    );
    expect(verdicts.map((v) => [v.kind, v.container.name])).toEqual([
      ['left-over', 'build-images-a1b2c3d4e5f6-0badcafe-17-root'],
      ['running', 'build-images-a1b2c3d4e5f6-0badcafe-4242-child'],
      ['other-host', 'build-images-a1b2c3d4e5f6-ffffffff-4242-root'],
    ]);
  });
});

describe('doctor: build containers left by killed runs', () => {
  const c = (pid: number, image: string, state = 'exited') => ({
    id: `id${pid}`,
    name: buildContainerName({ ...owner, pid }, image),
    state,
  });
  const alive = (pid: number) => pid === 99;

  it('lists the left-over ones with what to run, and leaves a running build alone', () => {
    const found = { ok: true as const, value: [c(17, 'root'), c(99, 'child', 'running')] };
    expect(renderCheck(buildContainersCheck(found, owner, alive))).toBe(
      "WARN  build containers: 1 left by killed runs, holding their builds' environment (variables, secrets): " +
        'build-images-a1b2c3d4e5f6-0badcafe-17-root (exited, pid 17 gone) (1 of a running build); ' +
        'fix: the next `build-images build` removes them before building; or now: `docker rm -f build-images-a1b2c3d4e5f6-0badcafe-17-root`',
    );
  });

  it('is OK when there are none', () => {
    expect(renderCheck(buildContainersCheck({ ok: true, value: [c(99, 'root', 'running')] }, owner, alive))).toBe(
      'OK    build containers: none left by killed runs of this project (1 of a running build)',
    );
  });
});
