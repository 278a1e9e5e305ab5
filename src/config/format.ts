import type { Diagnostic } from './diagnostic.js';

const GUTTER = 5;
const HINT = '  hint: ';
/** Characters of a source line shown in an excerpt. */
const MAX_EXCERPT = 120;

/**
 * Renders one diagnostic the way rustc and wireit do:
 *
 *     images.yaml:4:21: error: unknown parent "bsae" of image "cortex"
 *         4 |   cortex: { parent: bsae, provisioners: [cortex] }
 *           |                     ^^^^
 *       hint: did you mean "base"? Known images: base, consul, cortex
 *
 * The excerpt appears when the location has a length and `source` (the file's text) is
 * given; further hint lines are indented under the first.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const lines: string[] = [];
  const at = d.location;
  lines.push(at === undefined ? `error: ${d.message}` : `${at.file}:${at.line}:${at.column}: error: ${d.message}`);
  if (at?.length !== undefined && source !== undefined) lines.push(...excerpt(source, at.line, at.column, at.length));
  if (d.hint !== undefined) {
    const [first, ...more] = d.hint.split('\n');
    lines.push(HINT + (first ?? ''), ...more.map((l) => ' '.repeat(HINT.length) + l));
  }
  return lines.join('\n');
}

/** Every diagnostic, separated by blank lines, each file read at most once. */
export function formatDiagnostics(ds: readonly Diagnostic[], readSource: (file: string) => string | undefined): string {
  const sources = new Map<string, string | undefined>();
  const sourceOf = (file: string): string | undefined => {
    if (!sources.has(file)) sources.set(file, readSource(file));
    return sources.get(file);
  };
  return ds.map((d) => formatDiagnostic(d, d.location === undefined ? undefined : sourceOf(d.location.file))).join('\n\n');
}

function excerpt(source: string, line: number, column: number, length: number): string[] {
  const full = source
    .replace(/^\uFEFF/, '')
    .split('\n')
    [line - 1]?.replace(/\r$/, '');
  if (full === undefined) return [];
  // A 1 MB value on one line must not fill the terminal: show the line up to a little past the column.
  const visible = Math.max(MAX_EXCERPT, column - 1 + MAX_EXCERPT / 2);
  const text = full.length > visible ? `${full.slice(0, visible)}…` : full;
  const start = Math.min(column - 1, text.length);
  const width = Math.max(1, Math.min(length, text.length - start));
  // Tabs are kept in the padding so the carets line up however the terminal renders tabs.
  const padding = text.slice(0, start).replace(/[^\t]/g, ' ');
  return [`${String(line).padStart(GUTTER)} | ${text}`.trimEnd(), `${' '.repeat(GUTTER)} | ${padding}${'^'.repeat(width)}`];
}
