import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BuildableAmiTarget } from '../../config/types.js';
import { renderEnvFile } from '../../packer/env-file.js';
import { amiBuildTarget, amiTemplatePath } from '../../packer/render-ami.js';
import type { Packer } from '../../packer/run.js';
import { err, ok, type Result } from '../../result.js';
import { formatDuration } from '../../text.js';
import { amisFromArtifacts, buildInstanceId } from './artifacts.js';
import { amiRegions, checkNameFree, checkParentReady, confirmBuilt, describeAmiFailure } from './checks.js';
import type { AmiImage, Ec2 } from './ec2.js';
import { amiName, amiTemplateVariables } from './variables.js';

export const amiLogFile = (root: string, image: string): string => join(root, '.build-images', 'logs', 'ami', `${image}.log`);
const workFile = (root: string, image: string, kind: 'vars' | 'env'): string =>
  join(root, '.build-images', 'ami', kind, `${image}.${kind === 'vars' ? 'pkrvars.json' : 'env'}`);

/**
 * After Ctrl-C or --timeout, Packer's amazon-ebs clean-up terminates the build instance and waits until it is
 * terminated (EC2's instance-terminated waiter: up to 40 polls of 15 s), then deletes the temporary security
 * group and key pair, which EC2 refuses while the instance still exists. Killing Packer at the default 2 min
 * leaked them (finding 9): the AMI target gives it this long.
 */
export const AMI_CLEANUP_GRACE_MS = 15 * 60_000;

/** Copies can take long; EC2's own AMI waiters give up after 40 polls of 15 s, copies need more. */
export const DEFAULT_AMI_WAIT_MS = 60 * 60_000;

export interface AmiBuildContext {
  /** Project root (Config.root). */
  readonly root: string;
  readonly target: BuildableAmiTarget;
  readonly packer: Packer;
  readonly ec2: Ec2;
  /** The run's signal (Ctrl-C); --timeout is `timeoutMs`, so the two are told apart in the message. */
  readonly signal: AbortSignal;
  /** --timeout for this build: past it Packer is stopped (and cleans up) and the build "timed out". */
  readonly timeoutMs?: number;
  readonly onLine: (line: string) => void;
  readonly toolVersion: string;
  /** projectIdentity(config).id: tagged on the AMI, its snapshots and the build instance; reuse and prune keep to it. */
  readonly project: string;
  readonly gitCommit: string | undefined;
  readonly gitDirty?: boolean | undefined;
  /** The tree's resolved base (provenance), for the AMI's tags. */
  readonly base?: { readonly name: string; readonly id: string } | undefined;
  /** Who may SSH to the build instance: this machine's public address, e.g. from builderCidr(). */
  readonly sshSourceCidrs: readonly string[];
  /**
   * Packer 1.6 templates cannot ask for IMDSv2 (metadata_options is 1.7+). When true, the build instance is
   * switched to IMDSv2-only through the EC2 API as soon as Packer prints its ID (before SSH is up, so before
   * any provisioner runs). Pass `!usesPlugins(packerVersion)`.
   */
  readonly requireImdsV2ViaApi: boolean;
  /** Secret values to keep out of the log and the lines passed on. */
  readonly redact?: readonly string[];
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  /** The clock for the AMI name's build time (tests fix it). */
  readonly now?: () => Date;
}

export interface AmiBuildRequest {
  readonly image: string;
  /** The image's effective provisioner environment (ImageConfig.variables). */
  readonly variables: Readonly<Record<string, string>>;
  /** The engine's fingerprint: the AMI's fingerprint tag, and the start of its name. */
  readonly fingerprint: string;
  /** The parent's AMI in the build region, built or reused in this run; undefined for a root. */
  readonly parent: { readonly image: string; readonly amiId: string; readonly amiName: string } | undefined;
  /** A root's source AMI as preflight resolved it (in its fingerprint); a child builds from `parent.amiId`. */
  readonly sourceAmi?: string;
}

export interface BuiltAmi {
  readonly name: string;
  /** Region → AMI, for every region of amiRegions(target), confirmed available through DescribeImages. */
  readonly amis: Readonly<Record<string, AmiImage>>;
}

export interface AmiBuildFailure {
  readonly message: string;
  /** undefined when the build stopped before Packer ran (a check failed). */
  readonly logFile: string | undefined;
  readonly interrupted: boolean;
}

/**
 * Builds one image as an AMI: checks the parent AMI and the name, runs Packer, reads the AMIs it reports
 * and confirms them with EC2 in every region. Reuse (an AMI with this fingerprint already everywhere) is
 * the caller's decision, before calling this: see findReusable().
 */
