import { describe, expect, it } from 'vitest';
import { ArtifactCollector, parseMachineLine } from '../../packer/machine-readable.js';
import { amisFromArtifacts, buildInstanceId, parseAmiArtifactId } from './artifacts.js';

describe('parseAmiArtifactId', () => {
  it.each([
    ['eu-central-1:ami-0123456789abcdef0', { 'eu-central-1': 'ami-0123456789abcdef0' }],
    ['eu-central-1:ami-0123456789abcdef0,us-east-1:ami-12345678', { 'eu-central-1': 'ami-0123456789abcdef0', 'us-east-1': 'ami-12345678' }],
    ['us-gov-west-1:ami-abcdef01', { 'us-gov-west-1': 'ami-abcdef01' }],
  ])('%s', (id, amis) => {
    expect(parseAmiArtifactId(id)).toEqual({ ok: true, value: amis });
  });

  it.each([
    ['', 'the artifact id is empty'],
    ['ami-12345678', '"ami-12345678" is not "<region>:ami-<id>" in artifact id "ami-12345678"'],
    ['eu-central-1:ami-1234', '"eu-central-1:ami-1234" is not "<region>:ami-<id>" in artifact id "eu-central-1:ami-1234"'],
    ['eu-central-1:ami-12345678,', '"" is not "<region>:ami-<id>" in artifact id "eu-central-1:ami-12345678,"'],
    ['eu-central-1:ami-12345678%!(PACKER_COMMA)us-east-1:ami-12345679', expect.stringContaining('is not "<region>:ami-<id>"')],
    [
      'eu-central-1:ami-12345678,eu-central-1:ami-12345679',
      'region eu-central-1 appears twice in artifact id "eu-central-1:ami-12345678,eu-central-1:ami-12345679"',
    ],
    ['EU-central-1:ami-12345678', expect.stringContaining('is not "<region>:ami-<id>"')],
    ['eu-central-1:AMI-12345678', expect.stringContaining('is not "<region>:ami-<id>"')],
  ])('refuses %j', (id, message) => {
    expect(parseAmiArtifactId(id)).toEqual({ ok: false, error: message });
  });
});

describe('amisFromArtifacts', () => {
  it('reads the amazon-ebs artifact of real machine-readable lines (commas escaped as %!(PACKER_COMMA))', () => {
    const collector = new ArtifactCollector();
    for (const line of [
      '1795299131,amazon-ebs.base,artifact-count,1',
      '1795299131,amazon-ebs.base,artifact,0,builder-id,mitchellh.amazonebs',
      '1795299131,amazon-ebs.base,artifact,0,id,eu-central-1:ami-0a1b2c3d4e5f60718%!(PACKER_COMMA)us-east-1:ami-0b1c2d3e4f5061728',
      '1795299131,amazon-ebs.base,artifact,0,string,AMIs were created:\\neu-central-1: ami-0a1b2c3d4e5f60718\\nus-east-1: ami-0b1c2d3e4f5061728\\n',
      '1795299131,amazon-ebs.base,artifact,0,files-count,0',
      '1795299131,amazon-ebs.base,artifact,0,end',
    ]) {
      collector.add(parseMachineLine(line)!);
    }
    expect(amisFromArtifacts(collector.artifacts('amazon-ebs.base'))).toEqual({
      ok: true,
      value: { 'eu-central-1': 'ami-0a1b2c3d4e5f60718', 'us-east-1': 'ami-0b1c2d3e4f5061728' },
    });
  });

  it('says what Packer reported when there is no amazon-ebs artifact', () => {
    expect(amisFromArtifacts([])).toEqual({ ok: false, error: 'packer finished but reported no amazon-ebs artifact (artifacts: none)' });
    expect(amisFromArtifacts([{ index: 0, builderId: 'packer.post-processor.manifest', id: '', description: '' }])).toEqual({
      ok: false,
      error: 'packer finished but reported no amazon-ebs artifact (artifacts: packer.post-processor.manifest=)',
    });
  });
});

describe('buildInstanceId', () => {
  it("finds the build instance in Packer's message", () => {
    expect(buildInstanceId('    amazon-ebs.base: Instance ID: i-0f68e7d1e817d8cba')).toBe('i-0f68e7d1e817d8cba');
    expect(buildInstanceId('==> amazon-ebs.base: Waiting for instance (i-0f68e7d1e817d8cba) to become ready...')).toBeUndefined();
  });
});
