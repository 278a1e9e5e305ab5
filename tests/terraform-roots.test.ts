/**
 * The Terraform rollout roots, checked without Terraform (it cannot be installed on our machines):
 * every file parses with HashiCorp's HCL parser, references and module wiring resolve, the tfvars
 * the build writes fit the declared variables, and the images the roots run exist in images.yaml.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  blocks,
  checkTfvars,
  literalKeysRead,
  loadTerraformRoot,
  modulesOf,
  referenceProblems,
  type HclBody,
  type TerraformRoot,
} from '../src/terraform/check-roots.js';
import { DOCKER_TFVARS_PATH, renderDockerTfvars } from '../src/terraform/tfvars.js';

const REPO = join(import.meta.dirname, '..');
const DOCKER = 'terraform/docker';
const AWS = 'terraform/aws';
const AWS_TFVARS_PATH = 'terraform/aws/images.auto.tfvars.json';

/** The image tree's contract while images.yaml is being written elsewhere. */
const REFERENCE_IMAGES = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];

function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((path) => suffixes.some((s) => path.endsWith(s)))
    .map((path) => join(dir, path))
    .sort();
}

function imageNames(): string[] {
  const path = join(REPO, 'images.yaml');
  if (!existsSync(path)) return REFERENCE_IMAGES;
  const doc: unknown = parseYaml(readFileSync(path, 'utf8'));
  const images = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['images'] : undefined;
  if (Array.isArray(images)) return images.map((i: unknown) => String((i as Record<string, unknown>)['name']));
  if (typeof images === 'object' && images !== null) return Object.keys(images);
  throw new Error('images.yaml has no images mapping or list');
}

/** `for name in ["a", "b"]` in a variable's validation blocks → ["a", "b"]. */
function requiredKeysInValidation(root: TerraformRoot, variable: string): string[] {
  const decl = root.files.flatMap((f) => blocks(f.body, 'variable')).find(([name]) => name === variable);
  const validations = (decl?.[1]['validation'] ?? []) as Array<Record<string, unknown>>;
  for (const v of validations) {
    const match = /for \w+ in (\[[^\]]*\])/.exec(String(v['condition']));
    if (match?.[1]) return (JSON.parse(match[1]) as string[]).sort();
  }
  return [];
}

function resources(root: TerraformRoot, type: string): Array<[string, Record<string, unknown>]> {
  return modulesOf(root).flatMap((m) =>
    m.files.flatMap((f) => {
      const byType = (f.body['resource'] as Record<string, HclBody> | undefined)?.[type];
      return byType ? blocks({ [type]: byType }, type) : [];
    }),
  );
}

const sha = (n: number): string => `sha256:${n.toString(16).repeat(64).slice(0, 64)}`;

describe('every .tf file under terraform/', () => {
  it.each(filesUnder('terraform', ['.tf']))('%s parses as HCL', async (file) => {
    const body = await parse(file, readFileSync(join(REPO, file), 'utf8'));
    expect(Object.keys(body).length).toBeGreaterThan(0);
  });
});

