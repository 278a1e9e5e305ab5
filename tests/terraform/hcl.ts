/**
 * Test support: the Terraform roots parsed with HashiCorp's HCL parser (`@cdktf/hcl2json`, WASM),
 * for what real Terraform cannot check on our machines: terraform/docker, whose provider
 * (kreuzwerker/docker) is not installed here, so `terraform validate` cannot run on it, and the
 * roots' agreement with the provisioners. Types and values of tfvars files are Terraform's job
 * (tests/terraform/contract.ts runs `terraform plan` on them); nothing here re-implements them.
 *
 * `loadTerraformRoot` is the only part that touches the disk; every check is a pure function
 * that returns problems as the sentences a user reads (an empty list means all is well).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/** A file as hcl2json gives it: block type → label → list of bodies; attributes as JSON, expressions as `${…}` strings. */
export type HclBody = Readonly<Record<string, unknown>>;

export interface TerraformFile {
  /** Path as shown in messages, relative to the directory the root was loaded from. */
  readonly label: string;
  readonly body: HclBody;
}

export interface VariableDeclaration {
  readonly name: string;
  readonly hasDefault: boolean;
  /** Label of the file declaring it. */
  readonly file: string;
}

export interface ModuleCall {
  readonly name: string;
  readonly source: string;
  /** Arguments passed to the module, without meta-arguments (source, count, providers, …). */
  readonly arguments: readonly string[];
  readonly file: string;
  /** The called module, when `source` is a local path that holds .tf files. */
  readonly module: TerraformModule | undefined;
}

export interface TerraformModule {
  /** Absolute directory. */
  readonly dir: string;
  /** Directory as shown in messages, e.g. `terraform/aws/modules/role`. */
  readonly label: string;
  readonly files: readonly TerraformFile[];
  readonly variables: ReadonlyMap<string, VariableDeclaration>;
  readonly calls: readonly ModuleCall[];
  /** Problems found while loading: a local module source with no .tf files, a module calling itself. */
  readonly loadProblems: readonly string[];
}

/** The module Terraform runs in (`terraform -chdir=<dir>`): the one tfvars files feed. */
export type TerraformRoot = TerraformModule;

const MODULE_META_ARGUMENTS = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/**
 * Parses every `.tf` file in `dir`, then the local modules it calls, recursively.
 * Throws when a file does not parse: the roots are the project's own code, so that is a bug.
 * Paths in messages are relative to `base` (default: the working directory).
 */
export async function loadTerraformRoot(dir: string, base: string = process.cwd()): Promise<TerraformRoot> {
  return loadModule(resolve(dir), resolve(base), new Map(), []);
}

type Loading = Map<string, Promise<TerraformModule>>;

/** Each directory is read once, however many calls share it; `stack` is the chain of callers. */
async function loadModule(dir: string, base: string, loading: Loading, stack: readonly string[]): Promise<TerraformModule> {
  const existing = loading.get(dir);
  if (existing) return existing;
  const promise = readModule(dir, base, loading, [...stack, dir]);
  loading.set(dir, promise);
  return promise;
}

