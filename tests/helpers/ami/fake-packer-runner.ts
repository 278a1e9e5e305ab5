import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packerCli, type Packer } from '../../../src/packer/run.js';
import type { FakeAccount } from './fake-account.js';

/**
 * The real Packer runner around the stand-in `packer` (tests/fixtures/fake-packer), with the AMIs it
 * reports added to the in-memory account: available in the build region, pending in copy regions at first.
 */
export function fakePackerRunner(
  account: FakeAccount,
  regions: { region: string; copyTo: readonly string[] },
  env: Record<string, string>,
  /** The stand-in and the AMI IDs it reports (tests/helpers/fake-packer.ts): passed in, so src/ never imports tests/. */
  fake: { readonly executable: string; readonly amiId: (image: string, region: string, fingerprint: string) => string },
): Packer {
  const real = packerCli(fake.executable, env);
  return {
    ...real,
    async build(request) {
      const result = await real.build(request);
      if (result.ok) {
        const vars = JSON.parse(await readFile(join(request.cwd, request.varFile), 'utf8')) as {
          ami_name: string;
          tags: Record<string, string>;
        };
        const fingerprint = vars.tags['build-images:fingerprint'] ?? 'unknown';
        const image = request.target.replace('amazon-ebs.', '');
        for (const region of [regions.region, ...regions.copyTo]) {
          account.add(region, {
            id: fake.amiId(image, region, fingerprint),
            name: vars.ami_name,
            state: region === regions.region ? 'available' : 'pending',
            tags: vars.tags,
            snapshots: [`snap-${image}-${region}-${fingerprint.slice(0, 12)}`],
            created: new Date().toISOString(),
          });
        }
      }
      return result;
    },
  };
}

/** A copy finishes a little after Packer reports it: pending AMIs become available on their second look. */
export function finishCopiesOnSecondLook(account: FakeAccount): void {
  const looks = new Map<string, number>();
  account.onDescribe((region) => {
    for (const ami of account.amis(region).filter((a) => a.state === 'pending')) {
      looks.set(ami.id, (looks.get(ami.id) ?? 0) + 1);
      if ((looks.get(ami.id) ?? 0) > 1) ami.state = 'available';
    }
  });
}
