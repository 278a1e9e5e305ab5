/**
 * Issue 13, findings 14 and 15: outputs that cannot be written were found only after every build had run,
 * and the manifest then said "succeeded"; a Ctrl-C between the last build and the writes ended with exit 0
 * or with tfvars rewritten under an "interrupted" manifest; temp files of killed runs stayed forever.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../tests/helpers/temp-dir.js';
import { loadProject, stubId, stubTarget, VERSION_ONLY_PACKER as packer } from '../../tests/helpers/stub-target.js';
import type { Config } from '../config/types.js';
import { ok } from '../result.js';
import { dockerDefinition } from '../targets/docker/definition.js';
import { runBuild } from './build.js';

afterAll(removeTempDirs);

const CONFIG = 'version: 1\nimages:\n  root: { provisioners: [ok] }\n  child: { parent: root, provisioners: [ok] }\n';
const TFVARS = 'terraform/docker/images.auto.tfvars.json';
const MANIFEST = '.build-images/docker/manifest.json';

const project = (files: Record<string, string> = {}): Promise<Config> => loadProject(CONFIG, files);

/** The Docker target's definition (paths, tfvars rendering) with builds that only record they ran. */
function stand_in(config: Config, onBuild: (image: string) => Promise<void> = async () => undefined) {
  const real = dockerDefinition({ engine: () => ({}) as never }).open(config);
  const built: string[] = [];
  const target = stubTarget(
    real,
    async (node) => {
      built.push(node.name);
      await onBuild(node.name);
      return ok({ id: stubId(node.name) });
    },
    {
      concurrency: 1,
      logFile: (image) => join(config.root, '.build-images', 'logs', 'docker', `${image}.log`),
      tfvars: (ids) => `${JSON.stringify({ images: Object.fromEntries(ids.map(([n, a]) => [n, a.id])) })}\n`,
    },
  );
  return { target, built };
}

const files = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

describe('finding 14: outputs are checked before building', () => {
  it('an output location that cannot be written is named before anything is built', async () => {
    // .build-images/docker is a file: the manifest cannot be written below it (as a full disk or a read-only
    // mount would refuse); it used to be found after every build had run.
    const config = await project({ '.build-images/docker': 'not a directory\n' });
    const { target, built } = stand_in(config);
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome).toMatchObject({ status: 'not-started' });
    expect(outcome.status === 'not-started' ? outcome.message : '').toMatchInlineSnapshot(
      `"cannot write .build-images/docker/manifest.json: .build-images/docker is a file, not a directory"`,
    );
    expect(built).toEqual([]);
    expect(await files(config.root)).not.toContain('packer/docker/root.pkr.hcl');
  });

  it('when the tfvars cannot be written after the builds, the run fails and the manifest says so', async () => {
    const config = await project();
    // The last build turns the tfvars path into a directory: the write after the builds fails.
    const { target } = stand_in(config, async (image) => {
      if (image === 'child') await mkdir(join(config.root, TFVARS), { recursive: true });
    });
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' ? outcome.error : '').toContain(`could not write ${TFVARS}`);
    const manifest = JSON.parse(await readFile(join(config.root, MANIFEST), 'utf8'));
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toContain(`could not write ${TFVARS}`);
  });
});

describe('finding 15: an interrupted run wrote nothing or everything; temp files are cleaned', () => {
  it('a Ctrl-C after the last build but before the writes: interrupted, tfvars untouched', async () => {
    const config = await project({ [TFVARS]: '{"images": {"root": "sha256:old"}}\n' });
    const controller = new AbortController();
    const { target } = stand_in(config, async (image) => {
      if (image === 'child') controller.abort();
    });
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: controller.signal });
    expect(outcome.status).toBe('interrupted');
    expect(await readFile(join(config.root, TFVARS), 'utf8')).toBe('{"images": {"root": "sha256:old"}}\n');
    expect(JSON.parse(await readFile(join(config.root, MANIFEST), 'utf8')).status).toBe('interrupted');
  });

  it('temp files and env files left by a killed run are removed by the next run', async () => {
    const config = await project({
      '.build-images/docker/.manifest.json.0a1b2c3d4e5f.tmp': '',
      'terraform/docker/.images.auto.tfvars.json.0a1b2c3d4e5f.tmp': '',
      '.build-images/docker/env/root.env': "export S='secret'\n",
      'packer/docker/.root.pkr.hcl.0a1b2c3d4e5f.tmp': '',
    });
    const { target } = stand_in(config);
    const outcome = await runBuild({ config, packer, target, emit: () => undefined, signal: new AbortController().signal });
    expect(outcome.status).toBe('succeeded');
    expect((await files(config.root)).filter((f) => f.endsWith('.tmp') || f.endsWith('.env'))).toEqual([]);
  });
});
