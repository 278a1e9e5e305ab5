import { fail, notChecked, ok, warn, type CheckResult } from '../../doctor/check.js';
import type { DoctorInput, DoctorOutput } from '../target.js';

/**
 * What doctor asks AWS for --target ami: whether credentials resolve (the SDK's default chain), and
 * whether the calls a build starts with are permitted, using EC2's DryRun where it exists.
 */
export type DryRunVerdict = 'allowed' | 'denied' | { readonly error: string };

export interface DoctorAws {
  credentials(region: string): Promise<{ ok: true; source: string } | { ok: false; error: string }>;
  dryRun(region: string, call: DryRunCall): Promise<DryRunVerdict>;
}

/** The build's EC2 calls that accept DryRun without naming existing resources. */
export const DRY_RUN_CALLS = ['DescribeImages', 'DescribeSubnets', 'CreateKeyPair', 'CreateSecurityGroup'] as const;
export type DryRunCall = (typeof DRY_RUN_CALLS)[number];

export function credentialsCheck(facts: Awaited<ReturnType<DoctorAws['credentials']>>): CheckResult {
  return facts.ok
    ? ok('aws credentials', `resolved (${facts.source})`)
    : fail(
        'aws credentials',
        `the AWS SDK found no credentials: ${facts.error}`,
        'set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a web identity (OIDC) role; in CI see examples/ci/',
      );
}

export function permissionsCheck(region: string, verdicts: ReadonlyArray<readonly [DryRunCall, DryRunVerdict]>): CheckResult {
  const denied = verdicts.filter(([, v]) => v === 'denied').map(([call]) => `ec2:${call}`);
  const unknown = verdicts.flatMap(([call, v]) => (typeof v === 'object' ? [`ec2:${call} (${v.error})`] : []));
  if (denied.length > 0)
    return fail(
      'aws permissions',
      `denied in ${region}: ${denied.join(', ')}`,
      'grant the IAM permissions listed in the README ("The AMI target")',
    );
  if (unknown.length > 0) return warn('aws permissions', `could not tell in ${region}: ${unknown.join('; ')}`);
  return ok(
    'aws permissions',
    `${verdicts.map(([call]) => `ec2:${call}`).join(', ')} allowed in ${region} (DryRun); calls that need real resources (RunInstances, CreateImage, CopyImage) are not checked`,
  );
}

/** The real thing, over @aws-sdk/client-ec2, loaded only when doctor checks an AMI target. */
export async function doctorAws(): Promise<DoctorAws> {
  const ec2 = await import('@aws-sdk/client-ec2');
  const client = (region: string) => new ec2.EC2Client({ region, maxAttempts: 2 });
  const command = (call: DryRunCall) => {
    switch (call) {
      case 'DescribeImages':
        return new ec2.DescribeImagesCommand({ DryRun: true, Owners: ['self'] });
      case 'DescribeSubnets':
        return new ec2.DescribeSubnetsCommand({ DryRun: true });
      case 'CreateKeyPair':
        return new ec2.CreateKeyPairCommand({ DryRun: true, KeyName: 'build-images-doctor' });
      case 'CreateSecurityGroup':
        return new ec2.CreateSecurityGroupCommand({
          DryRun: true,
          GroupName: 'build-images-doctor',
          Description: 'build-images doctor dry run',
        });
    }
  };
  return {
    async credentials(region) {
      try {
        const found = await client(region).config.credentials();
        const via = (found as { credentialScope?: string; $source?: Record<string, unknown> }).$source;
        return { ok: true, source: via && Object.keys(via).length > 0 ? Object.keys(via).join(', ') : 'default chain' };
      } catch (e: unknown) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    },
    async dryRun(region, call) {
      try {
        await client(region).send(command(call) as never);
        // A DryRun that succeeds is not supposed to happen; treat it as allowed.
        return 'allowed';
      } catch (e: unknown) {
        return classifyDryRun(e);
      }
    },
  };
}

/** EC2 answers a permitted DryRun with DryRunOperation and a forbidden one with UnauthorizedOperation. */
export function classifyDryRun(e: unknown): DryRunVerdict {
  const name = (e as { name?: string; Code?: string }).name ?? (e as { Code?: string }).Code;
  if (name === 'DryRunOperation') return 'allowed';
  if (name === 'UnauthorizedOperation' || name === 'AccessDenied' || name === 'AccessDeniedException') return 'denied';
  return { error: e instanceof Error ? e.message : String(e) };
}

/** The AWS checks, in the order doctor prints them: credentials, then permissions. */
export async function amiDoctor(input: DoctorInput, aws: () => Promise<DoctorAws>): Promise<DoctorOutput> {
  const region = input.config?.targets.ami?.region;
  if (region === undefined) {
    const why = 'no targets.ami.region in a valid config';
    return { checks: [notChecked('aws credentials', why), notChecked('aws permissions', why)] };
  }
  const account = await aws();
  const credentials = await account.credentials(region);
  const checks: CheckResult[] = [credentialsCheck(credentials)];
  if (!credentials.ok) checks.push(notChecked('aws permissions', 'no AWS credentials'));
  else
    checks.push(
      permissionsCheck(region, await Promise.all(DRY_RUN_CALLS.map(async (call) => [call, await account.dryRun(region, call)] as const))),
    );
  return { checks };
}
