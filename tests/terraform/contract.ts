/**
 * Test support: the tfvars contract of a root, checked by Terraform itself. The contract module is
 * the root's own `variables.tf` (types, defaults, validations) and `checks.tf` (preconditions across
 * variables, on the provider-less terraform_data), copied unchanged: no provider is needed, so
 * `terraform init` and `terraform plan` run offline for both roots, the Docker one included, and
 * judge a variables file exactly as the real root would before it plans any resource.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, REPO, terraform, type TfRun } from './terraform.js';

export type Root = 'aws' | 'docker';

/** What the user passes on the command line besides the file the build writes (the required inputs). */
export const REQUIRED_INPUTS: Record<Root, readonly string[]> = {
  aws: ['-var=region=eu-central-1', '-var=gateway_cidrs=["203.0.113.0/24"]', '-var=admin_cidrs=["203.0.113.7/32"]'],
  docker: [],
};

export interface Contract {
  readonly root: Root;
  readonly dir: string;
  /** `terraform plan` with `text` as the build's images.auto.tfvars.json (auto-loaded, as in the real root). */
  plan(text: string, extraArgs?: readonly string[]): Promise<TfRun>;
  dispose(): Promise<void>;
}

const FILES = ['variables.tf', 'checks.tf'];

/** Builds and initialises the contract module of `root`; throws with Terraform's output if init fails. */
export async function contractOf(root: Root): Promise<Contract> {
  const dir = await mkdtemp(join(tmpdir(), `tf-contract-${root}-`));
  for (const file of FILES) await copyFile(join(REPO, 'terraform', root, file), join(dir, file));
  const initialised = await init(dir);
  if (initialised.exitCode !== 0)
    throw new Error(`terraform init of the ${root} contract failed:\n${initialised.stdout}${initialised.stderr}`);
  let n = 0;
  return {
    root,
    dir,
    async plan(text, extraArgs = []) {
      // One directory per file, so that each plan auto-loads exactly one images.auto.tfvars.json.
      const caseDir = join(dir, `case-${++n}`);
      await copyDir(dir, caseDir);
      await writeFile(join(caseDir, 'images.auto.tfvars.json'), text);
      const run = await terraform(caseDir, ['plan', '-input=false', '-lock=false', '-no-color', ...REQUIRED_INPUTS[root], ...extraArgs]);
      await rm(caseDir, { recursive: true, force: true });
      return run;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The module's .tf files and its initialised .terraform (symlinked: nothing in it is written by plan). */
async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const file of FILES) await copyFile(join(from, file), join(to, file));
  await symlink(join(from, '.terraform'), join(to, '.terraform'));
  await copyFile(join(from, '.terraform.lock.hcl'), join(to, '.terraform.lock.hcl')).catch(() => undefined);
}

/**
 * Terraform's output on one line, without box drawing: Terraform wraps diagnostics at 78 columns
 * when not on a terminal, so a message is only found whole once the wrapping is undone.
 */
export function diagnostics(run: TfRun): string {
  return `${run.stdout}\n${run.stderr}`
    .split('\n')
    .map((line) => line.replace(/^[│╷╵]\s?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ');
}
