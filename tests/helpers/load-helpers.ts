import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatDiagnostics } from '../../src/config/format.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { tempDir, type Entry } from './temp-dir.js';

/** Scripts for the images of the example config. */
const SCRIPT_NAMES = ['base', 'node-exporter', 'consul', 'consul-server', 'cortex', 'nginx', 'nginxlog-exporter'];
export const SCRIPTS: Readonly<Record<string, Entry>> = Object.fromEntries(
  [...SCRIPT_NAMES, 'prometheus', 'grafana'].map((name) => [`provisioners/${name}.sh`, '#!/bin/sh\n']),
);

export interface Loaded {
  readonly dir: string;
  readonly result: Awaited<ReturnType<typeof loadConfig>>;
}

/** Writes `files` (plus SCRIPTS unless told otherwise) to a temp dir and loads `configs` from there. */
export async function load(
  files: Readonly<Record<string, Entry>>,
  configs: readonly string[] = ['images.yaml'],
  opts: { scripts?: boolean; cwd?: string } = {},
): Promise<Loaded> {
  const dir = await tempDir({ ...(opts.scripts === false ? {} : SCRIPTS), ...files });
  const result = await loadConfig(configs, { cwd: path.join(dir, opts.cwd ?? '.') });
  return { dir, result };
}

/** The text a user sees for a config that must fail to load; the temp dir shows as <tmp>. */
export async function problems(
  files: Readonly<Record<string, Entry>>,
  configs?: readonly string[],
  opts?: { scripts?: boolean; cwd?: string },
): Promise<string> {
  const { dir, result } = await load(files, configs, opts);
  if (result.ok) throw new Error('expected the config to be rejected, but it loaded');
  const cwd = path.join(dir, opts?.cwd ?? '.');
  const text = formatDiagnostics(result.error, (file) => {
    try {
      return readFileSync(path.resolve(cwd, file), 'utf8');
    } catch {
      return undefined;
    }
  });
  return text.replaceAll(dir, '<tmp>');
}

/** The config of files that must load. */
export async function loaded(
  files: Readonly<Record<string, Entry>>,
  configs?: readonly string[],
  opts?: { scripts?: boolean; cwd?: string },
): Promise<{ dir: string; config: Config }> {
  const { dir, result } = await load(files, configs, opts);
  if (!result.ok) throw new Error(`expected the config to load, got:\n${JSON.stringify(result.error, null, 2)}`);
  return { dir, config: result.value };
}

/** The codes of a config that must fail, for tests about which checks ran. */
export async function codes(files: Readonly<Record<string, Entry>>, configs?: readonly string[]): Promise<string[]> {
  const { result } = await load(files, configs);
  if (result.ok) throw new Error('expected the config to be rejected, but it loaded');
  return result.error.map((d) => d.code);
}
