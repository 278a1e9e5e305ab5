import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { normalise } from './normalise.js';
import { overlay, type Layer } from './overlay.js';
import { parseYaml } from './parse-yaml.js';
import { quickLoad } from './quick-load.js';
import { checkRules, referencedProvisioners } from './rules.js';
import { checkSchema } from './schema.js';
import { inspectProvisioners } from './scripts.js';
import { sortDiagnostics } from './sort.js';
import type { Config } from './types.js';
import { err, ok, type Result } from '../result.js';

/**
 * Reads, overlays and checks the --config files (later files overlay earlier ones) and
 * returns the validated config, or every problem found, sorted by file, line and column.
 *
 * The files are first read quickly (quick-load.ts): when that finds the config valid, that is the answer.
 * Otherwise (text the quick read leaves alone, any problem), the exact path:
 * each file is parsed on its own; if any file cannot be parsed, only those
 * problems are reported, since checking a partial overlay would invent errors. Then the
 * schema check; then, if the shape is right, the rules (parents, scripts on disk).
 */
export async function loadConfig(
  files: readonly string[],
  opts: { cwd: string; /** false: always the exact path (tests compare the two). */ quick?: boolean },
): Promise<Result<Config, Diagnostic[]>> {
  if (files.length === 0) throw new Error('loadConfig: no config files given (the caller applies the default)');
  const absolute = files.map((f) => path.resolve(opts.cwd, f));
  const shown = absolute.map((f) => displayPath(f, opts.cwd));
  const root = path.dirname(absolute[0] ?? opts.cwd);
  const sorted = (ds: readonly Diagnostic[]) => err(sortDiagnostics(ds, shown));

  // First the quick read, which settles a valid config (the usual case, and the only fast one for a big file).
  if (opts.quick !== false) {
    const texts: { text: string; display: string }[] = [];
    for (const [i, file] of absolute.entries()) {
      const text = await readConfigFile(file, shown[i] ?? file);
      if (!text.ok) break;
      texts.push({ text: text.value, display: shown[i] ?? file });
    }
    const config = texts.length === absolute.length ? await quickLoad(texts, { root, files }) : undefined;
    if (config !== undefined) return ok(config);
  }

  const layers: Layer[] = [];
  const problems: Diagnostic[] = [];
  let parsedAll = true;
  for (const [i, file] of absolute.entries()) {
    const display = shown[i] ?? file;
    const text = await readConfigFile(file, display);
    if (!text.ok) {
      problems.push(text.error);
      parsedAll = false;
      continue;
    }
    const parsed = parseYaml(text.value, display);
    if (!parsed.ok) {
      append(problems, parsed.error);
      parsedAll = false;
      continue;
    }
    append(problems, parsed.value.diagnostics);
    layers.push(parsed.value);
  }
  const merged = overlay(layers);
  if (!parsedAll || merged === undefined) return sorted(problems);

  const schema = checkSchema(merged.value, merged.locations);
  append(problems, schema.diagnostics);
  if (schema.raw === undefined) return sorted(problems);

  const facts = await inspectProvisioners(root, referencedProvisioners(schema.raw));
  append(problems, checkRules(schema.raw, merged.locations, facts));
  if (problems.length > 0) return sorted(problems);
  return ok(normalise(schema.raw, merged.locations, { root, files }));
}

/**
 * `into.push(...from)` passes one argument per item, which overflows the stack past ~120,000 items
 * (a big generated config can have that many problems): a loop has no such limit.
 */
function append<T>(into: T[], from: readonly T[]): void {
  for (const item of from) into.push(item);
}

/** Relative to cwd when inside it, else absolute: the path as users see it in messages. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function readConfigFile(file: string, display: string): Promise<Result<string, Diagnostic>> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      return err(
        diagnostic(
          'config-not-a-file',
          `config file ${display} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}`,
          undefined,
          'pass the path of a YAML file with --config',
        ),
      );
    }
    return ok(await readFile(file, 'utf8'));
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return err(
        diagnostic(
          'config-not-found',
          `config file ${display} does not exist`,
          undefined,
          display === file ? undefined : `looked for ${file}`,
        ),
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    return err(diagnostic('config-unreadable', `cannot read config file ${display}: ${reason}`));
  }
}
