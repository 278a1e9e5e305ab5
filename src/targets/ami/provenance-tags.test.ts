import { describe, expect, it } from 'vitest';
import { TOOL_TAG_PREFIX } from '../../config/rules-ami.js';
import { provenanceTags, readProvenance } from '../../provenance/provenance.js';
import { amiTags } from './tags.js';

describe('AMI provenance tags', () => {
  const input = {
    image: 'base',
    project: 'acme/images',
    amiName: `base-${'f'.repeat(64)}`,
    fingerprint: 'f'.repeat(64),
    parent: undefined,
    toolVersion: '0.1.0',
    gitCommit: 'a'.repeat(40),
    gitDirty: true,
    base: { name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*', id: 'ami-0123456789abcdef0' },
    userTags: { team: 'obs' },
  };

  it('carry the resolved base, the commit and whether the tree was dirty, as provenance.ts names them', () => {
    const tags = amiTags(input);
    expect(tags).toMatchObject(
      provenanceTags({
        base: input.base,
        fingerprint: input.fingerprint,
        toolVersion: '0.1.0',
        git: { commit: input.gitCommit, dirty: true },
      }),
    );
    expect(readProvenance(tags, TOOL_TAG_PREFIX)).toEqual({
      base: input.base,
      fingerprint: input.fingerprint,
      toolVersion: '0.1.0',
      git: { commit: input.gitCommit, dirty: true },
    });
  });

  it('leave out what is unknown', () => {
    const tags = amiTags({ ...input, gitCommit: undefined, gitDirty: undefined, base: undefined });
    expect(Object.keys(tags).filter((k) => /:(commit|dirty|base|base-id)$/.test(k))).toEqual([]);
  });
});
