/**
 * Issue 13, finding 1, on the real Docker engine: `prune` matched images on the name label alone and
 * removed other projects' images (another repository's, another project's in the same repository). Tiny
 * images are made with `docker import` of an empty tar, labelled as build-images labels its builds.
 */
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectId } from '../src/targets/project.js';
import { makeProject, runCli } from './helpers/project.js';

const engine = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false });
const available = engine.exitCode === 0;
if (!available && process.env.CI === 'true') throw new Error(`CI must have a Docker engine: ${engine.stderr}`);
if (!available) console.log('skipping tests/prune-projects.test.ts: no Docker engine (docker version failed)');

const PREFIX = `bi-port-${process.pid}`;
const created: string[] = [];
const dirs: string[] = [];
const EMPTY_TAR = join(tmpdir(), `${PREFIX}-empty.tar`);

/** A labelled, empty image; `tags` name it (the first by import, the rest by `docker tag`). */
async function image(labels: Record<string, string>, tags: string[] = []): Promise<string> {
  const changes = Object.entries(labels).flatMap(([k, v]) => ['--change', `LABEL ${k}=${v}`]);
  const { stdout } = await execa('docker', ['import', ...changes, EMPTY_TAR, ...tags.slice(0, 1)]);
  const id = stdout.trim();
  for (const tag of tags.slice(1)) await execa('docker', ['tag', id, tag]);
  created.push(id);
  return id;
}

const exists = async (id: string): Promise<boolean> => (await execa('docker', ['image', 'inspect', id], { reject: false })).exitCode === 0;
/** Image creation times have one-second resolution: order the builds. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 1100));
const label = (name: string, project: string | undefined, parent?: string) => ({
  'org.build-images.image': name,
  ...(project === undefined ? {} : { 'org.build-images.project': project }),
  ...(parent === undefined ? {} : { 'org.build-images.parent': parent }),
});
const removeLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('remove'));

beforeAll(async () => {
  if (available) await writeFile(EMPTY_TAR, Buffer.alloc(1024)); // two zero blocks: an empty tar archive
});

afterAll(async () => {
  for (const id of created) await execa('docker', ['rmi', '-f', id], { reject: false });
  await rm(EMPTY_TAR, { force: true });
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.skipIf(!available)('prune --target docker only ever considers this project’s images (real engine)', () => {
  let dir = '';
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = await makeProject({
      'images.yaml': `version: 1\ntargets:\n  docker: { repository: ${PREFIX}-a }\nimages:\n  root: { provisioners: [ok] }\n  child: { parent: root, provisioners: [ok] }\n`,
      'provisioners/ok.sh': '#!/bin/sh\n',
    });
    dirs.push(dir);
    const ours = projectId(dir);
    // Older than anything of ours: with --keep 1 a name-only prune removes all of these.
    ids.otherRepository = await image(label('root', 'bbbbbbbbbbbb'), [`${PREFIX}-b/root:latest`]);
    ids.sameRepository = await image(label('child', 'cccccccccccc'), [`${PREFIX}-a/child:theirs`]);
    ids.legacy = await image(label('root', undefined));
    ids.sharedByReuse = await image(label('root', ours), [`${PREFIX}-a/root:shared`, `${PREFIX}-s/root:latest`]);
    ids.oldRoot = await image(label('root', ours));
    await tick();
    ids.root = await image(label('root', ours), [`${PREFIX}-a/root:latest`]);
    ids.child = await image(label('child', ours, ids.root), [`${PREFIX}-a/child:latest`]);
  }, 60_000);

  it('removes only this project’s old image, keeps others’ images with the reason, and says which project it is', async () => {
    const dry = await runCli(dir, ['prune', '--target', 'docker', '--keep', '1', '--no-tfvars', '--dry-run']);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout).toContain(`project ${projectId(dir)} (from `);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('remove'))).toEqual([expect.stringMatching(/^remove {2}root [0-9a-f]{12} /)]);
    expect(dry.stdout).toContain('not this project');

    const run = await runCli(dir, ['prune', '--target', 'docker', '--keep', '1', '--no-tfvars']);
    expect(run.exitCode, run.all).toBe(0);
    expect(await exists(ids.oldRoot!)).toBe(false);
    for (const name of ['otherRepository', 'sameRepository', 'legacy', 'sharedByReuse', 'root', 'child']) {
      expect(await exists(ids[name]!), `${name} must survive`).toBe(true);
    }
  }, 60_000);
});

/**
 * The identity from the path made every CI checkout directory a project of its own, so a runner never pruned
 * what earlier runs in other directories built. With `project:` two checkouts are one project; without it,
 * not (the safe default). Images are labelled as each checkout's build labels them (projectIdentity).
 */
