import type { ErrorObject } from 'ajv';
import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { describeContainer, describeKind, describePath, show } from './describe.js';
import { locate, type LocationMap } from './locations.js';
import {
  IMAGE_NAME,
  IMAGE_NAME_MAX_LENGTH,
  IMAGE_NAME_RULE,
  imageNameFor,
  looksLikePath,
  PROVISIONER_NAME,
  PROVISIONER_NAME_RULE,
  VARIABLE_NAME_RULE,
  variableNameFor,
} from './names.js';
import { MINIMAL_CONFIG } from './parse-yaml.js';
import { childPointer, fromPointer } from './pointer.js';
import { unknownNameHint } from './suggest.js';

const MAX_AGE_EXPECTED = 'an age: a whole number from 1 and a unit, s, m, h or d (like "45s", "90m", "12h", "30d")';

/** What the value at a path should be, in words; `*` matches any one key or index. */
const EXPECTED: readonly (readonly [pattern: string, expected: string])[] = [
  ['version', 'the number 1'],
  [
    'project',
    'a project name: letters, digits, ".", "_", "-" and "/", starting with a letter or digit, at most 128 characters, like "acme/cortex-images"',
  ],
  ['variables', 'a map of variable names to values'],
  ['variables/*', 'a string, number or true/false'],
  ['secrets', 'a list of environment variable names'],
  ['secrets/*', 'an environment variable name: a letter or "_", then letters, digits and "_"'],
  ['max_age', MAX_AGE_EXPECTED],
  ['images/*/max_age', MAX_AGE_EXPECTED],
  ['images/*/docker', 'a map of Docker runtime settings (entrypoint, cmd, expose)'],
  ['images/*/docker/entrypoint', 'a list of strings (exec form)'],
  ['images/*/docker/cmd', 'a list of strings (exec form)'],
  ['images/*/docker/entrypoint/*', 'a string'],
  ['images/*/docker/cmd/*', 'a string'],
  ['images/*/docker/expose', 'a list of distinct ports like "9009/tcp"'],
  ['images/*/docker/expose/*', 'a port like "9009", "9009/tcp" or "8301/udp"'],
  ['targets', 'a map of build targets'],
  ['targets/docker', 'a map of Docker settings'],
  ['targets/docker/base_image', 'a Docker image reference without spaces, like "ubuntu:22.04"'],
  ['targets/docker/repository', 'a Docker repository name like "cortex" or "registry.example.com:5000/team" (lower-case, no tag)'],
  ['targets/docker/tag', 'a Docker tag: letters, digits, "_", "." and "-", not starting with "." or "-", at most 128 characters'],
  ['targets/docker/run_args', 'a list of strings'],
  ['targets/docker/run_args/*', 'a string'],
  ['targets/docker/concurrency', 'a whole number of at least 1'],
  ['targets/docker/registry', 'a registry and repository path like "ghcr.io/acme/cortex" or "127.0.0.1:5000/cortex" (no scheme, no tag)'],
  ['targets/ami', 'a map of AMI settings'],
  ['targets/ami/region', 'an AWS region like "eu-central-1"'],
  ['targets/ami/copy_to', 'a list of distinct AWS regions'],
  ['targets/ami/copy_to/*', 'an AWS region like "us-east-1"'],
  ['targets/ami/instance_type', 'an EC2 instance type like "t3.micro"'],
  ['targets/ami/ssh_username', 'a Linux user name like "ubuntu"'],
  ['targets/ami/source_ami_filter', 'a map with "name" and "owners", and optionally "virtualization_type" and "root_device_type"'],
  ['targets/ami/source_ami_filter/name', `an AMI name: letters, digits, spaces and ( ) [ ] . / ' @ _ -, with * and ? as wildcards`],
  ['targets/ami/source_ami_filter/owners', 'a list of AWS account IDs'],
  ['targets/ami/source_ami_filter/owners/*', 'a 12-digit AWS account ID, or "amazon", "aws-marketplace" or "self"'],
  ['targets/ami/source_ami_filter/virtualization_type', '"hvm" or "paravirtual"'],
  ['targets/ami/source_ami_filter/root_device_type', '"ebs" or "instance-store"'],
  ['targets/ami/subnet_id', 'a subnet ID like "subnet-0123456789abcdef0"'],
  ['targets/ami/subnet_filter', 'a map with "tags"'],
  ['targets/ami/subnet_filter/tags', 'a map of tag keys to values'],
  ['targets/ami/subnet_filter/tags/*', 'a tag value: text of at most 256 characters'],
  ['targets/ami/vpc_filter', 'a map with "tags"'],
  ['targets/ami/vpc_filter/tags', 'a map of tag keys to values'],
  ['targets/ami/vpc_filter/tags/*', 'a tag value: text of at most 256 characters'],
  ['targets/ami/associate_public_ip_address', 'true or false'],
  ['targets/ami/encrypt_boot', 'true or false'],
  ['targets/ami/kms_key_id', 'a KMS key ID, key ARN or "alias/<name>"'],
  ['targets/ami/region_kms_key_ids', 'a map of AWS regions to KMS keys'],
  ['targets/ami/region_kms_key_ids/*', 'a KMS key ID, key ARN or "alias/<name>"'],
  ['targets/ami/tags', 'a map of tag keys to values'],
  ['targets/ami/tags/*', 'a tag value: text of at most 256 characters'],
  ['targets/ami/concurrency', 'a whole number of at least 1'],
  ['targets/ami/keep', 'a whole number of at least 1'],
  ['images', 'a map of image names to images'],
  ['images/*', 'a map with "provisioners" and optionally "parent" and "variables"'],
  ['images/*/parent', 'the name of another image'],
  ['images/*/provisioners', 'a list of provisioner names'],
  ['images/*/provisioners/*', 'a provisioner name'],
  ['images/*/variables', 'a map of variable names to values'],
  ['images/*/variables/*', 'a string, number or true/false'],
];

