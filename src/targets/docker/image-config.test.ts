import { describe, expect, it } from 'vitest';
import { redact } from '../../packer/run.js';
import { imageConfigChanges } from './build-image.js';

describe('imageConfigChanges', () => {
  it("always sets ENTRYPOINT and CMD so Packer's /bin/sh never leaks; unset fields come from the source image", () => {
    expect(imageConfigChanges(undefined, { entrypoint: null, cmd: null })).toEqual(['ENTRYPOINT [""]', 'CMD []']);
    expect(imageConfigChanges(undefined, { entrypoint: ['/usr/bin/tini', '--'], cmd: ['/start'] })).toEqual([
      'ENTRYPOINT ["/usr/bin/tini","--"]',
      'CMD ["/start"]',
    ]);
    expect(
      imageConfigChanges(
        { cmd: ['nginx', '-g', 'daemon off;'], expose: ['80/tcp', '4040'] },
        { entrypoint: ['/usr/bin/tini', '--'], cmd: null },
      ),
    ).toEqual(['ENTRYPOINT ["/usr/bin/tini","--"]', 'CMD ["nginx","-g","daemon off;"]', 'EXPOSE 80/tcp', 'EXPOSE 4040']);
    expect(imageConfigChanges({ entrypoint: [], cmd: [] }, { entrypoint: ['/x'], cmd: ['y'] })).toEqual(['ENTRYPOINT [""]', 'CMD []']);
  });

  it('quotes arguments as JSON, so spaces and quotes stay one argument', () => {
    expect(imageConfigChanges({ cmd: ['say "hi" there\\'] }, { entrypoint: null, cmd: null })[1]).toBe('CMD ["say \\"hi\\" there\\\\"]');
  });
});

describe('redact', () => {
  it('replaces every occurrence of every secret, and ignores empty ones', () => {
    expect(redact('token=s3cr3t; again s3cr3t; other', ['s3cr3t', '', 'other'])).toBe('token=[redacted]; again [redacted]; [redacted]');
    expect(redact('nothing here', undefined)).toBe('nothing here');
  });
});
