import { execa } from 'execa';
import { it } from 'vitest';

/** The local base image the CLI tests build from (examples/offline/prepare makes it). */
export const BASE_IMAGE = 'local/debian:bookworm';

/** What a CLI test may need on this machine besides Node. */
export type Tool = 'packer' | 'docker' | 'base';

const LABEL: Record<Tool, string> = {
  packer: 'Packer (`packer version` failed)',
  docker: 'a Docker engine (`docker info` failed)',
  base: `${BASE_IMAGE} (not in the engine; examples/offline/prepare makes it)`,
};

const answers = (file: string, args: readonly string[]): Promise<boolean> =>
  execa(file, args, { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  );

/** Which tools this machine has, asked once per test file, in parallel. */
export async function probeTools(): Promise<Readonly<Record<Tool, boolean>>> {
  const [packer, docker] = await Promise.all([answers('packer', ['version']), answers('docker', ['info'])]);
  const base = docker && (await answers('docker', ['image', 'inspect', BASE_IMAGE]));
  return { packer, docker, base };
}

type TestBody = () => Promise<void> | void;

/**
 * `it`, for a test that needs `required`. Under CI (`CI=true`) the test always runs, so a missing tool
 * fails it rather than skipping it quietly; elsewhere a skipped test says in one line what is missing.
 */
export function itNeeds(tools: Readonly<Record<Tool, boolean>>, ...required: Tool[]) {
  const missing = process.env.CI === 'true' ? [] : required.filter((tool) => !tools[tool]);
  return (name: string, body: TestBody, timeout?: number): void => {
    if (missing.length === 0) return void it(name, body, timeout);
    console.log(`skipping "${name}": no ${missing.map((tool) => LABEL[tool]).join(', no ')}`);
    it.skip(name, body, timeout);
  };
}
