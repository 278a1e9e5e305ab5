import type { AmiSourceFilter } from '../../config/types.js';
import type { SourceLocation } from '../../config/diagnostic.js';
import { err, ok, type Result } from '../../result.js';
import type { AmiImage, Ec2 } from './ec2.js';
import { Ec2Error } from './ec2-error.js';

/**
 * The DescribeImages filters for `targets.ami.source_ami_filter`, as Packer's amazon builders build them from
 * `source_ami_filter { filters = … }`: one EC2 filter per key with one value (hashicorp/packer-plugin-amazon
 * builder/common/ami_filter.go, GetFilteredImage → buildEc2Filters). Plus `state = available`, which Packer does
 * not add: a pending or failed AMI would be picked by Packer and fail at launch; here it is never picked.
 */
export function sourceAmiFilters(filter: AmiSourceFilter): Record<string, string> {
  return {
    name: filter.name,
    'virtualization-type': filter.virtualizationType,
    'root-device-type': filter.rootDeviceType,
    state: 'available',
  };
}

/**
 * The AMI `most_recent = true` picks: the newest by CreationDate. Packer parses each CreationDate as RFC 3339
 * and compares whole seconds (an unparsable date counts as the zero time, so oldest), sorts, and takes the last
 * (packer-plugin-amazon builder/common/step_source_ami_info.go, mostRecentAmi and imageSort.Less; the same in
 * Packer 1.6's built-in builder, hashicorp/packer builder/amazon/common). Its sort is not stable, so between
 * AMIs created in the same second Packer's choice is arbitrary; here the greater AMI ID wins, so every run
 * picks the same one. Pure; undefined for no images.
 */
export function mostRecent(images: readonly AmiImage[]): AmiImage | undefined {
  const seconds = (image: AmiImage): number => {
    const ms = Date.parse(image.creationDate);
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : Math.floor(ms / 1000);
  };
  let best: AmiImage | undefined;
  for (const image of images) {
    if (best === undefined) best = image;
    else {
      const [a, b] = [seconds(image), seconds(best)];
      if (a > b || (a === b && image.id > best.id)) best = image;
    }
  }
  return best;
}

/**
 * What the roots start from, resolved before anything is built: the newest available AMI that
 * `source_ami_filter` matches in the build region. Roots are then built from exactly this AMI (the template's
 * `source_ami`), and its ID is in their fingerprints, so a newly published source AMI rebuilds the tree.
 *
 * No match is an error here, before any build; Packer says "No AMI was found matching filters" only once its
 * build has started (ami_filter.go). Several matches are not an error: the template always had
 * `most_recent = true`, without which Packer refuses a query with more than one result
 * ("Your query returned more than one result…", same file).
 */
export async function resolveSourceAmi(
  ec2: Pick<Ec2, 'findImages'>,
  region: string,
  filter: AmiSourceFilter,
  /** Where `targets.ami` is written, to point the user at it. */
  location?: SourceLocation,
): Promise<Result<AmiImage, string>> {
  const filters = sourceAmiFilters(filter);
  const at = location === undefined ? '' : `${location.file}:${location.line}:${location.column}: `;
  let images: AmiImage[];
  try {
    images = await ec2.findImages(region, { owners: filter.owners, filters });
  } catch (e: unknown) {
    if (e instanceof Ec2Error) return err(`${at}cannot look up the source AMI (targets.ami.source_ami_filter): ${e.message}`);
    throw e;
  }
  const newest = mostRecent(images.filter((i) => i.state === 'available'));
  if (newest !== undefined) return ok(newest);
  const check = [
    `aws ec2 describe-images --region ${region} --owners ${filter.owners.join(' ')} --filters`,
    ...Object.entries(filters).map(([k, v]) => `"Name=${k},Values=${v}"`),
  ].join(' ');
  return err(
    `${at}targets.ami.source_ami_filter matches no available AMI in ${region}: name "${filter.name}", owners ${filter.owners.join(', ')}, ` +
      `virtualization-type ${filter.virtualizationType}, root-device-type ${filter.rootDeviceType}. ` +
      `Nothing was built. Check the name pattern and the owners, and that the AMI is published in ${region}: ${check}`,
  );
}
