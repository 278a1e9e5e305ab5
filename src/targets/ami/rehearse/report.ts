import type { ImageRehearsal } from './rehearse.js';

/** Pure: what `build-images rehearse` prints when done, per image the units and checks that passed. */
export function renderRehearsal(results: readonly ImageRehearsal[], seconds: number): string {
  const out: string[] = [];
  for (const r of results) {
    switch (r.outcome) {
      case 'passed':
        out.push(`${r.image}: passed in ${r.seconds} s`);
        out.push(`  system   ${r.system} after a boot from the rehearsed image`);
        if (r.units.length === 0) out.push('  units    (none enabled by provisioners)');
        for (const u of r.units) out.push(`  unit     ${u.unit} ${u.state}${u.own ? '' : ' (from a parent)'}`);
        for (const h of r.health) out.push(`  health   ${h.service} ${h.endpoint}: ${h.status === 'ok' ? h.detail : h.detail}`);
        break;
      case 'failed':
        out.push(`${r.image}: FAILED after ${r.seconds} s`);
        out.push(...r.reason.split('\n').map((l) => `  ${l}`));
        if (r.logFile) out.push(`  Packer log: ${r.logFile}`);
        break;
      case 'skipped':
        out.push(`${r.image}: skipped (${r.reason})`);
        break;
      case 'interrupted':
        out.push(`${r.image}: interrupted`);
        break;
      default:
        return unreachable(r);
    }
  }
  const passed = results.filter((r) => r.outcome === 'passed').length;
  out.push('');
  out.push(
    `Rehearsed ${passed} of ${results.length} image${results.length === 1 ? '' : 's'} in ${seconds} s: provisioned over SSH by Packer as on EC2 ` +
      '(PACKER_BUILDER_TYPE=amazon-ebs), booted with systemd, checked. No AWS was used and no tfvars were written.',
  );
  return `${out.join('\n')}\n`;
}

function unreachable(x: never): never {
  throw new Error(`bug: unexpected ${JSON.stringify(x)}`);
}
