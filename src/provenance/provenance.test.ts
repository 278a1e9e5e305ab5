import { describe, expect, it } from 'vitest';
import { provenanceJson, provenanceLabels, provenanceTags, readProvenance, type Provenance } from './provenance.js';

const FULL: Provenance = {
  base: { name: 'ubuntu:22.04', id: `sha256:${'c'.repeat(64)}` },
  fingerprint: 'f'.repeat(64),
  toolVersion: '0.1.0',
  git: { commit: 'a'.repeat(40), dirty: true },
};
const BARE: Provenance = { base: undefined, fingerprint: 'f'.repeat(64), toolVersion: '0.1.0', git: undefined };

describe('provenance', () => {
  it('as Docker labels: ours, plus the OCI base name and revision', () => {
    expect(provenanceLabels(FULL)).toEqual({
      'org.build-images.fingerprint': FULL.fingerprint,
      'org.build-images.version': '0.1.0',
      'org.build-images.base': 'ubuntu:22.04',
      'org.build-images.base-id': FULL.base!.id,
      'org.opencontainers.image.base.name': 'ubuntu:22.04',
      'org.build-images.git-commit': FULL.git!.commit,
      'org.build-images.git-dirty': 'true',
      'org.opencontainers.image.revision': FULL.git!.commit,
    });
    expect(provenanceLabels(BARE)).toEqual({ 'org.build-images.fingerprint': BARE.fingerprint, 'org.build-images.version': '0.1.0' });
  });

  it('as AMI tags under the reserved prefix, every value within EC2’s 256 characters', () => {
    const tags = provenanceTags(FULL);
    expect(tags).toEqual({
      'build-images:fingerprint': FULL.fingerprint,
      'build-images:version': '0.1.0',
      'build-images:base': 'ubuntu:22.04',
      'build-images:base-id': FULL.base!.id,
      'build-images:commit': FULL.git!.commit,
      'build-images:dirty': 'true',
    });
    for (const value of Object.values(tags)) expect(value.length).toBeLessThanOrEqual(256);
  });

  it('reads back from labels and tags what it wrote', () => {
    expect(readProvenance(provenanceLabels(FULL), 'org.build-images.')).toEqual(FULL);
    expect(readProvenance(provenanceTags(FULL), 'build-images:')).toEqual(FULL);
    expect(readProvenance(provenanceLabels(BARE), 'org.build-images.')).toEqual(BARE);
    expect(readProvenance({ 'org.build-images.image': 'base' }, 'org.build-images.')).toBeUndefined();
  });

  it('in build --json: nulls for what is unknown', () => {
    expect(provenanceJson(FULL)).toEqual({
      base: { name: 'ubuntu:22.04', id: FULL.base!.id },
      fingerprint: FULL.fingerprint,
      toolVersion: '0.1.0',
      gitCommit: FULL.git!.commit,
      gitDirty: true,
    });
    expect(provenanceJson(BARE)).toEqual({
      base: null,
      fingerprint: BARE.fingerprint,
      toolVersion: '0.1.0',
      gitCommit: null,
      gitDirty: null,
    });
  });
});
