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

describe.skipIf(!available)('prune --target docker only ever considers this project’s images (real engine)', () => {
  let dir = '';
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await writeFile(EMPTY_TAR, Buffer.alloc(1024)); // two zero blocks: an empty tar archive
    dir = await makeProject({
      'images.yaml': `version: 1\ntargets:\n  docker: { repository: ${PREFIX}-a }\nimages:\n  root: { provisioners: [ok] }\n  child: { parent: root, provisioners: [ok] }\n`,
      'provisioners/ok.sh': '#!/bin/sh\n',
    });
    dirs.push(dir);
    const ours = projectId(dir);
    const label = (name: string, project: string | undefined, parent?: string) => ({
      'org.build-images.image': name,
      ...(project === undefined ? {} : { 'org.build-images.project': project }),
      ...(parent === undefined ? {} : { 'org.build-images.parent': parent }),
    });
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

  afterAll(async () => {
    for (const id of created) await execa('docker', ['rmi', '-f', id], { reject: false });
    await rm(EMPTY_TAR, { force: true });
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

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
