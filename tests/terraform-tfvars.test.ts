/**
 * The contract between the build and the Terraform roots, judged by real Terraform: the file the
 * build renders, and a table of bad files, go through `terraform plan` on a module made of the
 * root's own variables.tf and checks.tf (tests/terraform/contract.ts), offline, for both roots.
 * The first six bad files are the ones a hand-written type checker once passed and Terraform refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAmiTfvars, renderDockerTfvars } from '../src/terraform/tfvars.js';
import { contractOf, diagnostics, type Contract, type Root } from './terraform/contract.js';
import { skipWithoutTerraform } from './terraform/terraform.js';

const sha = (n: number): string => `sha256:${n.toString(16).repeat(64).slice(0, 64)}`;
const IMAGES = ['base', 'consul', 'cortex', 'nginx', 'monitoring'] as const;

const dockerImages = (): Record<string, unknown> => Object.fromEntries(IMAGES.map((name, i) => [name, sha(i + 1)]));
const amis = (): Record<string, Record<string, unknown>> =>
  Object.fromEntries(
    IMAGES.map((name, i) => [name, { 'eu-central-1': `ami-0${i}${'1'.repeat(15)}`, 'us-east-1': `ami-${i}${'2'.repeat(7)}` }]),
  );
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const without = <T extends Record<string, unknown>>(o: T, key: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

const IMAGE_ID_MESSAGE =
  'Every image must be a full image ID (sha256:<64 hex digits>) or a digest-pinned reference (<registry>/<image>@sha256:<64 hex digits>), not a tag: containers are pinned to the exact image a build produced.';
const AMI_ID_MESSAGE = 'Every AMI must be an AMI ID (ami- and 8 or 17 hex digits).';

interface BadFile {
  readonly name: string;
  readonly root: Root;
  readonly text: string;
  /** Every string must appear in Terraform's output (the error summary, the root's own message, the file and line). */
  readonly errors: readonly string[];
}

const BAD_FILES: readonly BadFile[] = [
  // The six the hand-written checker passed.
  {
    name: 'a number for an image ID',
    root: 'docker',
    text: json({ images: { ...dockerImages(), consul: 12345 } }),
    errors: ['Error: Invalid value for variable', 'on images.auto.tfvars.json line 2:', IMAGE_ID_MESSAGE],
  },
  {
    name: 'a bool for an image ID',
    root: 'docker',
    text: json({ images: { ...dockerImages(), consul: true } }),
    errors: ['Error: Invalid value for variable', IMAGE_ID_MESSAGE],
  },
  {
    name: 'a tag for an image ID',
    root: 'docker',
    text: json({ images: { ...dockerImages(), consul: 'consul:latest' } }),
    errors: ['Error: Invalid value for variable', IMAGE_ID_MESSAGE],
  },
  {
    name: 'an AMI ID that is not one',
    root: 'aws',
    text: json({ amis: { ...amis(), consul: { 'eu-central-1': 'ami-xyz' } } }),
    errors: ['Error: Invalid value for variable', 'on images.auto.tfvars.json line 2:', AMI_ID_MESSAGE],
  },
  {
    name: 'a number for an AMI ID',
    root: 'aws',
    text: json({ amis: { ...amis(), consul: { 'eu-central-1': 123 } } }),
    errors: ['Error: Invalid value for variable', AMI_ID_MESSAGE],
  },
  {
    name: 'no AMI for nginx in the region deployed to',
    root: 'aws',
    text: json({ amis: { ...amis(), nginx: { 'us-east-1': 'ami-12345678' } } }),
    errors: [
      'Error: Resource precondition failed',
      'images.auto.tfvars.json has no AMI in eu-central-1 for: nginx. Build the AMIs in this region or deploy to one they were built in.',
    ],
  },
  // And the rest of what can go wrong with the file.
  {
    name: 'an image missing',
    root: 'docker',
    text: json({ images: without(dockerImages(), 'cortex') }),
    errors: [
      'images must hold an ID for each of consul, cortex, nginx and monitoring: run the Docker build first, it writes images.auto.tfvars.json.',
    ],
  },
  {
    name: 'an object for an image ID',
    root: 'docker',
    text: json({ images: { ...dockerImages(), nginx: { id: sha(9) } } }),
    errors: ['Error: Invalid value for input variable', 'element "nginx": string required'],
  },
  {
    name: 'an array instead of an object',
    root: 'docker',
    text: json([dockerImages()]),
    errors: ['Error: Incorrect JSON value type', 'on images.auto.tfvars.json line 1:'],
  },
  {
    name: 'a file cut short',
    root: 'docker',
    text: json({ images: dockerImages() }).slice(0, 40),
    errors: ['on images.auto.tfvars.json line 3:'],
  },
  {
    name: 'an image missing from the AMIs',
    root: 'aws',
    text: json({ amis: without(amis(), 'monitoring') }),
    errors: [
      'amis must hold AMIs for each of consul, cortex, nginx and monitoring: run the AMI build first, it writes images.auto.tfvars.json.',
    ],
  },
  {
    name: 'one AMI where a map of regions belongs',
    root: 'aws',
    text: json({ amis: { ...amis(), consul: 'ami-12345678' } }),
    errors: ['Error: Invalid value for input variable', 'element "consul": map of string required'],
  },
];

