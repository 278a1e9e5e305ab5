import { DEFAULT_SOURCE_AMI_FILTER } from '../../../src/config/normalise.js';
import type { BuildableAmiTarget } from '../../../src/config/types.js';

/** `targets.ami` as normalise() gives it for `{ region: eu-central-1 }`, with what a test changes on top. */
export const amiTarget = (overrides: Partial<BuildableAmiTarget> = {}): BuildableAmiTarget => ({
  region: 'eu-central-1',
  copyTo: [],
  instanceType: 't3.micro',
  sshUsername: 'ubuntu',
  sourceAmiFilter: DEFAULT_SOURCE_AMI_FILTER,
  subnetId: undefined,
  subnetTags: {},
  vpcTags: {},
  associatePublicIpAddress: undefined,
  encryptBoot: undefined,
  kmsKeyId: undefined,
  regionKmsKeyIds: {},
  tags: {},
  concurrency: 4,
  keep: 3,
  location: undefined,
  ...overrides,
});
