import { execa } from 'execa';

/**
 * The end-to-end tests need real Packer, a real Docker engine and the local base image. They run when
 * BUILD_IMAGES_E2E=1 or CI=true; in CI a missing prerequisite is a failure, not a skip.
 */
export const E2E = process.env.BUILD_IMAGES_E2E === '1' || process.env.CI === 'true';
export const BASE_IMAGE = 'local/debian:bookworm';
export const SKIP_REASON =
  'end-to-end build skipped: set BUILD_IMAGES_E2E=1 (needs packer, a Docker engine and local/debian:bookworm; see examples/offline/prepare)';

export async function assertPrerequisites(): Promise<void> {
  const problems: string[] = [];
  await execa('packer', ['version']).catch(() => problems.push('packer is not on PATH'));
  await execa('docker', ['info']).catch(() => problems.push('no Docker engine answers `docker info` (scripts/start-docker)'));
  await execa('docker', ['image', 'inspect', BASE_IMAGE]).catch(() => problems.push(`${BASE_IMAGE} is missing (examples/offline/prepare)`));
  if (problems.length > 0) throw new Error(`end-to-end prerequisites missing: ${problems.join('; ')}`);
}

export async function docker(...args: string[]): Promise<string> {
  return (await execa('docker', args)).stdout;
}

export async function imageLayers(id: string): Promise<string[]> {
  return JSON.parse(await docker('image', 'inspect', '--format', '{{json .RootFS.Layers}}', id)) as string[];
}

/** A describe title that says why it was skipped when it was. */
export const e2eTitle = (name: string): string => (E2E ? name : `${name} [${SKIP_REASON}]`);
