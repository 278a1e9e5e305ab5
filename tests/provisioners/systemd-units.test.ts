import { describe, expect, it, beforeAll } from 'vitest';
import { assertPrerequisites, E2E, e2eTitle } from '../helpers/e2e.js';
import { runProvisioners } from '../helpers/provisioners.js';

/**
 * The machine-image (AMI) side of the provisioners, without AWS: every script runs as it would under Packer's
 * amazon-ebs builder (PACKER_BUILDER_TYPE=amazon-ebs) in one Debian 12 container with Debian's systemd package,
 * from the offline mirror. Then the units they wrote must pass `systemd-analyze verify` (which loads each unit
 * and its dependencies and checks that every command exists), be enabled at boot, carry the hardening, and no
 * image-start entry may exist. consul-instance-config runs with no network (no instance metadata service) and
 * must still write the node name.
 */
const SCRIPTS = ['node-exporter', 'consul', 'consul-server', 'cortex', 'nginx', 'nginxlog-exporter', 'prometheus', 'grafana'];
const OURS = ['node-exporter', 'consul', 'consul-instance-config', 'cortex', 'nginxlog-exporter', 'prometheus', 'grafana'];

describe.skipIf(!E2E)(e2eTitle('systemd units of the machine images'), () => {
  let run: Awaited<ReturnType<typeof runProvisioners>>;

  beforeAll(async () => {
    await assertPrerequisites();
    const units = OURS.map((u) => `/etc/systemd/system/${u}.service`).join(' ');
    run = await runProvisioners({
      scripts: SCRIPTS,
      builder: 'amazon-ebs',
      before: 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1',
      after: [
        'echo "=== verify"',
        `systemd-analyze verify --man=no ${units} nginx.service 2>&1 && echo "verify: ok"`,
        'echo "=== enabled"',
        `systemctl is-enabled ${OURS.join(' ')} nginx`,
        'echo "=== image-start"',
        'ls /etc/image-start.d 2>&1 || true',
        'echo "=== units"',
        `cat ${units}`,
        'echo "=== instance"',
        'hostname -s',
        // Never the real metadata address from a test machine: a closed local port stands in for "not on EC2".
        'echo IMDS_ENDPOINT=http://127.0.0.1:9 >> /etc/default/consul-instance-config',
        '/usr/local/libexec/build-images/consul-instance-config >/dev/null && cat /etc/consul.d/instance.hcl',
      ].join('\n'),
    });
  }, 600_000);

  const section = (name: string): string => {
    const m = new RegExp(`=== ${name}\\n([\\s\\S]*?)(?:\\n=== |$)`).exec(run.output);
    return m?.[1] ?? '';
  };

  it('every script succeeds in amazon-ebs mode', () => {
    expect(run.exitCode, run.output.slice(-4000)).toBe(0);
  });

  it('systemd-analyze verify accepts every unit, with no warning', () => {
    expect(section('verify').trim(), run.output.slice(-4000)).toBe('verify: ok');
  });

  it('enables every service at boot', () => {
    expect(section('enabled').trim().split('\n')).toEqual([...OURS, 'nginx'].map(() => 'enabled'));
  });

  it('writes no Docker start entries on a machine image', () => {
    expect(section('image-start')).toMatch(/No such file or directory/);
  });

  it('runs each service as its own user, hardened, restarted on failure', () => {
    const units = section('units');
    for (const [unit, user] of [
      ['node-exporter', 'node_exporter'],
      ['consul', 'consul'],
      ['cortex', 'cortex'],
      ['nginxlog-exporter', 'prometheus-nginxlog-exporter'],
      ['prometheus', 'prometheus'],
      ['grafana', 'grafana'],
    ] as const) {
      expect(units, unit).toMatch(
        new RegExp(
          `ExecStart=/\\S+/${unit === 'node-exporter' ? 'node_exporter' : unit === 'nginxlog-exporter' ? 'prometheus-nginxlog-exporter' : unit}[^\\n]*\\n`,
        ),
      );
      expect(units).toContain(`User=${user}\nGroup=${user}\n`);
    }
    expect(units.match(/^NoNewPrivileges=yes$/gm)?.length).toBe(OURS.length);
    expect(units.match(/^ProtectSystem=strict$/gm)?.length).toBe(OURS.length);
    expect(units.match(/^Restart=on-failure$/gm)?.length).toBe(OURS.length - 1);
    expect(units).toContain('Before=consul.service');
    expect(units).toMatch(/After=network-online.target consul-instance-config.service/);
  });

  it('renders the instance settings at boot, and off EC2 falls back to the host name', () => {
    const [host, ...rest] = section('instance').trim().split('\n');
    expect(rest.join('\n')).toContain(`node_name = "${host}"`);
    expect(rest.join('\n')).not.toContain('retry_join');
  });
});