describe.skipIf(!available)('prune --target docker across checkouts: `project:` makes two directories one project (real engine)', () => {
  const repository = `${PREFIX}-n`;
  const NAME = `${PREFIX}/shared`;
  const yaml = (project?: string): string =>
    `version: 1\n${project === undefined ? '' : `project: ${project}\n`}targets:\n  docker: { repository: ${repository} }\nimages:\n  root: { provisioners: [ok] }\n`;
  const checkout = async (project?: string): Promise<string> => {
    const dir = await makeProject({ 'images.yaml': yaml(project), 'provisioners/ok.sh': '#!/bin/sh\n' });
    dirs.push(dir);
    return dir;
  };
  /** An older and a newer `root`, as a build labels them in a checkout whose identity is `project`. */
  const built = async (project: string, tag: string): Promise<{ old: string; current: string }> => {
    const old = await image(label('root', project), [`${repository}/root:${tag}-old`]);
    await tick();
    const current = await image(label('root', project), [`${repository}/root:${tag}`]);
    return { old, current };
  };

  it('with the same `project:`, a checkout elsewhere prunes what another built, and says where the identity comes from', async () => {
    const [, second] = [await checkout(NAME), await checkout(NAME)];
    const ids = await built(NAME, 'named');
    const dry = await runCli(second, ['prune', '--target', 'docker', '--keep', '1', '--no-tfvars', '--dry-run']);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout).toContain(`project ${NAME} (from project: in images.yaml:2), repository ${repository}`);
    expect(dry.stdout).not.toContain('note: the project identity');
    expect(removeLines(dry.stdout)).toEqual([expect.stringMatching(new RegExp(`^remove {2}root ${ids.old.slice(7, 19)} `))]);

    const run = await runCli(second, ['prune', '--target', 'docker', '--keep', '1', '--no-tfvars']);
    expect(run.exitCode, run.all).toBe(0);
    expect(await exists(ids.old)).toBe(false);
    expect(await exists(ids.current)).toBe(true);
  }, 60_000);

  it('without `project:`, a checkout elsewhere is another project: it keeps them, says why, and suggests `project:`', async () => {
    const [first, second] = [await checkout(), await checkout()];
    const ids = await built(projectId(first), 'unnamed');
    const dry = await runCli(second, ['prune', '--target', 'docker', '--keep', '1', '--no-tfvars', '--dry-run']);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout).toContain(`project ${projectId(second)} (from a hash of the path `);
    expect(dry.stdout).toContain('set `project: <name>` in images.yaml so every checkout shares one identity');
    expect(removeLines(dry.stdout)).toEqual([]);
    expect(dry.stdout).toMatch(new RegExp(`keep {4}root ${ids.old.slice(7, 19)} .*: not this project's: built by another project`));

    // The checkout that built them does treat them as its own.
    const own = await runCli(first, ['prune', '--target', 'docker', '--keep', '1', '--no-tfvars', '--dry-run']);
    expect(removeLines(own.stdout)).toEqual([expect.stringMatching(new RegExp(`^remove {2}root ${ids.old.slice(7, 19)} `))]);
  }, 60_000);
});