describe.each([DOCKER, AWS])('%s', (dir) => {
  it('declares every var.x it references, and its module sources, arguments and templates exist', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    expect(referenceProblems(root)).toEqual([]);
    for (const module of modulesOf(root)) for (const call of module.calls) expect(call.module, `${call.file}: module "${call.name}"`).toBeDefined();
  });

  it('pins Terraform and every provider in every module', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    for (const module of modulesOf(root)) {
      const settings = module.files.flatMap((f) => (f.body['terraform'] ?? []) as Array<Record<string, unknown>>);
      expect(settings.map((s) => s['required_version']), module.label).toEqual(['>= 1.5.7, < 2.0.0']);
      const providers = settings.flatMap((s) => (s['required_providers'] ?? []) as Array<Record<string, { source: string; version?: string }>>);
      if (module === root) expect(providers.length, module.label).toBeGreaterThan(0);
      for (const [name, p] of providers.flatMap((p) => Object.entries(p))) expect(p.version, `${module.label}: provider ${name}`).toMatch(/\d/);
    }
  });

  it('gives every variable a type and a description', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    for (const module of modulesOf(root)) {
      for (const file of module.files) {
        for (const [name, attrs] of blocks(file.body, 'variable')) {
          expect(typeof attrs['type'], `${file.label}: variable "${name}" type`).toBe('string');
          expect(typeof attrs['description'], `${file.label}: variable "${name}" description`).toBe('string');
        }
      }
    }
  });

  it('runs only images that images.yaml defines', async () => {
    const root = await loadTerraformRoot(join(REPO, dir), REPO);
    const used = [...literalKeysRead(root, dir === DOCKER ? 'images' : 'amis')].sort();
    expect(used).toEqual(['consul', 'cortex', 'monitoring', 'nginx']);
    expect(imageNames()).toEqual(expect.arrayContaining(used));
    // The variable's validation names the same images, so Terraform itself says which one is missing.
    expect(requiredKeysInValidation(root, dir === DOCKER ? 'images' : 'amis')).toEqual(used);
  });

  it('holds no hard-coded AMI ID', () => {
    for (const file of filesUnder(dir, ['.tf', '.tftpl'])) {
      expect(readFileSync(join(REPO, file), 'utf8'), file).not.toMatch(/\bami-[0-9a-f]{8,17}\b/);
    }
  });
});

describe('terraform/docker and the tfvars a Docker build writes', () => {
  let root: TerraformRoot;
  beforeAll(async () => {
    root = await loadTerraformRoot(join(REPO, DOCKER), REPO);
  });
  const built = REFERENCE_IMAGES.map((name, i) => [name, sha(i + 1)] as const);

  it('accepts the file the build renders for the whole image tree', () => {
    const tfvars: unknown = JSON.parse(renderDockerTfvars(built));
    expect(checkTfvars(root, tfvars, DOCKER_TFVARS_PATH)).toEqual([]);
  });

  it('refuses an unknown key, a missing image and a wrong type', () => {
    const images = Object.fromEntries(built);
    const { cortex: _cortex, ...withoutCortex } = images;
    expect(checkTfvars(root, { images, image_ids: images }, DOCKER_TFVARS_PATH)).toEqual([
      'terraform/docker/images.auto.tfvars.json: "image_ids" is not a variable declared in terraform/docker (declared: consul_servers, consul_ui_port, cortex_replicas, docker_host, gateway_port, grafana_port, images, name_prefix)',
    ]);
    expect(checkTfvars(root, { images: withoutCortex }, DOCKER_TFVARS_PATH)).toEqual([
      'terraform/docker/images.auto.tfvars.json: images has no "cortex", but terraform/docker reads var.images["cortex"]',
    ]);
    expect(checkTfvars(root, { images: { ...images, nginx: { id: sha(9) } } }, DOCKER_TFVARS_PATH)).toEqual([
      'terraform/docker/images.auto.tfvars.json: images["nginx"]: expected string, got object',
    ]);
  });

  it('pins every container to an image ID from var.images', () => {
    const containers = resources(root, 'docker_container');
    // hcl2json orders blocks by label.
    expect(containers.map(([name, c]) => [name, c['image']])).toEqual([
      ['consul', '${var.images["consul"]}'],
      ['cortex', '${var.images["cortex"]}'],
      ['monitoring', '${var.images["monitoring"]}'],
      ['nginx', '${var.images["nginx"]}'],
    ]);
  });

  it('starts every container with the start script it uploads (the images have no entrypoints yet)', () => {
    for (const [name, c] of resources(root, 'docker_container')) {
      expect(c['entrypoint'], name).toEqual(['/bin/sh']);
      expect(c['command'], name).toEqual(['${local.start_script}']);
      expect(c['upload'], name).toEqual([{ file: '${local.start_script}', content: `\${local.start_scripts["${name}"]}`, executable: true }]);
    }
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const published = resources(root, 'docker_container').flatMap(([name, c]) => {
      const direct = (c['ports'] ?? []) as Array<Record<string, unknown>>;
      const dynamic = ((c['dynamic'] as Record<string, unknown> | undefined)?.['ports'] ?? []) as Array<{ content: Array<Record<string, unknown>> }>;
      return [...direct, ...dynamic.flatMap((d) => d.content)].map((p) => [name, p['internal'], p['ip']]);
    });
    expect(published).toEqual([
      ['consul', 8500, '127.0.0.1'],
      ['monitoring', 3000, '127.0.0.1'],
      ['nginx', 80, '127.0.0.1'],
    ]);
  });
});

