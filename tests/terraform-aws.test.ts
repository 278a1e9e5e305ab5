/**
 * terraform/ through real Terraform, offline: `fmt -check` on both roots, and for terraform/aws
 * `init` from the local hashicorp/aws mirror, `validate`, and `terraform test` (the run blocks in
 * terraform/aws/tests/, against `mock_provider "aws"`: plan and apply, no account). terraform/docker
 * cannot be initialised here (no kreuzwerker/docker provider): tests/terraform-roots.test.ts parses it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnostics } from './terraform/contract.js';
import { copyRoot, init, REPO, skipWithoutTerraform, terraform, TERRAFORM_VERSION, type TfRun } from './terraform/terraform.js';

const skip = skipWithoutTerraform('terraform fmt, validate and test of terraform/aws');

describe.skipIf(skip)(`terraform/ through Terraform ${TERRAFORM_VERSION ?? ''}`, () => {
  it('is formatted as `terraform fmt` writes it (both roots, tests and mocks included)', async () => {
    const run = await terraform(join(REPO, 'terraform'), ['fmt', '-check', '-recursive', '-diff', '-no-color']);
    expect(run.exitCode, `files terraform fmt would change:\n${run.stdout}${run.stderr}`).toBe(0);
  }, 60_000);

  describe('terraform/aws', () => {
    let dir: string;
    let initialised: TfRun;
    beforeAll(async () => {
      dir = await copyRoot('aws');
      initialised = await init(dir);
    }, 300_000);
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('initialises from the local provider mirror, with a constraint that admits its 5.100', () => {
      expect(initialised.exitCode, diagnostics(initialised)).toBe(0);
      expect(initialised.stdout).toMatch(/Installing hashicorp\/aws v5\.100\.\d+/);
    });

    it('validates', async () => {
      const run = await terraform(dir, ['validate', '-no-color']);
      expect(run.exitCode, diagnostics(run)).toBe(0);
      expect(run.stdout).toContain('Success! The configuration is valid.');
    }, 120_000);

    it('passes `terraform test`: every run block of terraform/aws/tests, planned and applied with mock_provider "aws"', async () => {
      const run = await terraform(dir, ['test', '-no-color']);
      const text = diagnostics(run);
      expect(run.exitCode, text).toBe(0);
      for (const name of ['cluster', 'new_cortex_ami', 'region_without_ami', 'bad_inputs', 'role_with_target_tracking_and_desired'])
        expect(text, name).toContain(`run "${name}"... pass`);
      expect(text).toMatch(/Success! 5 passed, 0 failed\./);
    }, 600_000);
  });
});
