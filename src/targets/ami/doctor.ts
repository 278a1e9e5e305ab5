import { execa } from 'execa';
import { fail, notChecked, ok, warn, type CheckResult } from '../../doctor/check.js';
import { AMAZON_PLUGIN_VERSION } from '../../packer/render-ami.js';
import { formatVersion, usesPlugins, type PackerVersion } from '../../packer/version.js';
import type { DoctorInput, DoctorOutput } from '../target.js';
import { projectIdentity, type ProjectIdentity } from '../project.js';
import { TAG } from './tags.js';

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

/**
 * Which Packer builds can SSH into Ubuntu 22.04 and later (OpenSSH >= 8.8 refuses ssh-rsa SHA-1 signatures). The
 * fix is golang.org/x/crypto's rsa-sha2 client support: in the amazon plugin from 1.1.0 (an SDK bump,
 * hashicorp/packer-plugin-amazon#218, closing hashicorp/packer#11733 "Packer v1.8.0 can't SSH to AWS Ubuntu
 * 22.04"), which the templates require on Packer >= 1.7. HashiCorp's own 1.6 (and older) binaries predate it
 * (hashicorp/packer#12433: "Unable to ssh to Ubuntu-22 packer 1.5"); Debian's 1.6.6 package is built against
 * Debian's newer x/crypto and connects.
 */
export function packerSshCheck(version: PackerVersion | undefined, debianPackage: string | undefined): CheckResult {
  const name = 'packer ssh to ubuntu 22.04+';
  if (version === undefined) return notChecked(name, 'no usable Packer');
  if (usesPlugins(version))
    return ok(
      name,
      `the templates require the amazon plugin ${AMAZON_PLUGIN_VERSION} (before 1.1.0 it cannot log in: hashicorp/packer#11733)`,
    );
  if (debianPackage !== undefined)
    return ok(name, `Packer ${formatVersion(version)} is Debian's package ${debianPackage}, built with rsa-sha2 support`);
  return warn(
    name,
    `Packer ${formatVersion(version)} is not Debian's package: HashiCorp's builds before 1.7 cannot SSH into Ubuntu 22.04 or later (hashicorp/packer#12433, #11733)`,
    "use Debian's packer package (apt-get install packer), or Packer >= 1.7 with the amazon plugin the templates require",
  );
}

/** The Debian package version of the packer on PATH, when it is Debian's (dpkg owns /usr/bin/packer). */
export async function debianPackerPackage(): Promise<string | undefined> {
  const owner = await execa('dpkg-query', ['-S', '/usr/bin/packer'], { reject: false });
  if (owner.exitCode !== 0 || !String(owner.stdout).startsWith('packer:')) return undefined;
  const which = await execa('sh', ['-c', 'command -v packer'], { reject: false });
  if (String(which.stdout).trim() !== '/usr/bin/packer') return undefined;
  const version = await execa('dpkg-query', ['-W', '-f=${Version}', 'packer'], { reject: false });
  return version.exitCode === 0 ? String(version.stdout).trim() : undefined;
}

/**
 * Where the project identity comes from. For AMIs it scopes reuse as well as prune (checks.ts findReusable): with
 * the path-derived identity, a CI runner checking out into another directory reuses none of the AMIs another
 * checkout built, and rebuilds them all, so under CI that is a warning with the fix.
 */
export function amiProjectCheck(identity: ProjectIdentity, env: NodeJS.ProcessEnv): CheckResult {
  const name = 'project identity';
  if (identity.from === 'config')
    return ok(name, `${identity.id} (from ${identity.source}): AMIs are tagged ${TAG.project} with it; reuse and prune keep to it`);
  const fix = 'set `project: <name>` in images.yaml so every checkout shares one identity';
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')
    return warn(
      name,
      `${identity.id} is ${identity.source}: under CI each checkout directory is another project, which reuses and prunes none of the AMIs the others built`,
      fix,
    );
  return ok(name, `${identity.id}, ${identity.source} (if CI or another checkout builds this project too: ${fix})`);
}

/** The AWS checks, in the order doctor prints them: Packer's SSH, credentials, permissions, then the project identity. */
export async function amiDoctor(
  input: DoctorInput,
  aws: () => Promise<DoctorAws>,
  debianPacker: () => Promise<string | undefined> = debianPackerPackage,
): Promise<DoctorOutput> {
  const ssh = packerSshCheck(input.packer, input.packer === undefined || usesPlugins(input.packer) ? undefined : await debianPacker());
  const region = input.config?.targets.ami?.region;
  if (region === undefined) {
    const why = 'no targets.ami.region in a valid config';
    return { checks: [ssh, notChecked('aws credentials', why), notChecked('aws permissions', why), notChecked('project identity', why)] };
  }
  const account = await aws();
  const credentials = await account.credentials(region);
  const checks: CheckResult[] = [ssh, credentialsCheck(credentials)];
  if (!credentials.ok) checks.push(notChecked('aws permissions', 'no AWS credentials'));
  else
    checks.push(
      permissionsCheck(region, await Promise.all(DRY_RUN_CALLS.map(async (call) => [call, await account.dryRun(region, call)] as const))),
    );
  if (input.config !== undefined) checks.push(amiProjectCheck(projectIdentity(input.config), input.env));
  return { checks };
}