describe('terraform/aws and the tfvars an AMI build writes', () => {
  let root: TerraformRoot;
  beforeAll(async () => {
    root = await loadTerraformRoot(join(REPO, AWS), REPO);
  });
  const amis = Object.fromEntries(
    REFERENCE_IMAGES.map((name, i) => [name, { 'eu-central-1': `ami-0${i}${'1'.repeat(15)}`, 'us-east-1': `ami-${i}${'2'.repeat(7)}` }]),
  );

  it('accepts AMIs by image and region', () => {
    expect(checkTfvars(root, { amis }, AWS_TFVARS_PATH)).toEqual([]);
  });

  it('refuses an unknown key, a missing image and a wrong type', () => {
    const { monitoring: _monitoring, ...withoutMonitoring } = amis;
    expect(checkTfvars(root, { amis, images: {} }, AWS_TFVARS_PATH)).toEqual([
      expect.stringMatching(/^terraform\/aws\/images\.auto\.tfvars\.json: "images" is not a variable declared in terraform\/aws \(declared: admin_cidrs, amis, /),
    ]);
    expect(checkTfvars(root, { amis: withoutMonitoring }, AWS_TFVARS_PATH)).toEqual([
      'terraform/aws/images.auto.tfvars.json: amis has no "monitoring", but terraform/aws reads var.amis["monitoring"]',
    ]);
    expect(checkTfvars(root, { amis: { ...amis, consul: 'ami-12345678' } }, AWS_TFVARS_PATH)).toEqual([
      'terraform/aws/images.auto.tfvars.json: amis["consul"]: expected map(string), got string',
    ]);
  });

  it('launches every role from its AMI in the deployed region', () => {
    const calls = root.calls.filter((c) => c.source === './modules/role');
    expect(calls.map((c) => c.name).sort()).toEqual(['consul', 'cortex', 'monitoring', 'nginx']);
    const mainTf = root.files.find((f) => f.label === join(AWS, 'main.tf'));
    const modules = blocks(mainTf?.body ?? {}, 'module');
    for (const call of calls) {
      const attrs = modules.find(([name]) => name === call.name)?.[1];
      expect(attrs?.['ami_id']).toBe(`\${lookup(var.amis["${call.name}"], var.region, "")}`);
    }
  });

  it('requires IMDSv2 and rolls new AMIs out with an instance refresh', () => {
    const [[, template]] = resources(root, 'aws_launch_template') as [[string, Record<string, unknown>]];
    expect(template['metadata_options']).toEqual([expect.objectContaining({ http_tokens: 'required', http_endpoint: 'enabled' })]);
    const [[, group]] = resources(root, 'aws_autoscaling_group') as [[string, Record<string, unknown>]];
    expect(group['launch_template']).toEqual([{ id: '${aws_launch_template.this.id}', version: '${aws_launch_template.this.latest_version}' }]);
    expect(group['instance_refresh']).toEqual([expect.objectContaining({ strategy: 'Rolling' })]);
  });
});

describe('terraform/', () => {
  it('keeps every file the roots load inside the repository tree', async () => {
    for (const dir of [DOCKER, AWS]) {
      const root = await loadTerraformRoot(join(REPO, dir), REPO);
      for (const module of modulesOf(root)) expect(relative(REPO, module.dir).startsWith('terraform/')).toBe(true);
    }
  });
});
