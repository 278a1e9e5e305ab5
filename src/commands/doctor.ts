import { hasFailure, renderCheck, renderTally } from '../doctor/check.js';
import { runChecks, type DoctorReport } from '../doctor/run.js';
import type { PackerProbe } from '../packer/run.js';
import type { TargetDefinition } from '../targets/target.js';
import { EXIT } from './exit-codes.js';

/** Pure: what `build-images doctor` prints: one line per check, the config's problems, a tally. */
export function renderDoctor(report: DoctorReport): string {
  const out = report.results.map(renderCheck);
  if (report.configProblems !== undefined) out.push('', report.configProblems);
  out.push('', renderTally(report.results));
  return `${out.join('\n')}\n`;
}

/** Exit 1 when any check failed: a CI step can run `build-images doctor` before `build-images`. */
export async function runDoctorCommand(
  options: { config: readonly string[]; target: TargetDefinition; packer: PackerProbe },
  write: (text: string) => void,
): Promise<number> {
  const report = await runChecks(
    { files: options.config, cwd: process.cwd(), target: options.target, env: process.env },
    { packer: options.packer },
  );
  write(renderDoctor(report));
  return hasFailure(report.results) ? EXIT.buildFailed : EXIT.ok;
}
