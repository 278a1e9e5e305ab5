/**
 * The part of the in-memory EC2 account (fake-account.ts) that prune asks about use: launch templates and their
 * versions, and DescribeImageAttribute lastLaunchedTime. Answers as EC2 does where prune depends on it: both
 * launch template calls page with NextToken; DescribeLaunchTemplateVersions without Versions lists every version,
 * and with ResolveAlias reports the AMI an SSM parameter (`resolve:ssm:<name>`) names instead of the parameter;
 * an unknown AMI ID is InvalidAMIID.NotFound; an AMI that never launched has no LastLaunchedTime value.
 */
import {
  DescribeImageAttributeCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  EC2ServiceException,
  type DescribeImageAttributeCommandInput,
  type DescribeLaunchTemplatesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeLaunchTemplate {
  readonly id: string;
  readonly name: string;
  /** Version numbers from 1; `imageId` may be `resolve:ssm:<parameter>`; a version without one names no AMI. */
  readonly versions: ReadonlyArray<{ readonly imageId?: string; readonly isDefault?: boolean }>;
}

export interface FakeUsage {
  addLaunchTemplate(region: string, template: FakeLaunchTemplate): void;
  /** SSM parameter name → the AMI ID it holds. */
  readonly ssm: Map<string, string>;
  /** `region:ami-id` → ISO 8601 lastLaunchedTime. */
  readonly lastLaunched: Map<string, string>;
  /** Errors the launch template calls give (e.g. UnauthorizedOperation), by region. */
  readonly refuse: Map<string, string>;
  /** `region:ami-id` of every DescribeImageAttribute call. */
  readonly attributeCalls: string[];
}

export function fakeUsage(
  mock: AwsClientStub<EC2Client>,
  amiExists: (region: string, id: string) => boolean,
  options: { pageSize?: number } = {},
): FakeUsage {
  const templates = new Map<string, FakeLaunchTemplate[]>();
  const usage: FakeUsage = {
    addLaunchTemplate(region, template) {
      templates.set(region, [...(templates.get(region) ?? []), template]);
    },
    ssm: new Map(),
    lastLaunched: new Map(),
    refuse: new Map(),
    attributeCalls: [],
  };
  const regionOf = async (getClient: () => unknown): Promise<string> => (getClient() as EC2Client).config.region();
  const page = <T>(items: readonly T[], input: { MaxResults?: number | undefined; NextToken?: string | undefined }) => {
    const size = Math.min(options.pageSize ?? 200, input.MaxResults ?? 200);
    const start = Number(input.NextToken ?? 0);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { items: items.slice(start, start + size), ...(next === undefined ? {} : { NextToken: next }) };
  };
  const refusal = (region: string): void => {
    const code = usage.refuse.get(region);
    if (code !== undefined) throw new EC2ServiceException({ name: code, $fault: 'client', $metadata: {}, message: `${code} (${region})` });
  };

  mock.on(DescribeLaunchTemplatesCommand).callsFake(async (input: DescribeLaunchTemplatesCommandInput, getClient) => {
    const region = await regionOf(getClient);
    refusal(region);
    const { items, ...rest } = page(templates.get(region) ?? [], input);
    return { LaunchTemplates: items.map((t) => ({ LaunchTemplateId: t.id, LaunchTemplateName: t.name })), ...rest };
  });

  mock.on(DescribeLaunchTemplateVersionsCommand).callsFake(async (input: DescribeLaunchTemplateVersionsCommandInput, getClient) => {
    const region = await regionOf(getClient);
    refusal(region);
    const template = (templates.get(region) ?? []).find((t) => t.id === input.LaunchTemplateId);
    if (template === undefined || input.Versions !== undefined) throw new Error('fake account: only "every version of one template by ID"');
    const versions = template.versions.map((v, i) => {
      let imageId = v.imageId;
      if (imageId?.startsWith('resolve:ssm:') && input.ResolveAlias === true) imageId = usage.ssm.get(imageId.slice(12)) ?? imageId;
      return {
        LaunchTemplateId: template.id,
        LaunchTemplateName: template.name,
        VersionNumber: i + 1,
        DefaultVersion: v.isDefault ?? i === 0,
        LaunchTemplateData: imageId === undefined ? {} : { ImageId: imageId },
      };
    });
    const { items, ...rest } = page(versions, input);
    return { LaunchTemplateVersions: items, ...rest };
  });

  mock.on(DescribeImageAttributeCommand).callsFake(async (input: DescribeImageAttributeCommandInput, getClient) => {
    const region = await regionOf(getClient);
    if (input.Attribute !== 'lastLaunchedTime') throw new Error(`fake account: attribute ${input.Attribute}`);
    usage.attributeCalls.push(`${region}:${input.ImageId}`);
    if (!amiExists(region, input.ImageId!)) {
      throw new EC2ServiceException({
        name: 'InvalidAMIID.NotFound',
        $fault: 'client',
        $metadata: {},
        message: `The image id '[${input.ImageId}]' does not exist`,
      });
    }
    const at = usage.lastLaunched.get(`${region}:${input.ImageId}`);
    return { ImageId: input.ImageId, LastLaunchedTime: at === undefined ? {} : { Value: at } };
  });

  return usage;
}
