import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, makeProject, removeProjects } from './helpers/project.js';

afterAll(removeProjects);

const IMAGES = 1200;
const name = (i: number): string => `image-${String(i).padStart(4, '0')}`;

/** A 4-ary tree of IMAGES images: `graph --format mermaid` prints about 80 bytes for each, past a pipe's 64 KiB. */
function bigConfig(): string {
  const lines = ['version: 1', 'targets: { docker: { base_image: local/debian:bookworm } }', 'images:'];
  for (let i = 0; i < IMAGES; i++) {
    lines.push(`  ${name(i)}: { ${i === 0 ? '' : `parent: ${name(Math.floor((i - 1) / 4))}, `}provisioners: [a] }`);
  }
  return `${lines.join('\n')}\n`;
}

describe('output through a pipe', () => {
  // Writes to a pipe are asynchronous on POSIX (Node's docs, "A note on process I/O"): what the pipe
  // cannot take at once waits in the process, and process.exit() used to drop it (src/flush-exit.ts).
  // The reader takes one line, then nothing for a second: the CLI's one big write fills the 64 KiB pipe
  // and the rest is still queued when main() returns.
  it('delivers every line to a reader that is slow to read, and still exits with the command’s code', async () => {
    const dir = await makeProject({ 'images.yaml': bigConfig(), 'provisioners/a.sh': '#!/bin/sh\ntrue\n' });
    const toFile = await execa(process.execPath, [BIN, 'graph', '--format', 'mermaid'], { cwd: dir });
    const expected = toFile.stdout;
    expect(expected.length).toBeGreaterThan(64 * 1024);
    // Mermaid ids: img_ and the name with `-` as `__`.
    expect(expected.split('\n').at(-1)).toBe('  img_image__0299 --> img_image__1199');

    const piped = await execa(
      'sh',
      [
        '-c',
        `"$0" "$1" graph --format mermaid | { IFS= read -r first; sleep 1; printf '%s\\n' "$first"; cat; }; echo "exit $?"`,
        process.execPath,
        BIN,
      ],
      { cwd: dir },
    );
    const lines = piped.stdout.split('\n');
    expect(lines.at(-1)).toBe('exit 0');
    expect(lines.slice(0, -1).join('\n')).toBe(expected);
  });

  it('exits with the command’s code, and no stack trace, when the reader goes away early (`| head -1`)', async () => {
    const dir = await makeProject({ 'images.yaml': bigConfig(), 'provisioners/a.sh': '#!/bin/sh\ntrue\n' });
    const piped = await execa('sh', ['-c', `{ "$0" "$1" graph --format mermaid; echo "exit $?" >&2; } | head -1`, process.execPath, BIN], {
      cwd: dir,
    });
    expect(piped.stdout).toBe('flowchart TD');
    expect(piped.stderr).toBe('exit 0');
  });
});
