import { constants } from 'node:fs';
import { access, lstat, readdir, realpath, stat } from 'node:fs/promises';
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
  /** Entries of provisioners/lib/ that cannot be uploaded as they are (project-relative path and why). */
  readonly lib: readonly { readonly path: string; readonly problem: 'symlink' | 'not-a-file' | 'unreadable'; readonly reason?: string }[];
}

export async function inspectProvisioners(root: string, names: Iterable<string>): Promise<ProvisionerFacts> {
  const dir = path.join(root, 'provisioners');
  const available = await listScripts(dir);
  const realDir = available === undefined ? undefined : await realpath(dir).catch(() => undefined);
  const scripts = new Map<string, ScriptFact>();
  for (const name of new Set(names)) {
    scripts.set(name, await inspectScript(path.join(dir, `${name}.sh`), realDir));
  }
  return { available, scripts, lib: await inspectLib(root) };
}

/**
 * provisioners/lib/ is uploaded whole by Packer's file provisioner and hashed into every fingerprint. A
 * symlink would be uploaded as a link (dangling inside the image, or pointing anywhere) and is not hashed;
 * a FIFO or socket would hang or break the upload; an unreadable file fails it. So only directories and
 * readable regular files may be there. (lstat, not stat: the link itself is what matters.)
 */
async function inspectLib(root: string): Promise<ProvisionerFacts['lib']> {
  const out: ProvisionerFacts['lib'][number][] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries.sort()) {
      const file = path.join(dir, name);
      const shown = path.relative(root, file).split(path.sep).join('/');
      const info = await lstat(file);
      if (info.isSymbolicLink()) out.push({ path: shown, problem: 'symlink' });
      else if (info.isDirectory()) await walk(file);
      else if (!info.isFile()) out.push({ path: shown, problem: 'not-a-file' });
      else {
        const reason = await unreadable(file);
        if (reason !== undefined) out.push({ path: shown, problem: 'unreadable', reason });
      }
    }
  };
  await walk(path.join(root, 'provisioners', 'lib'));
  return out;
}

/** Why this user cannot read the file, or undefined. stat succeeds on a mode-000 file; only access (or open) tells. */
async function unreadable(file: string): Promise<string | undefined> {
  try {
    await access(file, constants.R_OK);
    return undefined;
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
  }
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
    if (!(await stat(real)).isFile()) return { kind: 'not-a-file' };
    const reason = await unreadable(real);
    return reason === undefined ? { kind: 'ok' } : { kind: 'unreadable', reason };
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    // A dangling symlink is as missing as no file at all.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
}