const skip = skipWithoutTerraform('the tfvars contract through `terraform plan`');

describe.skipIf(skip)('the tfvars contract, checked by `terraform plan` on each root’s variables.tf and checks.tf', () => {
  const contracts = new Map<Root, Contract>();
  beforeAll(async () => {
    for (const root of ['docker', 'aws'] as const) contracts.set(root, await contractOf(root));
  }, 300_000);
  afterAll(async () => {
    for (const c of contracts.values()) await c.dispose();
  });
  const contract = (root: Root): Contract => contracts.get(root)!;

  it('terraform/docker accepts the file the build renders for the whole image tree', async () => {
    const run = await contract('docker').plan(renderDockerTfvars(IMAGES.map((name, i) => [name, sha(i + 1)] as const)));
    expect(run.exitCode, diagnostics(run)).toBe(0);
    expect(run.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  }, 120_000);

  it('terraform/aws accepts the file the build renders, AMIs by image and region', async () => {
    const text = renderAmiTfvars(
      IMAGES.map((name, i) => [name, { 'eu-central-1': `ami-0${i}${'1'.repeat(15)}`, 'us-east-1': `ami-${i}${'2'.repeat(7)}` }] as const),
      ['eu-central-1', 'us-east-1'],
    );
    const run = await contract('aws').plan(text);
    expect(run.exitCode, diagnostics(run)).toBe(0);
    // The AMI of each role in the region deployed to, as the roles receive it.
    expect(run.stdout).toContain('+ consul     = "ami-01111111111111111"');
    expect(run.stdout).toContain('+ monitoring = "ami-04111111111111111"');
  }, 120_000);

  it('a key the root does not declare is only a warning (Terraform warns for undeclared variables in files)', async () => {
    const run = await contract('docker').plan(json({ images: dockerImages(), image_ids: {} }));
    expect(run.exitCode, diagnostics(run)).toBe(0);
    expect(diagnostics(run)).toContain('Warning: Value for undeclared variable');
    expect(diagnostics(run)).toContain('The root module does not declare a variable named "image_ids"');
  }, 120_000);

  it.each(BAD_FILES.map((f) => [`${f.root}: ${f.name}`, f] as const))(
    'refuses %s',
    async (_name, bad) => {
      const run = await contract(bad.root).plan(bad.text);
      const text = diagnostics(run);
      expect(run.exitCode, text).toBe(1);
      for (const error of bad.errors) expect(text).toContain(error);
      expect(text).not.toContain('Invalid index');
    },
    120_000,
  );
});
