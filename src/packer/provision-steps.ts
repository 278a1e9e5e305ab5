import { hclString } from './hcl.js';

/** Directory inside the build container or instance for the uploaded environment and script library. */
export const WORKDIR = '/tmp/build-images';

/** A path from a template's directory (packer/<target>/) back to the project root: an HCL expression prefix and an escaped literal. */
export const fromTemplate = (path: string): string => `"\${path.root}/../../${hclString(path).slice(1)}`;

/** A provisioner script's path expression; a large tree shares a few scripts, so each is rendered once. */
const scriptPaths = new Map<string, string>();
const scriptPath = (name: string): string => {
  let path = scriptPaths.get(name);
  if (path === undefined) scriptPaths.set(name, (path = fromTemplate(`provisioners/${name}.sh`)));
  return path;
};

export interface ProvisionSteps {
  /** Shell commands run first (making WORKDIR, waiting for cloud-init...). */
  readonly prepare: readonly string[];
  readonly uploadLib: boolean;
  readonly provisioners: readonly string[];
  /**
   * Packer's execute_command for the scripts. The environment is sourced from the uploaded file, never
   * passed as environment_vars: Packer runs those through its Go template engine, which would rewrite
   * values containing `{{`.
   */
  readonly executeCommand: string;
  /** The command that removes WORKDIR, so nothing of the build environment stays in the image. */
  readonly cleanup: string;
}

/** The provisioner blocks both targets share: prepare, upload the env file (and lib/), run the scripts, clean up. */
export function renderProvisionSteps(steps: ProvisionSteps): string[] {
  const lines: string[] = [];
  const shell = (attribute: string): void => {
    lines.push('  provisioner "shell" {', `    ${attribute}`, '  }', '');
  };
  const upload = (source: string, destination: string): void => {
    lines.push('  provisioner "file" {', `    source      = ${source}`, `    destination = ${hclString(destination)}`, '  }', '');
  };
  shell(`inline = [${steps.prepare.map(hclString).join(', ')}]`);
  upload('var.env_file', `${WORKDIR}/env.sh`);
  if (steps.uploadLib) upload(fromTemplate('provisioners/lib/'), `${WORKDIR}/lib`);
  if (steps.provisioners.length > 0) {
    lines.push('  provisioner "shell" {');
    lines.push(`    scripts = [${steps.provisioners.map(scriptPath).join(', ')}]`);
    lines.push(`    execute_command = ${hclString(steps.executeCommand)}`);
    lines.push('  }', '');
  }
  shell(`inline = [${hclString(steps.cleanup)}]`);
  return lines;
}
