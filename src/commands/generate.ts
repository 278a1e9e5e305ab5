import type { Config } from '../config/types.js';
import { checkGenerated, hasProvisionerLib, writeGenerated } from '../engine/generate.js';
import type { TargetDefinition } from '../targets/target.js';
import { detectPacker } from '../engine/prepare.js';
import { buildTree } from '../graph/tree.js';
import type { Packer } from '../packer/run.js';
import { formatVersion, parsePackerVersion, type PackerVersion } from '../packer/version.js';
import { describeRunFailure } from '../engine/failure.js';
import { EXIT } from './exit-codes.js';

export interface GenerateOptions {
  readonly definition: TargetDefinition;
  readonly packer: Packer;
  readonly check: boolean;
  /** Render for this version instead of asking the installed Packer. */
  readonly packerVersion: string | undefined;
}

export async function runGenerateCommand(config: Config, options: GenerateOptions): Promise<number> {
  let version: PackerVersion;
  if (options.packerVersion !== undefined) {
    const parsed = parsePackerVersion(options.packerVersion);
    if (!parsed) {
      process.stderr.write(`error: --packer-version ${JSON.stringify(options.packerVersion)} is not a version like 1.6.6\n`);
      return EXIT.badInput;
    }
    version = parsed;
  } else {
    const detected = await detectPacker(options.packer);
    if (!detected.ok) {
      process.stderr.write(
        `error: ${describeRunFailure(detected.error)}\n  hint: or pass --packer-version to render for a given Packer version\n`,
      );
      return EXIT.buildFailed;
    }
    version = detected.value;
  }
  const { dir, render } = options.definition.templates;
  const files = render(buildTree(config.images), version, await hasProvisionerLib(config.root));
  if (options.check) {
    const problems = await checkGenerated(config.root, dir, files);
    if (problems.length === 0) {
      process.stdout.write(`${files.length} templates in ${dir}/ are up to date (Packer ${formatVersion(version)}).\n`);
      return EXIT.ok;
    }
    process.stderr.write(
      `${problems.join('\n')}\n\nTemplates are stale: run \`build-images generate --target ${options.definition.name}\` and commit the result.\n`,
    );
    return EXIT.buildFailed;
  }
  const summary = await writeGenerated(config.root, dir, files);
  // One write, not one per file: each write to a socket costs a kernel buffer (see src/flush-exit.ts).
  const lines = [...summary.written.map((path) => `wrote   ${path}`), ...summary.removed.map((path) => `removed ${path}`)];
  lines.push(
    `${summary.unchanged.length} unchanged, ${summary.written.length} written, ${summary.removed.length} removed (Packer ${formatVersion(version)} rendering).`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
