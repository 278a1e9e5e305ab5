import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { atLeast, formatVersion, MINIMUM_PACKER, parsePackerVersion, usesPlugins, type PackerVersion } from '../packer/version.js';
import { fail, ok, warn, type CheckResult } from './check.js';

/** What `packer version` said: the facts the Packer checks judge. */
export type PackerFacts =
  | { readonly kind: 'missing' }
  | { readonly kind: 'broken'; readonly path: string; readonly message: string }
  | { readonly kind: 'found'; readonly path: string; readonly version: PackerVersion };

/** What `packer plugins installed` said (Packer >= 1.7 only). */
export type PluginFacts =
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'listed'; readonly binaries: readonly string[] }
  | { readonly kind: 'error'; readonly message: string };

export const DOCKER_PLUGIN = 'github.com/hashicorp/docker';
const INSTALL =
  'install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer; elsewhere see https://developer.hashicorp.com/packer/install)';
const env = { CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1' };

export function packerCheck(facts: PackerFacts): CheckResult {
  switch (facts.kind) {
    case 'missing':
      return fail('packer', 'not found on PATH', INSTALL);
    case 'broken':
      return fail('packer', `${facts.path} did not report a version: ${facts.message}`, INSTALL);
    case 'found':
      if (!atLeast(facts.version, MINIMUM_PACKER.major, MINIMUM_PACKER.minor)) {
        return fail(
          'packer',
          `Packer ${formatVersion(facts.version)} at ${facts.path} is too old: build-images needs >= ${formatVersion(MINIMUM_PACKER)} (HCL2 templates)`,
          INSTALL,
        );
      }
      return ok('packer', `Packer ${formatVersion(facts.version)} at ${facts.path}`);
  }
}

/** The Docker builder: built into Packer 1.6; a plugin that `packer init` installs from 1.7 on. */
export function dockerPluginCheck(version: PackerVersion, plugins: PluginFacts | undefined): CheckResult {
  const name = 'packer docker plugin';
  if (!usesPlugins(version) || plugins === undefined)
    return ok(name, `built into Packer ${formatVersion(version)} (plugins start with 1.7)`);
  const byInit = `the build runs \`packer init\`, which downloads ${DOCKER_PLUGIN} (needs github.com); or install it now with \`packer plugins install ${DOCKER_PLUGIN}\``;
  switch (plugins.kind) {
    case 'unsupported':
      return warn(name, `cannot tell: Packer ${formatVersion(version)} has no \`packer plugins installed\``, byInit);
    case 'error':
      return warn(name, `\`packer plugins installed\` failed: ${plugins.message}`, byInit);
    case 'listed': {
      const found = plugins.binaries.filter((b) => b.split('\\').join('/').includes(`/${DOCKER_PLUGIN}/`));
      if (found.length === 0) return warn(name, `${DOCKER_PLUGIN} is not installed`, byInit);
      const versions = found.map((b) => /_v(\d+\.\d+\.\d+[^_]*)_/.exec(b)?.[1]).filter((v): v is string => v !== undefined);
      return ok(name, [DOCKER_PLUGIN, versions.map((v) => `v${v}`).join(', '), 'installed'].filter((part) => part !== '').join(' '));
    }
  }
}

/** Runs `packer version`; the executable is looked up on PATH like the build does. */
export async function probePacker(executable = 'packer', path = process.env.PATH ?? ''): Promise<PackerFacts> {
  const where = (await findOnPath(executable, path)) ?? executable;
  // execa loads when a probe runs: the Docker target imports this module for every command.
  const { execa, ExecaError } = await import('execa');
  try {
    const { stdout } = await execa(executable, ['version'], { env, timeout: 30_000 });
    const version = parsePackerVersion(stdout);
    return version
      ? { kind: 'found', path: where, version }
      : { kind: 'broken', path: where, message: `unexpected output ${JSON.stringify(stdout.trim())}` };
  } catch (e: unknown) {
    if (e instanceof ExecaError && e.code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'broken', path: where, message: e instanceof ExecaError ? e.shortMessage : String(e) };
  }
}

/** Runs `packer plugins installed`. Older Packers answer an unknown command with their usage text and exit 127. */
export async function probePlugins(executable = 'packer'): Promise<PluginFacts> {
  const { execa } = await import('execa');
  const run = await execa(executable, ['plugins', 'installed'], { env, timeout: 30_000, reject: false, all: true });
  const output = String(run.all ?? '').trim();
  if (run.exitCode === 0)
    return {
      kind: 'listed',
      binaries: output
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    };
  if (run.exitCode === 127 || output.startsWith('Usage: packer [--version]')) return { kind: 'unsupported' };
  return { kind: 'error', message: output.split('\n')[0] || `exit code ${run.exitCode ?? 'unknown'}` };
}

async function findOnPath(executable: string, path: string): Promise<string | undefined> {
  if (executable.includes('/')) return executable;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, executable);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}
