/**
 * Issue 13 #15, at the command: a signal at each phase boundary ends the run with exit 130 and a message that
 * says what was written, and the tfvars and the manifest are both old or both new. The builds are stand-ins
 * (what is under test is the tool's own behaviour around Packer); the signal is injected by emitting it on
 * the process, where the command's handler receives it as it would a real one (the real signal, with real
 * Packer: scripts/probe-interrupts and tests/e2e/interrupt.test.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runBuildCommand } from '../src/commands/build.js';
import { LATE_SIGNAL } from '../src/commands/build-result.js';
import type { Config } from '../src/config/types.js';
import { ok } from '../src/result.js';
import { dockerDefinition } from '../src/targets/docker/definition.js';
import type { Target } from '../src/targets/target.js';
import { loadProject, stubId, stubTarget, VERSION_ONLY_PACKER } from './helpers/stub-target.js';
import { removeTempDirs } from './helpers/temp-dir.js';

afterAll(removeTempDirs);
afterEach(() => vi.restoreAllMocks());

const TFVARS = 'terraform/docker/images.auto.tfvars.json';
const MANIFEST = '.build-images/docker/manifest.json';
const OLD_TFVARS = '{"images": {"root": "sha256:old"}}\n';
const OLD_MANIFEST = '{"version": 1, "status": "succeeded", "images": {}}\n';

type Moment = 'none' | 'build' | 'staged' | 'decided' | 'done';

async function run(
  moment: Moment,
): Promise<{ code: number; stderr: string; config: Config; json: { status: string; message: string | null } }> {
  const config = await loadProject('version: 1\nimages:\n  root: { provisioners: [ok] }\n  child: { parent: root, provisioners: [ok] }\n', {
    [TFVARS]: OLD_TFVARS,
    [MANIFEST]: OLD_MANIFEST,
  });
  const signal = (): void => void process.emit('SIGINT', 'SIGINT');
  const real = dockerDefinition({ engine: () => ({}) as never }).open(config);
  const target = stubTarget(
    real,
    async (node) => {
      if (moment === 'build' && node.name === 'child') signal();
      return ok({ id: stubId(node.name) });
    },
    { tfvars: (ids) => `${JSON.stringify({ images: Object.fromEntries(ids.map(([n, a]) => [n, a.id])) })}\n` },
  );
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const code = await runBuildCommand(config, {
    packer: VERSION_ONLY_PACKER,
    target: target as unknown as Target<unknown>,
    concurrency: 1,
    verbose: false,
    plain: true,
    json: true,
    flags: {},
    timeoutMs: undefined,
    onCommitStep: (step) => {
      if (step === moment) signal();
    },
  });
  return { code, stderr, config, json: JSON.parse(stdout) as { status: string; message: string | null } };
}

const pair = async (root: string): Promise<string> => {
  const [tfvars, manifest] = await Promise.all([readFile(join(root, TFVARS), 'utf8'), readFile(join(root, MANIFEST), 'utf8')]);
  if (tfvars === OLD_TFVARS && manifest === OLD_MANIFEST) return 'old';
  if (tfvars.includes(stubId('child')) && JSON.parse(manifest).status === 'succeeded') return 'new';
  return 'mixed';
};

describe('a signal at each phase boundary of `build` (stand-in builds, injected SIGINT)', () => {
  it.each<{ moment: Moment; code: number; outputs: string; says: string }>([
    { moment: 'none', code: 0, outputs: 'new', says: `Wrote ${TFVARS}` },
    {
      moment: 'build',
      code: 130,
      outputs: 'old',
      says: 'Interrupted before the outputs were written: the Terraform variables file and the manifest were left as they were.',
    },
    {
      moment: 'staged',
      code: 130,
      outputs: 'old',
      says: 'Interrupted before the outputs were written: the Terraform variables file and the manifest were left as they were.',
    },
    { moment: 'decided', code: 130, outputs: 'new', says: 'The run was interrupted after its outputs were written; it exits 130.' },
    { moment: 'done', code: 130, outputs: 'new', says: 'The run was interrupted after its outputs were written; it exits 130.' },
  ])('signal at "$moment": exit $code, outputs all $outputs, lock released', async ({ moment, code, outputs, says }) => {
    const result = await run(moment);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toContain(says);
    if (moment !== 'none') expect(result.stderr).toContain('SIGINT: stopping builds');
    expect(await pair(result.config.root)).toBe(outputs);
    // build --json agrees: a late signal is named in `message`, so a script reading only the JSON sees it too.
    expect(result.json.status).toBe(outputs === 'new' ? 'succeeded' : 'interrupted');
    expect(result.json.message).toBe(code === 130 && outputs === 'new' ? LATE_SIGNAL : null);
    expect(existsSync(join(result.config.root, '.build-images', 'lock'))).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
