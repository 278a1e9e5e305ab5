import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expressionsIn, literalKeysRead, loadTerraformRoot, referenceProblems } from './hcl.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp directory holding `files` (path → text); returns its path. Messages are relative to it. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tf-root-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function load(files: Record<string, string>) {
  const dir = tree(files);
  return loadTerraformRoot(join(dir, 'root'), dir);
}

describe('expressionsIn', () => {
  it('finds interpolations and directives, not literal text or escapes', () => {
    expect(expressionsIn('see var.a, $${var.b} and %%{var.c}')).toEqual([]);
    expect(expressionsIn('${var.images["consul"]}')).toEqual(['var.images["consul"]']);
    expect(expressionsIn('a ${x} b %{if var.y}yes%{endif}')).toEqual(['x', 'if var.y', 'endif']);
    expect(expressionsIn('${{ for k, v in var.m : k => v if v != "}" }}')).toEqual(['{ for k, v in var.m : k => v if v != "}" }']);
  });
});

describe('referenceProblems', () => {
  it('accepts a root whose references all resolve', async () => {
    const root = await load({
      'root/variables.tf': 'variable "images" { type = map(string) }\n',
      'root/main.tf': [
        'locals { note = "var.not_a_reference" }',
        'module "app" {',
        '  source = "./modules/app"',
        '  image  = var.images["app"]',
        '}',
      ].join('\n'),
      'root/modules/app/main.tf': [
        'variable "image" { type = string }',
        'variable "size" {',
        '  type    = number',
        '  default = 1',
        '}',
        'output "x" { value = templatefile("${path.module}/x.tftpl", { image = var.image, size = var.size }) }',
      ].join('\n'),
      'root/modules/app/x.tftpl': '${image}\n',
    });
    expect(referenceProblems(root)).toEqual([]);
    expect([...literalKeysRead(root, 'images')]).toEqual(['app']);
  });

  it('reports undeclared variables, broken module wiring and missing template files', async () => {
    const root = await load({
      'root/main.tf': [
        'variable "region" { type = string }',
        'module "app" {',
        '  source = "./modules/app"',
        '  ami    = var.amis["app"][var.region]',
        '  extra  = 1',
        '}',
        'module "gone" { source = "./modules/gone" }',
        'locals { user_data = templatefile("${path.module}/missing.tftpl", {}) }',
      ].join('\n'),
      'root/modules/app/main.tf': 'variable "ami" { type = string }\nvariable "subnet" { type = string }\n',
    });
    expect(referenceProblems(root)).toEqual([
      'root/main.tf: module "gone" has source "./modules/gone", but root/modules/gone holds no .tf files',
      'root/main.tf: var.amis is referenced but root declares no variable "amis"',
      'root/main.tf: root/missing.tftpl does not exist',
      'root/main.tf: module "app" passes "extra", which root/modules/app does not declare',
      'root/main.tf: module "app" leaves out "subnet", which root/modules/app requires',
    ]);
  });

  it('checks each module against its own variables', async () => {
    const root = await load({
      'root/main.tf': 'variable "a" {}\nmodule "m" { source = "./m" }\n',
      'root/m/main.tf': 'output "x" { value = var.a }\n',
    });
    expect(referenceProblems(root)).toEqual(['root/m/main.tf: var.a is referenced but root/m declares no variable "a"']);
  });

  it('reports a module that calls itself back instead of loading forever', async () => {
    const root = await load({ 'root/main.tf': 'module "again" { source = "./" }\n' });
    expect(referenceProblems(root)).toEqual(['root/main.tf: module "again" calls root, which calls it back']);
  });

  it('throws, naming the file, when a file does not parse', async () => {
    await expect(load({ 'root/main.tf': 'resource "x" "y" {\n' })).rejects.toThrow(
      /^root\/main\.tf does not parse as HCL: .*Unclosed configuration block/,
    );
  });
});
