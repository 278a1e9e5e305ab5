import type { Diagnostic } from './diagnostic.js';

/**
 * Diagnostics without a location (about a file as a whole) first, then by file in the
 * given order (the --config order; unknown files after, by name), line and column.
 * Stable, so problems at one spot keep the order they were found in.
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const rank = (file: string): number => {
    const i = fileOrder.indexOf(file);
    return i === -1 ? fileOrder.length : i;
  };
  return [...diagnostics].sort((a, b) => {
    const la = a.location;
    const lb = b.location;
    if (la === undefined || lb === undefined) return la === lb ? 0 : la === undefined ? -1 : 1;
    return (
      rank(la.file) - rank(lb.file) || (la.file < lb.file ? -1 : la.file > lb.file ? 1 : 0) || la.line - lb.line || la.column - lb.column
    );
  });
}
