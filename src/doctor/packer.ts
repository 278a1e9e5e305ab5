// Pure: judges what the Packer adapter (src/packer/run.ts, `PackerProbe`), the one place that runs Packer, found.
import type { PackerFacts, PluginFacts } from '../packer/run.js';
import { atLeast, formatVersion, MINIMUM_PACKER, usesPlugins, type PackerVersion } from '../packer/version.js';
import { fail, ok, warn, type CheckResult } from './check.js';

export const DOCKER_PLUGIN = 'github.com/hashicorp/docker';
const INSTALL =
  'install Packer >= 1.6 (Debian/Ubuntu: apt-get install packer; elsewhere see https://developer.hashicorp.com/packer/install)';

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
