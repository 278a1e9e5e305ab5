import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { REPO } from './project.js';

/** Directory holding the stand-in `packer` (put it first on PATH, or pass FAKE_PACKER to packerCli). */
export const FAKE_PACKER_DIR = join(REPO, 'tests', 'fixtures', 'fake-packer');
export const FAKE_PACKER = join(FAKE_PACKER_DIR, 'packer');

/** The AMI ID the fake reports for an image in a region (the same formula as fake-packer.mjs). */
export function fakeAmiId(image: string, region: string, fingerprint: string): string {
  return `ami-${createHash('sha256').update(`${image}:${region}:${fingerprint}`).digest('hex').slice(0, 17)}`;
}

/** FAKE_PACKER_SCENARIOS for a map of image → scenario. */
export const scenarios = (byImage: Readonly<Record<string, 'ok' | 'fail' | 'interrupt' | 'name-taken' | 'no-artifact'>>): string =>
  Object.entries(byImage)
    .map(([image, scenario]) => `${image}=${scenario}`)
    .join(',');
