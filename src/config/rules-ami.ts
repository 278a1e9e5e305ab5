import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { locate, type LocationMap } from './locations.js';
import { toPointer, type ValuePath } from './pointer.js';
import type { RawAmiTarget, RawConfig } from './raw.js';

/** AWS rejects tag keys longer than this. */
const TAG_KEY_MAX_LENGTH = 128;
/** Tag keys build-images writes itself (see targets/ami/tags.ts); users may not set them. */
export const TOOL_TAG_PREFIX = 'build-images:';

/**
 * Rules for `targets.ami` that the schema cannot express: the region settings must agree with each
 * other (Packer rejects the same mismatches, but only when a build starts and without a location),
 * and no value may reach Packer's Go template engine with `{{` in it.
 */
export function checkAmiRules(raw: RawConfig, locations: LocationMap): Diagnostic[] {
  const ami = raw.targets?.ami;
  if (ami === undefined) return [];
  const at = (...path: ValuePath) => locate(locations, toPointer(['targets', 'ami', ...path]));
  const keyAt = (...path: ValuePath) => locate(locations, toPointer(['targets', 'ami', ...path]), 'key');
  return [...checkRegions(ami, at, keyAt), ...checkNetwork(ami, keyAt), ...checkTags(ami, at, keyAt)];
}

type Locate = (...path: ValuePath) => ReturnType<typeof locate>;

function checkRegions(ami: RawAmiTarget, at: Locate, keyAt: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const copyTo = ami.copy_to ?? [];
  const keys = ami.region_kms_key_ids ?? {};
  copyTo.forEach((region, i) => {
    if (region === ami.region) {
      out.push(
        diagnostic(
          'ami-copy-to-build-region',
          `"targets.ami.copy_to" lists the build region ${JSON.stringify(region)}`,
          at('copy_to', i),
          'AMIs are made in "region" already; copy_to names the other regions to copy them to',
        ),
      );
    } else if (Object.keys(keys).length > 0 && !Object.hasOwn(keys, region)) {
      out.push(
        diagnostic(
          'ami-kms-region-missing',
          `copy_to region ${JSON.stringify(region)} has no key in "targets.ami.region_kms_key_ids"`,
          at('copy_to', i),
          'with region_kms_key_ids, every copy_to region needs its KMS key (Packer requires this)',
        ),
      );
    }
  });
  for (const region of Object.keys(keys)) {
    if (copyTo.includes(region) && region !== ami.region) continue;
    out.push(
      diagnostic(
        'ami-kms-region-not-copied',
        region === ami.region
          ? `"targets.ami.region_kms_key_ids" has a key for the build region ${JSON.stringify(region)}`
          : `"targets.ami.region_kms_key_ids" has a key for ${JSON.stringify(region)}, which is not in copy_to`,
        keyAt('region_kms_key_ids', region),
        region === ami.region
          ? 'the AMI in the build region is encrypted with kms_key_id; set that instead'
          : `add ${JSON.stringify(region)} to copy_to, or remove its key`,
      ),
    );
  }
  if (ami.encrypt_boot !== true) {
    const culprit = ami.kms_key_id !== undefined ? 'kms_key_id' : Object.keys(keys).length > 0 ? 'region_kms_key_ids' : undefined;
    if (culprit !== undefined) {
      out.push(
        diagnostic(
          'ami-kms-without-encryption',
          `"targets.ami.${culprit}" needs "encrypt_boot: true"`,
          keyAt(culprit),
          ami.encrypt_boot === false ? 'encrypt_boot is false, so no key would be used' : 'add "encrypt_boot: true" to targets.ami',
        ),
      );
    }
  }
  return out;
}

function checkNetwork(ami: RawAmiTarget, keyAt: Locate): Diagnostic[] {
  if (ami.subnet_id === undefined) {
    // Packer would create the security group in the filtered VPC but launch into the default subnet.
    if (ami.vpc_filter === undefined || ami.subnet_filter !== undefined) return [];
    return [
      diagnostic(
        'ami-vpc-filter-alone',
        '"targets.ami.vpc_filter" needs "subnet_filter" (or use "subnet_id")',
        keyAt('vpc_filter'),
        'vpc_filter only narrows the subnets subnet_filter chooses from; add subnet_filter with the tags of the build subnets',
      ),
    ];
  }
  return (['subnet_filter', 'vpc_filter'] as const)
    .filter((key) => ami[key] !== undefined)
    .map((key) =>
      diagnostic(
        'ami-subnet-conflict',
        `"targets.ami.${key}" cannot be used together with "subnet_id"`,
        keyAt(key),
        'subnet_id already decides where the build instances run: keep one of them',
      ),
    );
}

function checkTags(ami: RawAmiTarget, at: Locate, keyAt: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const maps: [ValuePath, Readonly<Record<string, string>> | undefined, boolean][] = [
    [['tags'], ami.tags, true],
    [['subnet_filter', 'tags'], ami.subnet_filter?.tags, false],
    [['vpc_filter', 'tags'], ami.vpc_filter?.tags, false],
  ];
  for (const [path, tags, ours] of maps) {
    const where = `"targets.ami.${path.join('.')}"`;
    for (const [key, value] of Object.entries(tags ?? {})) {
      if (ours && (key.startsWith('aws:') || key.startsWith(TOOL_TAG_PREFIX))) {
        out.push(
          diagnostic(
            'reserved-tag',
            `tag ${JSON.stringify(key)} in ${where} is reserved`,
            keyAt(...path, key),
            key.startsWith('aws:')
              ? 'AWS does not allow tag keys starting with "aws:"'
              : `build-images writes the "${TOOL_TAG_PREFIX}*" tags itself and finds its AMIs by them`,
          ),
        );
      } else if (key.length === 0 || key.length > TAG_KEY_MAX_LENGTH) {
        out.push(
          diagnostic(
            'invalid-tag-key',
            `tag key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key)} in ${where} must be 1 to ${TAG_KEY_MAX_LENGTH} characters long (it has ${key.length})`,
            keyAt(...path, key),
          ),
        );
      }
      // Packer renders tag keys and values (and filters) with its Go template engine: `{{` would run.
      for (const [text, loc] of [
        [key, keyAt(...path, key)],
        [value, at(...path, key)],
      ] as const) {
        if (!text.includes('{{')) continue;
        out.push(
          diagnostic(
            'packer-template-text',
            `${text === key ? 'tag key' : 'the value of tag'} ${JSON.stringify(key)} in ${where} contains "{{", which Packer would read as a template expression`,
            loc,
            'write the text without "{{"',
          ),
        );
      }
    }
  }
  return out;
}
