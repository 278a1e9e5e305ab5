/** One line of `build-images doctor`: a check's verdict, what was found, and the fix when it failed. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  readonly status: CheckStatus;
  /** Short, stable name, e.g. "packer" or "docker engine". */
  readonly check: string;
  readonly detail: string;
  /** What to do about it; shown for FAIL and WARN. */
  readonly fix?: string;
}

export const ok = (check: string, detail: string): CheckResult => ({ status: 'ok', check, detail });
export const warn = (check: string, detail: string, fix?: string): CheckResult => ({
  status: 'warn',
  check,
  detail,
  ...(fix === undefined ? {} : { fix }),
});
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ status: 'fail', check, detail, fix });

/** A check that could not run because an earlier one failed: a warning, so the report stays complete. */
export const notChecked = (check: string, because: string): CheckResult => warn(check, `not checked: ${because}`);

const LABEL: Record<CheckStatus, string> = { ok: 'OK', warn: 'WARN', fail: 'FAIL' };

/** `FAIL  packer: not found on PATH; fix: install Packer >= 1.6 ...`: one line per check, greppable in CI logs. */
export function renderCheck(result: CheckResult): string {
  const fix = result.status !== 'ok' && result.fix !== undefined ? `; fix: ${result.fix}` : '';
  return `${LABEL[result.status].padEnd(4)}  ${result.check}: ${result.detail}${fix}`;
}

/** The closing line: how many checks failed, warned and passed. */
export function renderTally(results: readonly CheckResult[]): string {
  const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  const warned = count('warn');
  return `${count('fail')} failed, ${warned} warning${warned === 1 ? '' : 's'}, ${count('ok')} ok.`;
}

export const hasFailure = (results: readonly CheckResult[]): boolean => results.some((r) => r.status === 'fail');
