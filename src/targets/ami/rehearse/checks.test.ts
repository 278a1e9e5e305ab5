import { describe, expect, it } from 'vitest';
import {
  parseEnabledUnits,
  parseHealthEndpoints,
  parseUnitStates,
  probePassed,
  probeScript,
  unitVerdict,
  type UnitState,
} from './checks.js';

const state = (over: Partial<UnitState>): UnitState => ({
  id: 'x.service',
  type: 'simple',
  activeState: 'active',
  subState: 'running',
  result: 'success',
  restarts: 0,
  condition: 'yes',
  ...over,
});

describe('rehearsal checks', () => {
  it('lists enabled units that run something, not templates or targets', () => {
    const out = [
      'consul.service                 enabled enabled',
      'getty@.service                 enabled enabled',
      'remote-fs.target               enabled enabled',
      'node-exporter.service          enabled enabled',
      'fstrim.timer                   enabled enabled',
    ].join('\n');
    expect(parseEnabledUnits(out)).toEqual(['consul.service', 'fstrim.timer', 'node-exporter.service']);
  });

  it('reads `systemctl show` blocks', () => {
    const out =
      'Id=a.service\nType=simple\nActiveState=active\nSubState=running\nResult=success\nNRestarts=0\n\nId=b.service\nType=oneshot\nActiveState=inactive\nSubState=dead\nResult=success\nNRestarts=0\n';
    expect(parseUnitStates(out).map((s) => [s.id, unitVerdict(s)])).toEqual([
      ['a.service', 'ok'],
      ['b.service', 'ok'],
    ]);
  });

  it('counts a unit waiting to be restarted after a failure as failed, not as still starting', () => {
    // Restart=on-failure with RestartSec=5 never reaches "failed" (StartLimitBurst is 5 starts in 10 s).
    expect(unitVerdict(state({ activeState: 'activating', subState: 'auto-restart', result: 'exit-code', restarts: 3 }))).toBe('failed');
    expect(unitVerdict(state({ activeState: 'failed', subState: 'failed', result: 'exit-code' }))).toBe('failed');
    expect(unitVerdict(state({ activeState: 'activating', subState: 'start', result: 'success' }))).toBe('pending');
    expect(unitVerdict(state({ type: 'simple', activeState: 'inactive', subState: 'dead', result: 'success' }))).toBe('pending');
    expect(unitVerdict(state({ type: 'simple', activeState: 'inactive', subState: 'dead', condition: 'no' }))).toBe('ok');
  });

  it('takes the health endpoints from the Consul service definitions the provisioners wrote', () => {
    const out = [
      '=== /etc/consul.d/service-node-exporter.hcl',
      'service {',
      '  name = "node-exporter"',
      '  check {',
      '    id       = "node-exporter"',
      '    http     = "http://localhost:9100/metrics"',
      '  }',
      '}',
      '=== /etc/consul.d/service-nginx.hcl',
      'service {',
      '  name = "nginx"',
      '  check {',
      '    tcp      = "localhost:80"',
      '  }',
      '}',
    ].join('\n');
    expect(parseHealthEndpoints(out)).toEqual([
      { service: 'node-exporter', kind: 'http', port: 9100, path: '/metrics', shown: 'http://localhost:9100/metrics' },
      { service: 'nginx', kind: 'tcp', port: 80, path: '', shown: 'tcp localhost:80' },
    ]);
  });

  it('probes with bash alone and passes only 2xx, as Consul does', () => {
    const endpoint = { service: 'p', kind: 'http', port: 9090, path: '/-/healthy', shown: '' } as const;
    expect(probeScript(endpoint)).toContain('/dev/tcp/127.0.0.1/9090');
    expect(probePassed(endpoint, 'HTTP/1.1 200 OK')).toBe(true);
    expect(probePassed(endpoint, 'HTTP/1.0 503 Service Unavailable')).toBe(false);
    expect(probePassed(endpoint, 'bash: connect: Connection refused')).toBe(false);
    expect(() => probeScript({ ...endpoint, path: "/x'; rm -rf /" })).toThrow(/bug/);
  });
});
