/**
 * Test support: the real Terraform binary, offline. Our machines carry Terraform (1.11.4) and a
 * filesystem mirror of the hashicorp/aws provider; nothing can be downloaded, so every `init` gets
 * `-plugin-dir` and no test reaches a registry. Where either is missing, the tests that need them
 * skip with one line; under CI (CI=true) they must run, so a missing one fails instead.
 */
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';

export const REPO = join(import.meta.dirname, '..', '..');
export const TERRAFORM = process.env['TERRAFORM'] ?? 'terraform';
export const PLUGIN_DIR = process.env['TF_PLUGIN_DIR'] ?? '/opt/tf-plugins';

/** No CLI configuration, no version check, no prompts: the same run on every machine. */
export const TF_ENV = {
  TF_CLI_CONFIG_FILE: '/dev/null',
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
} as const;

function probe(): { version: string | undefined; missing: string | undefined } {
  let version: string | undefined;
  try {
    const out = execaSync(TERRAFORM, ['version', '-json'], { env: TF_ENV, reject: false, timeout: 30_000 });
    if (out.exitCode === 0) version = (JSON.parse(out.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    version = undefined;
  }
  if (version === undefined) return { version, missing: `no \`${TERRAFORM}\` on PATH` };
  const aws = join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(aws) || readdirSync(aws).length === 0)
    return { version, missing: `no hashicorp/aws provider mirror at ${PLUGIN_DIR} (set TF_PLUGIN_DIR)` };
  return { version, missing: undefined };
}

const found = probe();
/** Terraform's version, when it runs at all (enough for `fmt` and provider-less modules). */
export const TERRAFORM_VERSION = found.version;
/** Why the Terraform tests cannot run here, or undefined when they can. */
export const TERRAFORM_MISSING = found.missing;

/** For describe.skipIf: true when the tests must skip. Under CI a missing Terraform is a failure, not a skip. */
export function skipWithoutTerraform(what: string): boolean {
  if (TERRAFORM_MISSING === undefined) return false;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${TERRAFORM_MISSING}: ${what} must run in CI`);
  console.log(`skipped: ${what} (${TERRAFORM_MISSING})`);
  return true;
}

export interface TfRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One Terraform command in `cwd`, never in colour, never rejecting: callers assert on the exit code and text. */
export async function terraform(cwd: string, args: readonly string[], timeoutMs = 600_000): Promise<TfRun> {
  const run = await execa(TERRAFORM, [...args], { cwd, env: TF_ENV, reject: false, timeout: timeoutMs, all: false });
  return { exitCode: run.exitCode ?? -1, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** `terraform init` from the local mirror only, with no backend: no registry, no state. */
export async function init(cwd: string): Promise<TfRun> {
  return terraform(cwd, ['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${PLUGIN_DIR}`]);
}

/** A copy of terraform/<root> in a temp dir, without any working files a local run left behind. */
export async function copyRoot(root: 'aws' | 'docker', into?: string): Promise<string> {
  const dir = into ?? (await mkdtemp(join(tmpdir(), `tf-${root}-`)));
  const skip = /(^|\/)(\.terraform(\/|$)|\.terraform\.lock\.hcl$|terraform\.tfstate|images\.auto\.tfvars\.json$)/;
  await cp(join(REPO, 'terraform', root), dir, { recursive: true, filter: (src) => !skip.test(src) });
  return dir;
}
