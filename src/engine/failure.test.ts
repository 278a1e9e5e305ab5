import { describe, expect, it } from 'vitest';
import { describeRunFailure, type RunFailure } from './failure.js';

/** Every reason, with the exact text a user reads (the switch is checked exhaustively by the compiler). */
const CASES: ReadonlyArray<readonly [RunFailure, string]> = [
  [{ reason: 'packer-unusable', message: '`packer` was not found on PATH.' }, '`packer` was not found on PATH.'],
  [
    { reason: 'packer-too-old', found: { major: 1, minor: 5, patch: 6 } },
    'Packer 1.5.6 is too old: build-images needs >= 1.6.0 (HCL2 templates).',
  ],
  [{ reason: 'target-unusable', target: 'docker', message: 'cannot reach the Docker engine' }, 'cannot reach the Docker engine'],
  [
    { reason: 'tfvars-damaged', path: 'terraform/docker/images.auto.tfvars.json', problem: 'not valid JSON: Unexpected end of JSON input' },
    'terraform/docker/images.auto.tfvars.json is not a variables file build-images wrote (not valid JSON: Unexpected end of JSON input): restore it from version control, or delete it to start afresh',
  ],
  [
    { reason: 'tfvars-unreadable', path: 'terraform/aws/images.auto.tfvars.json', message: 'EACCES: permission denied' },
    'terraform/aws/images.auto.tfvars.json cannot be read: EACCES: permission denied',
  ],
  [{ reason: 'reuse-lookup', target: 'ami', message: 'EC2 DescribeImages failed' }, 'EC2 DescribeImages failed'],
  [
    { reason: 'packer-init', template: 'packer/docker/base.pkr.hcl', message: 'no network' },
    'packer init failed for packer/docker/base.pkr.hcl: no network',
  ],
];

describe('describeRunFailure: one rendering per reason', () => {
  it.each(CASES)('%o', (failure, text) => {
    expect(describeRunFailure(failure)).toBe(text);
  });

  it('covers every reason', () => {
    const reasons = new Set(CASES.map(([f]) => f.reason));
    expect(reasons.size).toBe(7);
  });
});
