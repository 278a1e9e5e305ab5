/** Terraform variable files the rollout roots consume. Pure: data in, file text out (and back, for prune). */
import { AWS_REGION } from '../config/names.js';
import { err, ok, type Result } from '../result.js';

export const DOCKER_TFVARS_PATH = 'terraform/docker/images.auto.tfvars.json';
export const AMI_TFVARS_PATH = 'terraform/aws/images.auto.tfvars.json';

/** The AMI IDs terraform/aws accepts (its `amis` variable validates the same pattern). */
export const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** `{"images": {"<image>": "sha256:…"}}`, images in the order given (config order). */
export function renderDockerTfvars(ids: ReadonlyArray<readonly [image: string, id: string]>): string {
  const images: Record<string, string> = {};
  for (const [image, id] of ids) {
    if (!DOCKER_ID.test(id)) throw new Error(`bug: refusing to write image ID ${JSON.stringify(id)} for ${image}`);
    images[image] = id;
  }
  return `${JSON.stringify({ images }, null, 2)}\n`;
}

/**
 * `{"amis": {"<image>": {"<region>": "ami-…"}}}`, images in the order given (config order), regions in
 * `regions` order (build region, then copy_to). Every image must have an AMI in exactly those regions:
 * the caller only writes this for a complete tree, and a gap here is a bug, not a user error.
 */
export function renderAmiTfvars(
  amis: ReadonlyArray<readonly [image: string, byRegion: Readonly<Record<string, string>>]>,
  regions: readonly string[],
): string {
  if (regions.length === 0 || new Set(regions).size !== regions.length || !regions.every((r) => AWS_REGION.test(r))) {
    throw new Error(`bug: refusing to write AMIs for regions ${JSON.stringify(regions)}`);
  }
  const out: Record<string, Record<string, string>> = {};
  for (const [image, byRegion] of amis) {
    const extra = Object.keys(byRegion).filter((r) => !regions.includes(r));
    if (extra.length > 0) throw new Error(`bug: AMIs of ${image} in unexpected regions ${extra.join(', ')}`);
    out[image] = {};
    for (const region of regions) {
      const id = byRegion[region];
      if (id === undefined || !AMI_ID.test(id))
        throw new Error(`bug: refusing to write AMI ID ${JSON.stringify(id)} for ${image} in ${region}`);
      out[image][region] = id;
    }
  }
  return `${JSON.stringify({ amis: out }, null, 2)}\n`;
}

/**
 * Reads back an AMI tfvars file (for prune: the AMIs Terraform may be using must never go). Anything that
 * is not exactly the shape renderAmiTfvars writes is refused, so that a damaged file cannot make prune
 * believe nothing is in use.
 */
export function parseAmiTfvars(text: string): Result<Record<string, Record<string, string>>, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    return err(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const amis = isRecord(value) ? value['amis'] : undefined;
  if (!isRecord(amis)) return err('expected {"amis": {"<image>": {"<region>": "ami-…"}}}');
  const out: Record<string, Record<string, string>> = {};
  for (const [image, byRegion] of Object.entries(amis)) {
    if (!isRecord(byRegion)) return err(`amis["${image}"] is not a map of regions to AMI IDs`);
    out[image] = {};
    for (const [region, id] of Object.entries(byRegion)) {
      if (typeof id !== 'string' || !AMI_ID.test(id)) return err(`amis["${image}"]["${region}"] is not an AMI ID: ${JSON.stringify(id)}`);
      out[image][region] = id;
    }
  }
  return ok(out);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads back a Docker tfvars file: `{"images": {"<image>": "sha256:…"}}`. Anything else is refused, so that
 * a damaged file can neither make prune believe nothing is in use nor pass for the IDs last handed out.
 */
export function parseDockerTfvars(text: string): Result<Record<string, string>, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    return err(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const images = isRecord(value) ? value['images'] : undefined;
  if (!isRecord(images)) return err('expected {"images": {"<image>": "sha256:…"}}');
  const out: Record<string, string> = {};
  for (const [image, id] of Object.entries(images)) {
    // Any string, as before: terraform/docker validates the IDs itself, and an odd value only never matches an image.
    if (typeof id !== 'string') return err(`images["${image}"] is not a string: ${JSON.stringify(id)}`);
    out[image] = id;
  }
  return ok(out);
}

const DOCKER_ID = /^sha256:[0-9a-f]{64}$/;
