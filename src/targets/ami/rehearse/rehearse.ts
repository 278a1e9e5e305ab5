import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ImageNode } from '../../../graph/tree.js';
import { renderEnvFile } from '../../../packer/env-file.js';
import type { Packer } from '../../../packer/run.js';
import {
  describeState,
  execPathScript,
  HEALTH_DEFINITIONS,
  LIST_ENABLED,
  parseEnabledUnits,
  parseHealthEndpoints,
  parseUnitStates,
  probePassed,
  probeScript,
  SHOW_PROPERTIES,
  STAND_IN_MARK,
  unitVerdict,
  type HealthEndpoint,
  type UnitState,
} from './checks.js';
import type { SystemdHosts } from './host.js';
import { rehearsalBuildTarget, rehearsalTemplatePath, renderRehearsalTemplate, type RehearsalTemplateVariables } from './template.js';

export interface RehearsalRequest {
  /** Project root (Config.root). */
  readonly root: string;
  /** The images to rehearse, parents before children; a child's parent is in the list. */
  readonly images: readonly ImageNode[];
  /** targets.docker.base_image: the root images' hosts start from it. */
  readonly baseImage: string;
  /** targets.ami.ssh_username: the sudo user Packer logs in as, as on the build instance. */
  readonly sshUsername: string;
  /** `--volume` values for the provisioning hosts (from targets.docker.run_args, e.g. the offline mirror). */
  readonly volumes: readonly string[];
  readonly secrets: Readonly<Record<string, string>>;
}

export interface RehearsalDeps {
  readonly packer: Packer;
  readonly hosts: SystemdHosts;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
  /** Each line Packer prints (verbose). */
  readonly onPackerLine?: (image: string, line: string) => void;
  /** How long units and health endpoints may take to come up after boot. */
  readonly settleMs?: number;
}

export interface UnitResult {
  readonly unit: string;
  readonly state: string;
  /** Enabled by this image's own provisioners (the others come from its ancestors). */
  readonly own: boolean;
}

export interface HealthResult {
  readonly endpoint: string;
  readonly service: string;
  readonly status: 'ok' | 'stand-in' | 'failed';
  readonly detail: string;
}

export type ImageRehearsal =
  | {
      readonly image: string;
      readonly outcome: 'passed';
      readonly seconds: number;
      readonly system: string;
      readonly units: readonly UnitResult[];
      readonly health: readonly HealthResult[];
    }
  | { readonly image: string; readonly outcome: 'failed'; readonly seconds: number; readonly reason: string; readonly logFile?: string }
  | { readonly image: string; readonly outcome: 'skipped'; readonly reason: string }
  | { readonly image: string; readonly outcome: 'interrupted' };

export const rehearsalLogFile = (root: string, image: string): string => join(root, '.build-images', 'logs', 'rehearse', `${image}.log`);

/**
 * Rehearses the AMI builds of `images` locally: per image, real Packer (null builder) runs the AMI template's
 * provisioner blocks over SSH as the sudo user into a systemd host booted from the parent's rehearsed state
 * (or the base image), the host's disk is kept as the image's state, and a host booted from it must come up
 * with every unit the provisioners enabled active and every health endpoint answering. Touches no AWS and
 * writes no tfvars. A failed image skips its descendants only.
 */
