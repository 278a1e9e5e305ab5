import type { Artifact } from '../../packer/machine-readable.js';
import { AWS_REGION } from '../../config/names.js';
import { err, ok, type Result } from '../../result.js';
import { AMI_ID } from '../../terraform/tfvars.js';

/** amazon-ebs's builder ID, in Packer 1.6 core and in the amazon plugin alike. */
export const AMAZON_EBS_BUILDER_ID = 'mitchellh.amazonebs';

/**
 * The AMIs of an amazon-ebs artifact id, "eu-central-1:ami-0a…,us-east-1:ami-0b…" (Packer sorts the
 * "region:id" pairs and joins them with commas; the machine-readable parser has already turned
 * `%!(PACKER_COMMA)` back into commas). Anything else is refused rather than half-read.
 */
export function parseAmiArtifactId(id: string): Result<Record<string, string>, string> {
  if (id.trim() === '') return err('the artifact id is empty');
  const amis: Record<string, string> = {};
  for (const part of id.split(',')) {
    const match = /^([^:]*):(.*)$/.exec(part);
    const region = match?.[1] ?? '';
    const ami = match?.[2] ?? '';
    if (!AWS_REGION.test(region) || !AMI_ID.test(ami))
      return err(`${JSON.stringify(part)} is not "<region>:ami-<id>" in artifact id ${JSON.stringify(id)}`);
    if (Object.hasOwn(amis, region)) return err(`region ${region} appears twice in artifact id ${JSON.stringify(id)}`);
    amis[region] = ami;
  }
  return ok(amis);
}

/** The AMIs of a finished amazon-ebs build, from its artifacts: exactly one amazon-ebs artifact is expected. */
export function amisFromArtifacts(artifacts: readonly Artifact[]): Result<Record<string, string>, string> {
  const ebs = artifacts.filter((a) => a.builderId === AMAZON_EBS_BUILDER_ID);
  if (ebs.length === 0) {
    const seen = artifacts.map((a) => `${a.builderId}=${a.id}`).join(', ') || 'none';
    return err(`packer finished but reported no amazon-ebs artifact (artifacts: ${seen})`);
  }
  if (ebs.length > 1) return err(`packer reported ${ebs.length} amazon-ebs artifacts; expected one`);
  return parseAmiArtifactId(ebs[0]!.id);
}

/**
 * The build instance's ID from a line of Packer's output ("    amazon-ebs.base: Instance ID: i-0abc…"),
 * for the engine to require IMDSv2 on it through the EC2 API when Packer (1.6) cannot.
 */
export function buildInstanceId(line: string): string | undefined {
  return /\bInstance ID: (i-[0-9a-f]{8,17})\b/.exec(line)?.[1];
}
