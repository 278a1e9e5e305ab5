// Spawning and timing processes for the benchmark: wall time from spawn to exit, and, when
// Debian's `time` package is installed, the child's peak resident memory.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = () => existsSync(GNU_TIME);

/** Packer without its update check or colours, as the tool runs it. */
export const PACKER_ENV = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1' };

let seq = 0;

/**
 * Runs a command to completion. Resolves (never rejects on a non-zero exit) with
 * { code, signal, wallMs, stdout, stderr, maxRssKb, userMs, systemMs }; the last three (GNU time: peak
 * resident memory, user and system CPU time of the child and what it waited for) are set when `memory` is asked
 * for and GNU time is available.
 */
export async function run(cmd, args, { cwd, env = process.env, timeoutMs = 15 * 60_000, memory = false, onStdoutLine } = {}) {
  const timeFile = memory && hasGnuTime() ? join(tmpdir(), `bench-time-${process.pid}-${seq++}`) : undefined;
  const [file, argv] = timeFile ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  const errs = [];
  let partial = '';
  child.stdout.on('data', (chunk) => {
    out.push(chunk);
    if (!onStdoutLine) return;
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onStdoutLine(line);
  });
  child.stderr.on('data', (chunk) => errs.push(chunk));
  const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s]));
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearTimeout(timer);
  if (onStdoutLine && partial) onStdoutLine(partial);
  let maxRssKb;
  let userMs;
  let systemMs;
  if (timeFile) {
    const text = await readFile(timeFile, 'utf8').catch(() => '');
    const last = /^(\d+) (\d+\.\d+) (\d+\.\d+)$/.exec(text.trim().split('\n').at(-1) ?? '');
    if (last) [maxRssKb, userMs, systemMs] = [Number(last[1]), Number(last[2]) * 1000, Number(last[3]) * 1000];
    await rm(timeFile, { force: true });
  }
  const stdout = Buffer.concat(out).toString('utf8');
  return { code, signal, wallMs, stdout, stderr: Buffer.concat(errs).toString('utf8'), maxRssKb, userMs, systemMs };
}

/** Like run, but throws with the command's stderr when it does not exit 0. */
export async function runOk(cmd, args, options = {}) {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    const tail = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`\`${[cmd, ...args].join(' ')}\` exited with ${result.code ?? result.signal}:\n${tail}`);
  }
  return result;
}

/** stdout of a quick command, trimmed; undefined when it fails. */
export async function capture(cmd, args, options = {}) {
  try {
    const result = await run(cmd, args, { timeoutMs: 60_000, ...options });
    return result.code === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}
