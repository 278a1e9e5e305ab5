import { describe, expect, it } from 'vitest';
import { amiProvisionerBlocks, renderAmiTemplate } from '../../../packer/render-ami.js';
import { volumesOf } from '../../../commands/rehearse.js';
import { renderRehearsalTemplate } from './template.js';

describe('rehearsal template', () => {
  const input = { image: 'nginx', provisioners: ['nginx', 'nginxlog-exporter'], uploadLib: true };

  it('holds the AMI template’s provisioner blocks line for line', () => {
    const ami = renderAmiTemplate({ ...input, root: false, packer: { major: 1, minor: 6, patch: 6 } });
    const rehearsal = renderRehearsalTemplate(input);
    const blocks = amiProvisionerBlocks(input).join('\n');
    expect(ami).toContain(blocks);
    expect(rehearsal).toContain(blocks);
    expect(rehearsal).toContain('source "null" "nginx" {');
    expect(rehearsal).toContain('sources = ["source.null.nginx"]');
  });

  it('makes the lib folder before uploading into it (finding 1: scp -rvt into a missing folder writes a file)', () => {
    const blocks = amiProvisionerBlocks(input).join('\n');
    const mkdir = blocks.indexOf('mkdir -m 700 -p /tmp/build-images/lib');
    const upload = blocks.indexOf('destination = "/tmp/build-images/lib"');
    expect(mkdir).toBeGreaterThan(-1);
    expect(upload).toBeGreaterThan(mkdir);
  });

  it('mounts the volumes of targets.docker.run_args in the hosts, and nothing else of them', () => {
    expect(volumesOf(['--network=host', '--volume=/var/cache/m:/mirror:ro', '-v', '/a:/b', '--volume', '/c:/d', '--cpus=2'])).toEqual([
      '/var/cache/m:/mirror:ro',
      '/a:/b',
      '/c:/d',
    ]);
  });
});