export function expectedAt(path: readonly string[]): string | undefined {
  const matches = ([pattern]: readonly [string, string]): boolean => {
    const parts = pattern.split('/');
    return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
  };
  return EXPECTED.find(matches)?.[1];
}

/** What to add when a required key is missing, by the key's name. */
const MISSING_HINTS: Readonly<Record<string, string>> = {
  version: 'add "version: 1" at the top of the file',
  images: `define at least one image, e.g.\n${MINIMAL_CONFIG}`,
  provisioners: 'list the provisioners/<name>.sh scripts to run, e.g. provisioners: [base]',
  owners: 'list the AWS accounts whose AMIs may be used, e.g. owners: ["099720109477"] (Canonical)',
  name: 'give the AMI name to match, e.g. name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"',
};

/**
 * Ajv's messages ("must NOT have additional properties") in the user's terms, each at the
 * location of the offending key or value. One diagnostic per problem: the inner errors
 * of a propertyNames check are dropped in favour of the check's own error.
 */
export function translateSchemaErrors(errors: readonly ErrorObject[], locations: LocationMap): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of errors) {
    if (error.schemaPath.includes('/propertyNames/')) continue;
    const d = translate(error, locations);
    const key = JSON.stringify(d);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function translate(error: ErrorObject, locations: LocationMap): Diagnostic {
  const pointer = error.instancePath;
  const path = fromPointer(pointer);
  const at = locate(locations, pointer);
  const subject = describePath(path);
  const params = error.params as Record<string, unknown>;
  const data: unknown = error.data;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const properties = (error.parentSchema?.['properties'] ?? {}) as Record<string, unknown>;
      return diagnostic(
        'unknown-key',
        `unknown key ${JSON.stringify(key)} ${describeContainer(path)}`,
        locate(locations, childPointer(pointer, key), 'key'),
        unknownNameHint(key, Object.keys(properties), 'keys'),
      );
    }
    case 'required': {
      const key = String(params['missingProperty']);
      return diagnostic(
        'missing-key',
        `missing ${JSON.stringify(key)} ${describeContainer(path)}`,
        locate(locations, pointer, 'key'),
        MISSING_HINTS[key],
      );
    }
    case 'const':
      return diagnostic(
        'unsupported-version',
        `unsupported config version ${show(data)}; this build-images supports version 1`,
        at,
        'set "version: 1"',
      );
    case 'type':
      return diagnostic(
        'wrong-type',
        `${subject} must be ${expectedAt(path) ?? String(params['type'])}, got ${describeKind(data)}`,
        at,
        typeHint(path, data),
      );
    case 'propertyNames':
      return nameError(path, String(params['propertyName']), locations, pointer);
    case 'minProperties':
      return diagnostic('no-images', `${subject} is empty: define at least one image`, at, `for example:\n${MINIMAL_CONFIG}`);
    case 'minItems':
      if (path.at(-1) !== 'provisioners') {
        return diagnostic('empty-list', `${subject} is empty: it must be ${expectedAt(path) ?? 'a list'} with at least one item`, at);
      }
      return diagnostic('no-provisioners', `${describePath(path.slice(0, -1))} has no provisioners`, at, MISSING_HINTS['provisioners']);
    case 'not':
      return diagnostic(
        'run-args-template',
        `${subject} contains "{{", which Packer would read as a template expression: ${show(data)}`,
        at,
        'pass the value some other way, e.g. in an environment variable',
      );
    case 'pattern':
      if (path[0] === 'images' && path[2] === 'provisioners') {
        return provisionerNameError(path, String(data), at);
      }
  }
  const expected = expectedAt(path);
  return diagnostic(
    'invalid-value',
    expected === undefined
      ? `${subject} is invalid: ${error.message ?? error.keyword}`
      : `${subject} must be ${expected}, got ${show(data)}`,
    at,
  );
}

