import { diagnostic } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import type { AmiSourceFilter, AmiTargetConfig, BuildableAmiTarget, Config, ImageConfig } from './types.js';
import { defineLocation, locate, writtenAs, type LocationMap } from './locations.js';
import { parseMaxAge, type MaxAge } from './max-age.js';
import { toPointer, type ValuePath } from './pointer.js';
import type { RawAmiTarget, RawConfig, RawVariableValue } from './raw.js';
import { err, ok, type Result } from '../result.js';

export const DEFAULT_BASE_IMAGE = 'ubuntu:22.04';
export const DEFAULT_REPOSITORY = 'build-images';
export const DEFAULT_TAG = 'latest';

export const DEFAULT_AMI_INSTANCE_TYPE = 't3.micro';
export const DEFAULT_AMI_SSH_USERNAME = 'ubuntu';
/** Canonical's (account 099720109477) Ubuntu 22.04 LTS server AMIs for amd64 on EBS SSDs; the newest one wins. */
export const DEFAULT_SOURCE_AMI_FILTER: AmiSourceFilter = {
  name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*',
  owners: ['099720109477'],
  virtualizationType: 'hvm',
  rootDeviceType: 'ebs',
};
/** AMI builds run on EC2 instances, so this machine's CPU count is no guide; AWS rate limits are. */
export const DEFAULT_AMI_CONCURRENCY = 4;
export const DEFAULT_AMI_KEEP = 3;

/** Raw → validated: defaults applied, variables as strings. Only for a RawConfig with no diagnostics. */
export function normalise(
  raw: RawConfig,
  locations: LocationMap,
  source: { readonly root: string; readonly files: readonly string[] },
): Config {
  const globals = stringify(raw.variables, ['variables'], locations);
  const docker = raw.targets?.docker ?? {};
  const maxAge = (text: string | undefined): MaxAge | undefined => (text === undefined ? undefined : parseMaxAge(text));
  const globalMaxAge = maxAge(raw.max_age);
  const images = Object.entries(raw.images).map(([name, image]): ImageConfig => {
    const image_ = {
      name,
      parent: image.parent,
      provisioners: [...image.provisioners],
      variables: { ...globals, ...stringify(image.variables, ['images', name, 'variables'], locations) },
      ...(image.docker === undefined
        ? {}
        : {
            docker: {
              ...(image.docker?.entrypoint ? { entrypoint: [...image.docker.entrypoint] } : {}),
              ...(image.docker?.cmd ? { cmd: [...image.docker.cmd] } : {}),
              ...(image.docker?.expose ? { expose: [...image.docker.expose] } : {}),
            },
          }),
      ...optional('maxAge', maxAge(image.max_age) ?? globalMaxAge),
    };
    return defineLocation(image_, () => {
      const location = locate(locations, toPointer(['images', name]), 'key');
      if (location === undefined) throw new Error(`internal error: no location for image "${name}"`);
      return location;
    });
  });
  return {
    root: source.root,
    files: [...source.files],
    version: 1,
    ...(raw.project === undefined
      ? {}
      : { project: defineLocation({ name: raw.project }, () => locate(locations, toPointer(['project']))) }),
    variables: globals,
    secrets: [...(raw.secrets ?? [])],
    ...optional('maxAge', globalMaxAge),
    targets: {
      docker: {
        baseImage: docker.base_image ?? DEFAULT_BASE_IMAGE,
        repository: docker.repository ?? DEFAULT_REPOSITORY,
        tag: docker.tag ?? DEFAULT_TAG,
        runArgs: [...(docker.run_args ?? [])],
        concurrency: docker.concurrency,
        ...(docker.registry === undefined ? {} : { registry: docker.registry }),
      },
      ...(raw.targets?.ami === undefined ? {} : { ami: normaliseAmi(raw.targets.ami, locations) }),
    },
    images,
  };
}

function normaliseAmi(ami: RawAmiTarget, locations: LocationMap): AmiTargetConfig {
  const filter = ami.source_ami_filter;
  const target = {
    region: ami.region,
    copyTo: [...(ami.copy_to ?? [])],
    instanceType: ami.instance_type ?? DEFAULT_AMI_INSTANCE_TYPE,
    sshUsername: ami.ssh_username ?? DEFAULT_AMI_SSH_USERNAME,
    sourceAmiFilter:
      filter === undefined
        ? DEFAULT_SOURCE_AMI_FILTER
        : {
            name: filter.name,
            owners: [...filter.owners],
            virtualizationType: filter.virtualization_type ?? DEFAULT_SOURCE_AMI_FILTER.virtualizationType,
            rootDeviceType: filter.root_device_type ?? DEFAULT_SOURCE_AMI_FILTER.rootDeviceType,
          },
    subnetId: ami.subnet_id,
    subnetTags: { ...ami.subnet_filter?.tags },
    vpcTags: { ...ami.vpc_filter?.tags },
    associatePublicIpAddress: ami.associate_public_ip_address,
    encryptBoot: ami.encrypt_boot,
    kmsKeyId: ami.kms_key_id,
    regionKmsKeyIds: { ...ami.region_kms_key_ids },
    tags: { ...ami.tags },
    concurrency: ami.concurrency ?? DEFAULT_AMI_CONCURRENCY,
    keep: ami.keep ?? DEFAULT_AMI_KEEP,
  };
  return defineLocation(target, () => locate(locations, toPointer(['targets', 'ami']), 'key'));
}

/**
 * What --target ami needs beyond a valid config: the build region. The schema cannot require it
 * (a Docker-only config has no reason to set it), so it is checked here, when the AMI target is chosen.
 */
export function amiTarget(config: Config): Result<BuildableAmiTarget, Diagnostic[]> {
  const ami = config.targets.ami;
  const example = 'targets:\n  ami:\n    region: eu-central-1';
  if (ami === undefined) {
    const file = config.files[0];
    return err([
      diagnostic(
        'missing-key',
        'missing "targets.ami": --target ami needs at least the AWS region to build in',
        file === undefined ? undefined : { file, line: 1, column: 1 },
        `add it to the config, e.g.\n${example}`,
      ),
    ]);
  }
  const region = ami.region;
  if (region === undefined) {
    return err([
      diagnostic(
        'missing-key',
        'missing "region" in "targets.ami": --target ami needs the AWS region to build in',
        ami.location,
        `for example:\n${example}`,
      ),
    ]);
  }
  return ok({ ...ami, region });
}

/** `{key: value}`, or nothing when value is undefined (exactOptionalPropertyTypes-friendly spreads). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** Numbers and booleans become the text the user wrote (`1.10` stays "1.10"). */
function stringify(
  variables: Readonly<Record<string, RawVariableValue>> | undefined,
  path: ValuePath,
  locations: LocationMap,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables ?? {}).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : (writtenAs(locations, toPointer([...path, name])) ?? String(value)),
    ]),
  );
}