export async function rehearse(request: RehearsalRequest, deps: RehearsalDeps): Promise<ImageRehearsal[]> {
  const { hosts, say, signal } = deps;
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const prefix = `build-images-rehearse-${runId}`;
  const keyDir = await mkdtemp(join(tmpdir(), 'build-images-rehearse-'));
  const work = join(request.root, '.build-images', 'rehearse');
  await mkdir(work, { recursive: true, mode: 0o700 });
  const uploadLib = await isDirectory(join(request.root, 'provisioners', 'lib'));
  const states = new Map<string, { tag: string; enabled: string[] }>();
  const results: ImageRehearsal[] = [];
  const containers = new Set<string>();
  const committed: string[] = [];
  try {
    const hostImage = await hosts.hostImage(request.baseImage, request.sshUsername, say);
    const key = await hosts.newKey(hostImage, keyDir);
    let baseline: string[] | undefined;
    for (const node of request.images) {
      if (signal.aborted) {
        results.push({ image: node.name, outcome: 'interrupted' });
        continue;
      }
      const parent = node.parent === undefined ? undefined : states.get(node.parent);
      if (node.parent !== undefined && parent === undefined) {
        results.push({ image: node.name, outcome: 'skipped', reason: `its parent ${node.parent} did not pass` });
        continue;
      }
      const started = Date.now();
      const seconds = (): number => Math.round((Date.now() - started) / 1000);
      say(`${node.name}: provisioning over SSH on a systemd host from ${parent ? `${node.parent}'s rehearsed state` : request.baseImage}`);
      const provisioning = `${prefix}-${node.name}`;
      containers.add(provisioning);
      const port = await freePort();
      await hosts.startProvisioning({ image: parent?.tag ?? hostImage, name: provisioning, port, dir: keyDir, volumes: request.volumes });
      if (baseline === undefined) {
        // What the bare host enables by itself: everything beyond it was enabled by provisioners.
        const listed = await hosts.exec(provisioning, `${waitForBus(60)}; ${LIST_ENABLED}`);
        baseline = parseEnabledUnits(listed.output);
      }
      const logFile = rehearsalLogFile(request.root, node.name);
      const built = await provision(request, deps, node, { port, key: key.privateKey, work, uploadLib, logFile });
      if (built !== undefined) {
        await hosts.remove(provisioning);
        containers.delete(provisioning);
        results.push(
          signal.aborted
            ? { image: node.name, outcome: 'interrupted' }
            : { image: node.name, outcome: 'failed', seconds: seconds(), reason: built, logFile },
        );
        continue;
      }
      const tag = `${prefix}-${node.name}:rehearsed`;
      await hosts.stopAndCommit(provisioning, tag);
      committed.push(tag);
      await hosts.remove(provisioning);
      containers.delete(provisioning);

      say(`${node.name}: booting the rehearsed image and checking it`);
      const booted = `${prefix}-${node.name}-boot`;
      containers.add(booted);
      await hosts.boot(tag, booted);
      const checked = await checkBooted(hosts, booted, {
        baseline,
        parentEnabled: parent?.enabled ?? baseline,
        settleMs: deps.settleMs ?? 120_000,
        signal,
      });
      await hosts.remove(booted);
      containers.delete(booted);
      if (!checked.ok) {
        results.push({ image: node.name, outcome: 'failed', seconds: seconds(), reason: checked.reason, logFile });
        continue;
      }
      states.set(node.name, { tag, enabled: checked.enabled });
      results.push({
        image: node.name,
        outcome: 'passed',
        seconds: seconds(),
        system: checked.system,
        units: checked.units,
        health: checked.health,
      });
    }
    return results;
  } finally {
    for (const c of containers) await hosts.remove(c);
    for (const tag of committed.reverse()) await hosts.removeImage(tag);
    await rm(keyDir, { recursive: true, force: true });
    await rm(join(work, 'env'), { recursive: true, force: true });
  }
}

/** Runs the image's provisioner blocks with real Packer; undefined on success, else why not. */
async function provision(
  request: RehearsalRequest,
  deps: RehearsalDeps,
  node: ImageNode,
  at: { port: number; key: string; work: string; uploadLib: boolean; logFile: string },
): Promise<string | undefined> {
  const template = rehearsalTemplatePath(node.name);
  await writeFile(
    join(request.root, template),
    renderRehearsalTemplate({ image: node.name, provisioners: node.image.provisioners, uploadLib: at.uploadLib }),
  );
  const envDir = join(at.work, 'env');
  await mkdir(envDir, { recursive: true, mode: 0o700 });
  const envFile = join(envDir, `${node.name}.env`);
  // As on the build instance: the image's variables and the secrets, from the uploaded file. Packer tells the
  // scripts PACKER_BUILDER_TYPE=null; the file is sourced after Packer's variables, so they see amazon-ebs.
  await writeFile(envFile, renderEnvFile({ ...node.image.variables, ...request.secrets, PACKER_BUILDER_TYPE: 'amazon-ebs' }), {
    mode: 0o600,
  });
  const variables: RehearsalTemplateVariables = {
    ssh_port: at.port,
    ssh_username: request.sshUsername,
    ssh_private_key_file: at.key,
    env_file: envFile,
  };
  const varFile = join(at.work, `${node.name}.pkrvars.json`);
  await writeFile(varFile, `${JSON.stringify(variables, null, 2)}\n`);
  try {
    const result = await deps.packer.build({
      cwd: request.root,
      template,
      varFile: relative(request.root, varFile),
      target: rehearsalBuildTarget(node.name),
      logFile: at.logFile,
      signal: deps.signal,
      onLine: (line) => deps.onPackerLine?.(node.name, line),
      redact: Object.values(request.secrets),
    });
    if (result.ok) return undefined;
    const failure = result.error;
    return failure.reason === 'interrupted' ? 'interrupted' : `provisioning failed: ${failure.message}`;
  } finally {
    await rm(envFile, { force: true });
  }
}

type Checked = { ok: true; system: string; enabled: string[]; units: UnitResult[]; health: HealthResult[] } | { ok: false; reason: string };

/** The checks on a host booted from a rehearsed image. */
export async function checkBooted(
  hosts: SystemdHosts,
  container: string,
  opts: { baseline: readonly string[]; parentEnabled: readonly string[]; settleMs: number; signal: AbortSignal },
): Promise<Checked> {
  const deadline = Date.now() + opts.settleMs;
  const run = async (script: string): Promise<string> => (await hosts.exec(container, script)).output.trim();
  const journal = async (unit: string): Promise<string> =>
    (await run(`journalctl -u ${unit} -n 15 --no-pager -o cat 2>&1 || true`))
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n');

  const seconds = Math.ceil(opts.settleMs / 1000);
  const system = (await run(`${waitForBus(seconds)}; timeout ${seconds} systemctl is-system-running --wait 2>&1`)).split('\n').at(-1) ?? '';
  const enabled = parseEnabledUnits(await run(LIST_ENABLED));
  const provisioned = enabled.filter((u) => !opts.baseline.includes(u));

  if (system !== 'running') {
    const failed = parseEnabledUnits(await run('systemctl list-units --failed --no-legend --plain --all | sed "s/^[^a-zA-Z0-9]*//"'));
    const lines = [`systemctl is-system-running says "${system}", not "running"`];
    for (const unit of failed) lines.push(`  ${unit} failed:`, await journal(unit));
    if (failed.length === 0) lines.push(await run('systemctl list-jobs --no-pager 2>&1 | head -n 20'));
    return { ok: false, reason: lines.join('\n') };
  }

  // Units: all up, and still up (no restarts) a few seconds later.
  let states: UnitState[] = [];
  let stableSince: number | undefined;
  let lastRestarts = '';
  for (;;) {
    states = provisioned.length === 0 ? [] : parseUnitStates(await run(`systemctl show -p ${SHOW_PROPERTIES} ${provisioned.join(' ')}`));
    const failed = states.filter((s) => unitVerdict(s) === 'failed');
    if (failed.length > 0) {
      const lines = [`unit${failed.length === 1 ? '' : 's'} that cannot start: ${failed.map((s) => s.id).join(', ')}`];
      for (const s of failed) lines.push(`  ${s.id}: ${describeState(s)}`, await journal(s.id));
      return { ok: false, reason: lines.join('\n') };
    }
    const restarts = states.map((s) => `${s.id}:${s.restarts}`).join(',');
    const allUp = states.every((s) => unitVerdict(s) === 'ok');
    if (allUp && restarts === lastRestarts && stableSince !== undefined && Date.now() - stableSince >= 5_000) break;
    if (!allUp || restarts !== lastRestarts) stableSince = allUp ? Date.now() : undefined;
    lastRestarts = restarts;
    if (Date.now() > deadline || opts.signal.aborted) {
      const down = states.filter((s) => unitVerdict(s) !== 'ok');
      const lines = [
        `units not up after ${Math.round(opts.settleMs / 1000)} s: ${down.map((s) => `${s.id} ${describeState(s)}`).join(', ') || 'restarting'}`,
      ];
      for (const s of down) lines.push(`  ${s.id}:`, await journal(s.id));
      return { ok: false, reason: lines.join('\n') };
    }
    await sleep(1_000);
  }
  const units = states.map((s) => ({ unit: s.id, state: describeState(s), own: !opts.parentEnabled.includes(s.id) }));

  const health: HealthResult[] = [];
  for (const endpoint of parseHealthEndpoints(await run(HEALTH_DEFINITIONS))) {
    health.push(await probe(run, endpoint, deadline));
  }
  const bad = health.filter((h) => h.status === 'failed');
  if (bad.length > 0) {
    return {
      ok: false,
      reason: `health endpoint${bad.length === 1 ? '' : 's'} not answering: ${bad.map((h) => `${h.service} ${h.endpoint} (${h.detail})`).join('; ')}`,
    };
  }
  return { ok: true, system, enabled, units, health };
}

async function probe(run: (script: string) => Promise<string>, endpoint: HealthEndpoint, deadline: number): Promise<HealthResult> {
  // The offline overlay installs labelled stand-ins for programs it cannot download: they serve nothing.
  const program = await run(execPathScript(`${endpoint.service}.service`));
  if (program !== '' && (await run(`head -c 2000 ${shellWord(program)} 2>/dev/null | grep -c '${STAND_IN_MARK}' || true`)).trim() !== '0') {
    return {
      endpoint: endpoint.shown,
      service: endpoint.service,
      status: 'stand-in',
      detail: `not checked: ${program} is an offline stand-in, not the real program`,
    };
  }
  let last = '';
  for (;;) {
    last = await run(`${probeScript(endpoint)} 2>&1`);
    if (probePassed(endpoint, last))
      return { endpoint: endpoint.shown, service: endpoint.service, status: 'ok', detail: last.split('\n')[0]!.trim() };
    if (Date.now() > deadline) break;
    await sleep(1_000);
  }
  return { endpoint: endpoint.shown, service: endpoint.service, status: 'failed', detail: last.split('\n').at(-1)?.trim() || 'no answer' };
}

/** Right after `docker run`, systemd may not answer on its bus yet. */
const waitForBus = (seconds: number): string =>
  `for i in $(seq ${seconds}); do case $(systemctl is-system-running 2>&1) in *'Failed to connect'*) sleep 1 ;; *) break ;; esac; done`;

const shellWord = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 for a host's sshd (the host shares this machine's network while provisioning). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
