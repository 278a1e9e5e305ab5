/**
 * What a rehearsed image must show once booted, and the pure parsing of what the host says. The probing runs
 * inside the host (docker exec), so the services are reached as the instance itself would reach them.
 */

/** Unit types a provisioner enables to make something run at boot; templates (`x@.service`) start nothing by themselves. */
const RUNNABLE = /^[^@\s]+\.(service|socket|timer|path|mount)$/;

/** `systemctl list-unit-files --state=enabled --no-legend --plain` → the enabled units that run something. */
export function parseEnabledUnits(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((unit) => RUNNABLE.test(unit))
    .sort();
}

export const LIST_ENABLED = 'systemctl list-unit-files --state=enabled --no-legend --plain';

export interface UnitState {
  readonly id: string;
  readonly type: string;
  readonly activeState: string;
  readonly subState: string;
  readonly result: string;
  readonly restarts: number;
  /** "no" when a Condition…= of the unit was not met, so systemd skipped it on purpose. */
  readonly condition: string;
}

export const SHOW_PROPERTIES = 'Id,Type,ActiveState,SubState,Result,NRestarts,ConditionResult';

/** `systemctl show -p Id,Type,... a b c` prints one block per unit, blocks separated by a blank line. */
export function parseUnitStates(output: string): UnitState[] {
  return output
    .trim()
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const props = new Map(
        block.split('\n').flatMap((line) => {
          const at = line.indexOf('=');
          return at < 0 ? [] : [[line.slice(0, at), line.slice(at + 1).trim()] as const];
        }),
      );
      return {
        id: props.get('Id') ?? '',
        type: props.get('Type') ?? '',
        activeState: props.get('ActiveState') ?? '',
        subState: props.get('SubState') ?? '',
        result: props.get('Result') ?? '',
        restarts: Number(props.get('NRestarts') ?? '0') || 0,
        condition: props.get('ConditionResult') ?? '',
      };
    });
}

export type UnitVerdict = 'ok' | 'failed' | 'pending';

/**
 * A unit is up when it is active (a oneshot that finished with success counts). It has failed when systemd says so,
 * and also when it is waiting to be restarted after a failure: with Restart=on-failure and RestartSec=5 it would
 * cycle for ever without ever reaching "failed" (StartLimitBurst counts 5 starts in 10 s).
 */
export function unitVerdict(state: UnitState): UnitVerdict {
  if (state.activeState === 'active') return 'ok';
  if (state.type === 'oneshot' && state.activeState === 'inactive' && state.result === 'success') return 'ok';
  // Skipped on purpose, e.g. fstrim.timer's ConditionVirtualization=!container: a unit that does not apply here.
  if (state.activeState === 'inactive' && state.condition === 'no') return 'ok';
  if (state.activeState === 'failed' || state.subState === 'auto-restart' || (state.result !== '' && state.result !== 'success'))
    return 'failed';
  return 'pending';
}

export const describeState = (s: UnitState): string =>
  s.activeState === 'inactive' && s.condition === 'no'
    ? 'skipped (a Condition of the unit is not met on this host)'
    : `${s.activeState} (${s.subState}${s.result && s.result !== 'success' ? `, result ${s.result}` : ''}${s.restarts ? `, ${s.restarts} restarts` : ''})`;

/** A health endpoint an image declares: the check of a Consul service definition its provisioners wrote. */
export interface HealthEndpoint {
  readonly service: string;
  readonly kind: 'http' | 'tcp';
  readonly port: number;
  /** For http: the path with query. */
  readonly path: string;
  /** As the definition writes it, e.g. http://localhost:9100/metrics. */
  readonly shown: string;
}

/**
 * The images say how to check their services in /etc/consul.d/service-*.hcl (provisioners/lib's
 * consul_service): `check { http = "http://localhost:PORT/PATH" }` or `tcp = "localhost:PORT"`.
 */
export const HEALTH_DEFINITIONS = 'for f in /etc/consul.d/service-*.hcl; do [ -f "$f" ] && { echo "=== $f"; cat "$f"; }; done; true';

export function parseHealthEndpoints(output: string): HealthEndpoint[] {
  const endpoints: HealthEndpoint[] = [];
  for (const chunk of output.split(/^=== /m).slice(1)) {
    const service = /^\s*name\s*=\s*"([^"]+)"/m.exec(chunk)?.[1];
    if (service === undefined) continue;
    const http = /^\s*http\s*=\s*"https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]):(\d+)(\/[^"]*)?"/m.exec(chunk);
    const tcp = /^\s*tcp\s*=\s*"(?:localhost|127\.0\.0\.1):(\d+)"/m.exec(chunk);
    if (http) {
      const path = http[2] ?? '/';
      endpoints.push({ service, kind: 'http', port: Number(http[1]), path, shown: `http://localhost:${http[1]}${path}` });
    } else if (tcp) {
      endpoints.push({ service, kind: 'tcp', port: Number(tcp[1]), path: '', shown: `tcp localhost:${tcp[1]}` });
    }
  }
  return endpoints;
}

/** Bash inside the host (no curl needed: the image may have none): prints the HTTP status line, or "connected". */
export function probeScript(endpoint: HealthEndpoint): string {
  if (endpoint.kind === 'http' && !/^\/[\x21-\x26\x28-\x7e]*$/.test(endpoint.path)) throw new Error(`bug: unusable path ${endpoint.path}`);
  const open = `exec 3<>/dev/tcp/127.0.0.1/${endpoint.port}`;
  if (endpoint.kind === 'tcp') return `${open} && echo connected`;
  return `${open} && printf 'GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' '${endpoint.path}' >&3 && timeout 5 head -n 1 <&3`;
}

/** Consul counts 2xx as passing (429 as warning): so do we. */
export function probePassed(endpoint: HealthEndpoint, output: string): boolean {
  if (endpoint.kind === 'tcp') return output.includes('connected');
  return /^HTTP\/\d(?:\.\d)? 2\d\d\b/m.test(output);
}

/** The program a unit starts, to tell an offline stand-in (examples/offline/prepare) from the real thing. */
export const execPathScript = (unit: string): string =>
  `systemctl show -p ExecStart ${unit} | sed -n 's/.*path=\\([^ ;]*\\).*/\\1/p' | head -n 1`;
export const STAND_IN_MARK = 'build-images offline stand-in';
