/**
 * Name rules shared by the JSON schema (which must carry the same patterns, see
 * schema.test.ts) and the semantic rules.
 */

/** Safe at once as a Docker repository path component, an AMI name part and an HCL label. */
export const IMAGE_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
export const IMAGE_NAME_MAX_LENGTH = 63;
export const IMAGE_NAME_RULE =
  'image names start with a lower-case letter and use only a-z, 0-9 and single "-" or "_" ' + 'between them, at most 63 characters';

/** An AWS region name, e.g. "eu-central-1", "us-gov-west-1" (schema: targets.ami.region and copy_to). */
export const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const VARIABLE_NAME_RULE = 'variable names are environment variable names: letters, digits and "_", not starting with a digit';

/** A file name in provisioners/ without ".sh"; ".." is excluded so a name can never climb out. */
export const PROVISIONER_NAME = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const PROVISIONER_NAME_RULE = 'provisioner names start with a letter or digit and use only letters, digits, ".", "_" and "-"';

export function isProvisionerName(name: string): boolean {
  return PROVISIONER_NAME.test(name);
}

/** True for names that look like a path rather than a file name. */
export function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes('\\') || name.includes('..');
}

/** A valid image name close to `name`, to offer in a hint; undefined when none is obvious. */
export function imageNameFor(name: string): string | undefined {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/([-_])[-_]+/g, '$1')
    .replace(/^[^a-z]+/, '')
    .replace(/[-_]+$/, '')
    .slice(0, IMAGE_NAME_MAX_LENGTH)
    .replace(/[-_]+$/, '');
  return IMAGE_NAME.test(candidate) && candidate !== name ? candidate : undefined;
}

export function variableNameFor(name: string): string | undefined {
  const candidate = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  return VARIABLE_NAME.test(candidate) && candidate !== name ? candidate : undefined;
}
