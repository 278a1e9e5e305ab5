import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** What the disk says about provisioners/<name>.sh. */
export type ScriptFact =
  | { readonly kind: 'ok' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-a-file' }
  | { readonly kind: 'outside'; readonly realPath: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Everything the provisioner rules need from the disk, gathered up front so the rules stay pure. */
export interface ProvisionerFacts {
  /** Names of the scripts in provisioners/ (without ".sh"), sorted; undefined when there is no such directory. */
  readonly available: readonly string[] | undefined;
  readonly scripts: ReadonlyMap<string, ScriptFact>;
}

export async function inspectProvisioners(root: string, names: Iterable<string>): Promise<ProvisionerFacts> {
  const dir = path.join(root, 'provisioners');
  const available = await listScripts(dir);
  const realDir = available === undefined ? undefined : await realpath(dir).catch(() => undefined);
  const scripts = new Map<string, ScriptFact>();
  for (const name of new Set(names)) {
    scripts.set(name, await inspectScript(path.join(dir, `${name}.sh`), realDir));
  }
  return { available, scripts };
}

async function listScripts(dir: string): Promise<string[] | undefined> {
  try {
    const entries = await readdir(dir);
    return entries
      .filter((e) => e.endsWith('.sh') && e.length > 3)
      .map((e) => e.slice(0, -3))
      .sort();
  } catch {
    return undefined;
  }
}

async function inspectScript(file: string, realDir: string | undefined): Promise<ScriptFact> {
  if (realDir === undefined) return { kind: 'missing' };
  try {
    const real = await realpath(file);
    if (!real.startsWith(realDir + path.sep)) return { kind: 'outside', realPath: real };
    return (await stat(real)).isFile() ? { kind: 'ok' } : { kind: 'not-a-file' };
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    // A dangling symlink is as missing as no file at all.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
}
