export { formatDuration, shortId } from '../text.js';

/** A plain-text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // A loop, not Math.max(...cells): spreading one argument per row overflows the stack past ~100,000 images.
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const render = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n');
}
