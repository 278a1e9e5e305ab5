import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArtifactCollector, dockerImageId, parseMachineLine, type Artifact } from './machine-readable.js';

const fixture = (name: string): string[] =>
  readFileSync(new URL(`../../tests/fixtures/${name}`, import.meta.url), 'utf8').split('\n').filter(Boolean);

function collect(lines: readonly string[], target: string): Artifact[] {
  const collector = new ArtifactCollector();
  for (const raw of lines) {
    const line = parseMachineLine(raw);
    if (line) collector.add(line);
  }
  return collector.artifacts(target);
}

describe('machine-readable output', () => {
  it('unescapes commas and newlines in data', () => {
    expect(parseMachineLine('1795294500,,ui,say,a%!(PACKER_COMMA) b\\nc')).toEqual({
      timestamp: 1795294500,
      target: '',
      type: 'ui',
      data: ['say', 'a, b\nc'],
    });
  });

  it('ignores lines that are not machine-readable', () => {
    expect(parseMachineLine('panic: something')).toBeUndefined();
    expect(parseMachineLine('')).toBeUndefined();
  });

  it('reads both artifacts of a real Packer 1.6.6 docker build and picks the image ID, not the tag', () => {
    const artifacts = collect(fixture('packer-1.6.6-docker-build.machine.txt'), 'docker.base');
    expect(artifacts.map((a) => [a.index, a.builderId, a.id])).toEqual([
      [0, 'packer.post-processor.docker-import', 'sha256:d1bdbfd57761e444c76a1e6872d4b5b0118a8261b48b3a19c9676fefa2f2a527'],
      [1, 'packer.post-processor.docker-tag', 'cortex/base:latest'],
    ]);
    expect(dockerImageId(artifacts)).toBe('sha256:d1bdbfd57761e444c76a1e6872d4b5b0118a8261b48b3a19c9676fefa2f2a527');
  });

  it('finds no artifact in a failed build, and keeps the error line for the target', () => {
    const lines = fixture('packer-1.6.6-docker-failed.machine.txt');
    expect(collect(lines, 'docker.base')).toEqual([]);
    const errors = lines.map(parseMachineLine).filter((l) => l?.type === 'error' && l.target === 'docker.base');
    expect(errors.map((l) => l?.data.join(','))).toEqual(['Script exited with non-zero exit status: 3.Allowed exit codes are: [0]']);
  });

  it('keeps artifacts of different builds apart and joins ids that contained commas (multi-region AMIs)', () => {
    const artifacts = collect(
      [
        '1,amazon-ebs.base,artifact,0,builder-id,mitchellh.amazonebs',
        '1,amazon-ebs.base,artifact,0,id,eu-west-1:ami-0a%!(PACKER_COMMA)us-east-1:ami-0b',
        '1,amazon-ebs.base,artifact,0,end',
        '1,docker.other,artifact,0,builder-id,packer.docker',
      ],
      'amazon-ebs.base',
    );
    expect(artifacts).toEqual([{ index: 0, builderId: 'mitchellh.amazonebs', id: 'eu-west-1:ami-0a,us-east-1:ami-0b', description: '' }]);
  });

  it('never returns an empty or non-image ID', () => {
    expect(dockerImageId([{ index: 0, builderId: 'packer.docker', id: 'sha256:', description: '' }])).toBeUndefined();
    expect(dockerImageId([{ index: 0, builderId: 'packer.post-processor.docker-tag', id: 'cortex/base:latest', description: '' }])).toBeUndefined();
    expect(dockerImageId([{ index: 0, builderId: 'packer.docker', id: `sha256:${'a'.repeat(64)}`, description: '' }])).toBe(`sha256:${'a'.repeat(64)}`);
  });
});