export async function buildAmiImage(request: AmiBuildRequest, ctx: AmiBuildContext): Promise<Result<BuiltAmi, AmiBuildFailure>> {
  const { root, target, ec2 } = ctx;
  const timeout = ctx.timeoutMs === undefined ? undefined : AbortSignal.timeout(ctx.timeoutMs);
  const signal = timeout === undefined ? ctx.signal : AbortSignal.any([ctx.signal, timeout]);
  /** Finding 10: past --timeout the build "timed out", as the Docker target says; only Ctrl-C is "interrupted". */
  const stopped = (logFile: string | undefined) =>
    timeout?.aborted && !ctx.signal.aborted
      ? err({
          message: `timed out after ${formatDuration(ctx.timeoutMs ?? 0)} (--timeout); Packer terminated the build instance and removed its security group and key pair`,
          logFile,
          interrupted: false,
        })
      : err({ message: 'interrupted', logFile, interrupted: true });
  const { image, fingerprint, parent } = request;
  const sourceAmi = parent?.amiId ?? request.sourceAmi;
  if (sourceAmi === undefined) throw new Error(`bug: root image ${image} built without its resolved source AMI`);
  // A new name for every build (finding 2): a forced rebuild keeps its fingerprint, and the name its AMI had is taken.
  const name = amiName(image, fingerprint, (ctx.now ?? (() => new Date()))());
  const regions = amiRegions(target);
  const waits = {
    timeoutMs: ctx.waitTimeoutMs ?? DEFAULT_AMI_WAIT_MS,
    signal,
    ...(ctx.pollMs === undefined ? {} : { pollMs: ctx.pollMs }),
  };
  const logFile = amiLogFile(root, image);
  const stop = (message: string, log: string | undefined = undefined) =>
    signal.aborted ? stopped(log) : err({ message, logFile: log, interrupted: false });

  if (parent !== undefined) {
    const ready = await checkParentReady(ec2, { image, parentImage: parent.image, region: target.region, amiId: parent.amiId, ...waits });
    if (!ready.ok) return stop(describeAmiFailure(ready.error));
  }
  const free = await checkNameFree(ec2, { name, regions });
  if (!free.ok) return stop(free.error.map(describeAmiFailure).join('\n'));
  if (signal.aborted) return stopped(undefined);

  const varFile = workFile(root, image, 'vars');
  const envFile = workFile(root, image, 'env');
  await mkdir(join(root, '.build-images', 'ami', 'env'), { recursive: true, mode: 0o700 });
  await mkdir(join(root, '.build-images', 'ami', 'vars'), { recursive: true });
  // The environment may hold values users would rather not see in files: it lives only for the build.
  await writeFile(envFile, renderEnvFile(request.variables), { mode: 0o600 });
  const variables = amiTemplateVariables({
    target,
    image,
    project: ctx.project,
    fingerprint,
    amiName: name,
    sourceAmi,
    parent: parent === undefined ? undefined : { amiId: parent.amiId, amiName: parent.amiName },
    toolVersion: ctx.toolVersion,
    gitCommit: ctx.gitCommit,
    gitDirty: ctx.gitDirty,
    base: ctx.base,
    sshSourceCidrs: ctx.sshSourceCidrs,
    // Relative to the project root, where Packer runs: the file provisioner templates its source, and an
    // absolute path would carry the project directory's name into Packer's template engine (issue 13 #13).
    envFile: relative(root, envFile),
  });
  await writeFile(varFile, `${JSON.stringify(variables, null, 2)}\n`);

  // Finding 3: on Packer 1.6 IMDSv2 is switched on through the API once Packer names the instance; it must be in
  // force before any provisioner runs, and a failure stops the build (never a warning with IMDSv1 left open).
  const imds = new Map<string, 'pending' | 'applied'>();
  const imdsStop = new AbortController();
  let imdsFailure: string | undefined;
  const failImds = (why: string): void => {
    if (imdsFailure !== undefined) return;
    imdsFailure = why;
    imdsStop.abort();
  };
  const onLine = (line: string): void => {
    ctx.onLine(line);
    if (!ctx.requireImdsV2ViaApi) return;
    if (/Provisioning with /.test(line) && [...imds.values()].some((s) => s !== 'applied'))
      failImds('a provisioner was about to run before EC2 had applied IMDSv2-only to the build instance');
    const instance = buildInstanceId(line);
    if (instance === undefined || imds.has(instance)) return;
    imds.set(instance, 'pending');
    ec2.requireImdsV2(target.region, instance, { signal, ...(ctx.pollMs === undefined ? {} : { pollMs: ctx.pollMs }) }).then(
      () => {
        imds.set(instance, 'applied');
        ctx.onLine(`build-images: ${instance} now requires IMDSv2`);
      },
      (e: unknown) => failImds(`could not require IMDSv2 on ${instance}: ${e instanceof Error ? e.message : String(e)}`),
    );
  };

  try {
    const result = await ctx.packer.build({
      cwd: root,
      template: amiTemplatePath(image),
      varFile: relative(root, varFile),
      target: amiBuildTarget(image),
      logFile,
      signal: AbortSignal.any([signal, imdsStop.signal]),
      cleanupGraceMs: AMI_CLEANUP_GRACE_MS,
      onLine,
      ...(ctx.redact ? { redact: ctx.redact } : {}),
    });
    if (imdsFailure !== undefined)
      return err({ message: `${imdsFailure}; Packer stopped the build and cleaned up`, logFile, interrupted: false });
    if (!result.ok) {
      const failure = result.error;
      if (failure.reason === 'interrupted') return stopped(logFile);
      // Every other reason carries a message (exited, not-found, and whatever the runner adds).
      return stop('message' in failure ? String(failure.message) : `packer failed (${(failure as { reason: string }).reason})`, logFile);
    }
    const reported = amisFromArtifacts(result.value);
    if (!reported.ok) return stop(reported.error, logFile);
    const confirmed = await confirmBuilt(ec2, {
      image,
      project: ctx.project,
      amiName: name,
      fingerprint,
      regions,
      reported: reported.value,
      ...waits,
    });
    if (!confirmed.ok) return stop(describeAmiFailure(confirmed.error), logFile);
    return ok({ name, amis: confirmed.value });
  } finally {
    await rm(envFile, { force: true });
  }
}
