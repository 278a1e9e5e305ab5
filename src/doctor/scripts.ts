import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Config } from '../config/types.js';
import { fail, ok, warn, type CheckResult } from './check.js';

export interface ScriptFacts {
  /** Paths relative to the project root: provisioners/<name>.sh, then every file below provisioners/lib/. */
  readonly checked: readonly string[];
  readonly unreadable: readonly string[];
  /** Only the provisioners themselves: lib/ files are sourced, not run. */
  readonly notExecutable: readonly string[];
}

/** Packer uploads the scripts (and lib/) into the build container, so they must be readable by this user. */
export async function probeScripts(config: Config): Promise<ScriptFacts> {
  const scripts = [...new Set(config.images.flatMap((i) => i.provisioners))].map((p) => `provisioners/${p}.sh`);
  const libDir = join(config.root, 'provisioners', 'lib');
  const lib = await readdir(libDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const libFiles = lib
    .filter((e) => e.isFile())
    .map((e) => `provisioners/lib/${relative(libDir, join(e.parentPath, e.name))}`)
    .sort();
  const can = (path: string, mode: number): Promise<boolean> =>
    access(join(config.root, path), mode).then(
      () => true,
      () => false,
    );
  const unreadable: string[] = [];
  const notExecutable: string[] = [];
  for (const path of [...scripts, ...libFiles]) if (!(await can(path, constants.R_OK))) unreadable.push(path);
  for (const path of scripts) if (!(await can(path, constants.X_OK))) notExecutable.push(path);
  return { checked: [...scripts, ...libFiles], unreadable, notExecutable };
}

export function scriptsCheck(facts: ScriptFacts): CheckResult {
  const name = 'provisioner scripts';
  const notExec = facts.notExecutable.length > 0 ? `not executable: ${facts.notExecutable.join(', ')}` : '';
  if (facts.unreadable.length > 0) {
    const detail = [`not readable: ${facts.unreadable.join(', ')}`, notExec].filter((s) => s !== '').join('; ');
    return fail(name, detail, `chmod a+r ${facts.unreadable.join(' ')}`);
  }
  if (facts.notExecutable.length > 0) {
    return warn(
      name,
      `${notExec} (builds still run them: the template makes them executable inside the container; running them by hand does not)`,
      `chmod +x ${facts.notExecutable.join(' ')}`,
    );
  }
  const scripts = facts.checked.filter((p) => !p.startsWith('provisioners/lib/')).length;
  const lib = facts.checked.length - scripts;
  const libText = lib > 0 ? `, ${lib} file${lib === 1 ? '' : 's'} in provisioners/lib/ readable` : '';
  return ok(name, `${scripts} script${scripts === 1 ? '' : 's'} readable and executable${libText}`);
}
