import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/project.js';

/** Documented once, under "Options every command takes". */
const COMMON = ['--config', '--target', '--help'];

const doc = await readFile(join(REPO, 'docs', 'cli.md'), 'utf8');
const topHelp = (await runCli(REPO, ['--help'])).stdout;
/** Every command `build-images --help` lists, except commander's own `help`. */
const commands = [...(topHelp.split('\nCommands:\n')[1] ?? '').matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');

/** The text of `## <heading>` up to the next `## `. */
function section(heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start === -1) return '';
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

/** Whether `option` appears inside a code span, e.g. `-c, --config <file>`. */
const inCode = (text: string, option: string): boolean => new RegExp(`\`[^\`\\n]*${option}(?![\\w-])`).test(text);

/** Long option names from the "Options:" block of `--help` output. */
function helpOptions(help: string): string[] {
  const block = help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '';
  return [...block.matchAll(/^ {2}(?:-\w, )?(--[a-z][\w-]*)/gm)].map((m) => m[1]!);
}

describe('docs/cli.md covers every command and every option --help lists', () => {
  it('finds the commands in --help', () => {
    expect(commands).toEqual(expect.arrayContaining(['build', 'plan', 'generate', 'doctor', 'graph']));
  });

  it.each(commands)('build-images %s', async (command) => {
    const help = await runCli(REPO, [command, '--help']);
    expect(help.exitCode).toBe(0);
    const text = section(`build-images ${command}`);
    expect(text, `docs/cli.md has no "## build-images ${command}" section`).not.toBe('');
    const common = section('Options every command takes');
    const missing = helpOptions(help.stdout).filter((o) => !inCode(COMMON.includes(o) ? common : text, o));
    expect(missing, `options of \`build-images ${command}\` missing from docs/cli.md`).toEqual([]);
  });

  it('documents the top-level options', () => {
    for (const option of helpOptions(topHelp)) expect(inCode(doc, option) || doc.includes(`build-images ${option}`), option).toBe(true);
  });
});