function typeHint(path: readonly string[], data: unknown): string | undefined {
  const key = path.at(-1) ?? '';
  const expected = expectedAt(path) ?? '';
  if (expected.startsWith('a list') && (typeof data === 'string' || typeof data === 'number')) {
    return `for a list of one, write ${key}: [${String(data)}]`;
  }
  if (key === 'max_age' && typeof data === 'number') return `add a unit: s, m, h or d, e.g. max_age: ${data}d`;
  if (expected.startsWith('a string, number') && (data === null || data === undefined)) {
    return `for an empty value, write ${key}: ""`;
  }
  return undefined;
}

function nameError(path: readonly string[], name: string, locations: LocationMap, pointer: string): ReturnType<typeof diagnostic> {
  const at = locate(locations, childPointer(pointer, name), 'key');
  if (path.length === 1 && path[0] === 'images') {
    const length = name.length > IMAGE_NAME_MAX_LENGTH ? ` (it has ${name.length} characters)` : '';
    const suggestion = IMAGE_NAME.test(name) ? undefined : imageNameFor(name);
    return diagnostic(
      'invalid-image-name',
      `invalid image name ${show(name)}${length}: ${IMAGE_NAME_RULE}`,
      at,
      (suggestion === undefined ? '' : `try ${JSON.stringify(suggestion)}; `) +
        'image names are also Docker repository names, AMI names and Packer labels',
    );
  }
  const suggestion = variableNameFor(name);
  return diagnostic(
    'invalid-variable-name',
    `invalid variable name ${show(name)} ${describeContainer(path)}: ${VARIABLE_NAME_RULE}`,
    at,
    suggestion === undefined ? undefined : `try ${JSON.stringify(suggestion)}`,
  );
}

function provisionerNameError(path: readonly string[], name: string, at: ReturnType<typeof locate>): ReturnType<typeof diagnostic> {
  const image = describePath(path.slice(0, 2));
  if (looksLikePath(name)) {
    const file = name.split(/[\\/]/).at(-1)?.replace(/\.sh$/, '') ?? '';
    return diagnostic(
      'provisioner-path',
      `provisioner ${show(name)} of ${image} is a path: provisioner names are file names in provisioners/, not paths`,
      at,
      PROVISIONER_NAME.test(file)
        ? `put the script at provisioners/${file}.sh and write ${JSON.stringify(file)}`
        : 'put the script in provisioners/ and write its name without ".sh"',
    );
  }
  return diagnostic('invalid-provisioner-name', `invalid provisioner name ${show(name)} in ${image}: ${PROVISIONER_NAME_RULE}`, at);
}