async function readModule(dir: string, base: string, loading: Loading, stack: readonly string[]): Promise<TerraformModule> {
  const label = relative(base, dir) || '.';
  const names = (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort();
  const files: TerraformFile[] = [];
  for (const name of names) {
    const fileLabel = join(label, name);
    const text = await readFile(join(dir, name), 'utf8');
    let body: Record<string, unknown>;
    try {
      body = await parse(fileLabel, text);
    } catch (e) {
      throw new Error(`${fileLabel} does not parse as HCL: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    files.push({ label: fileLabel, body });
  }

  const loadProblems: string[] = [];
  const variables = new Map<string, VariableDeclaration>();
  for (const file of files) {
    for (const [name, attrs] of blocks(file.body, 'variable'))
      variables.set(name, { name, hasDefault: 'default' in attrs, file: file.label });
  }

  const calls: ModuleCall[] = [];
  for (const file of files) {
    for (const [name, attrs] of blocks(file.body, 'module')) {
      const source = typeof attrs['source'] === 'string' ? attrs['source'] : '';
      const args = Object.keys(attrs).filter((k) => !MODULE_META_ARGUMENTS.has(k));
      let module: TerraformModule | undefined;
      if (isLocalSource(source)) {
        const childDir = resolve(dir, source);
        if (stack.includes(childDir))
          loadProblems.push(`${file.label}: module "${name}" calls ${relative(base, childDir) || '.'}, which calls it back`);
        else if (hasTerraformFiles(childDir)) module = await loadModule(childDir, base, loading, stack);
        else
          loadProblems.push(
            `${file.label}: module "${name}" has source "${source}", but ${relative(base, childDir) || '.'} holds no .tf files`,
          );
      }
      calls.push({ name, source, arguments: args, file: file.label, module });
    }
  }
  return { dir, label, files, variables, calls, loadProblems };
}

function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../');
}

function hasTerraformFiles(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((name) => name.endsWith('.tf'));
}

/** `variable "x" {…}` → [["x", {…}]], however many files or duplicate labels hold them. */
export function blocks(body: HclBody, type: string): Array<[label: string, attributes: Record<string, unknown>]> {
  const byLabel = body[type];
  if (!isRecord(byLabel)) return [];
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const [label, bodies] of Object.entries(byLabel)) {
    for (const attrs of Array.isArray(bodies) ? bodies : [bodies]) if (isRecord(attrs)) out.push([label, attrs]);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every string in a parsed body (object keys included: a map key may be an expression). */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      yield k;
      yield* strings(v);
    }
  }
}

/**
 * The expression parts of a string from hcl2json: `${…}` interpolations and `%{…}` directives,
 * so that literal text such as a description mentioning "var.x" is not taken for a reference.
 * `$${` and `%%{` are escapes for a literal `${` / `%{` and are skipped.
 */
export function expressionsIn(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if ((c !== '$' && c !== '%') || text[i + 1] !== '{') continue;
    if (i > 0 && text[i - 1] === c) continue;
    let depth = 0;
    let quoted = false;
    let j = i + 1;
    for (; j < text.length; j++) {
      const d = text[j];
      if (quoted) {
        if (d === '\\') j++;
        else if (d === '"') quoted = false;
      } else if (d === '"') quoted = true;
      else if (d === '{') depth++;
      else if (d === '}' && --depth === 0) break;
    }
    out.push(text.slice(i + 2, j));
    i = j;
  }
  return out;
}

const VAR_REF = /(?<![\w.])var\.([A-Za-z_][A-Za-z0-9_-]*)/g;

/** Names of the input variables a file refers to as `var.<name>`. */
export function variableReferences(body: HclBody): Set<string> {
  const names = new Set<string>();
  for (const s of strings(body)) {
    for (const expr of expressionsIn(s)) for (const m of expr.matchAll(VAR_REF)) names.add(m[1] ?? '');
  }
  return names;
}

/** Keys a module reads from a map variable by literal index: `var.images["consul"]` → "consul". */
export function literalKeysRead(module: TerraformModule, variable: string): Set<string> {
  const pattern = new RegExp(`(?<![\\w.])var\\.${escapeRegExp(variable)}\\s*\\[\\s*"([^"\\\\]*)"\\s*\\]`, 'g');
  const keys = new Set<string>();
  for (const file of module.files) {
    for (const s of strings(file.body)) {
      for (const expr of expressionsIn(s)) for (const m of expr.matchAll(pattern)) keys.add(m[1] ?? '');
    }
  }
  return keys;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MODULE_PATH_FILE = /\b(?:templatefile|file)\(\s*"\$\{path\.module\}\/([^"]+)"/g;

/** Every module of the tree, the root first, each once. */
export function modulesOf(root: TerraformModule): TerraformModule[] {
  const seen = new Map<string, TerraformModule>();
  const visit = (m: TerraformModule): void => {
    if (seen.has(m.dir)) return;
    seen.set(m.dir, m);
    for (const call of m.calls) if (call.module) visit(call.module);
  };
  visit(root);
  return [...seen.values()];
}

/**
 * Problems in the wiring of a root and its modules: a `var.x` no module declares, a local module
 * source without .tf files, an argument the called module does not declare, a required variable
 * the caller leaves out, a `file`/`templatefile("${path.module}/…")` that does not exist.
 */
export function referenceProblems(root: TerraformRoot): string[] {
  const problems: string[] = [];
  for (const module of modulesOf(root)) {
    problems.push(...module.loadProblems);
    for (const file of module.files) {
      for (const name of [...variableReferences(file.body)].sort()) {
        if (!module.variables.has(name))
          problems.push(`${file.label}: var.${name} is referenced but ${module.label} declares no variable "${name}"`);
      }
      for (const s of strings(file.body)) {
        for (const expr of expressionsIn(s)) {
          for (const m of expr.matchAll(MODULE_PATH_FILE)) {
            const path = m[1] ?? '';
            if (!existsSync(join(module.dir, path))) problems.push(`${file.label}: ${join(module.label, path)} does not exist`);
          }
        }
      }
    }
    for (const call of module.calls) {
      const child = call.module;
      if (!child) continue;
      for (const arg of call.arguments) {
        if (!child.variables.has(arg))
          problems.push(`${call.file}: module "${call.name}" passes "${arg}", which ${child.label} does not declare`);
      }
      for (const v of child.variables.values()) {
        if (!v.hasDefault && !call.arguments.includes(v.name)) {
          problems.push(`${call.file}: module "${call.name}" leaves out "${v.name}", which ${child.label} requires`);
        }
      }
    }
  }
  return problems;
}
