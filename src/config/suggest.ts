/**
 * Optimal string alignment distance: Levenshtein plus adjacent transpositions, so that
 * "bsae" is one edit from "base".
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    const row = d[i];
    if (row === undefined) continue;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row[j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The candidate `word` was most likely meant to be, or undefined. Case differences are
 * free; otherwise at most two edits, and fewer edits than the word is long, so that "x"
 * does not "mean" "y".
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.min(2, word.length - 1);
  return bestDistance <= limit || bestDistance === 0 ? best : undefined;
}

/** `did you mean "base"? Known images: base, consul`, or just the list: the hint for an unknown name. */
export function unknownNameHint(word: string, candidates: readonly string[], what: string): string {
  const list = candidates.length === 0 ? `no ${what} are defined` : `known ${what}: ${candidates.join(', ')}`;
  const guess = didYouMean(word, candidates);
  // After a question the list starts a new sentence.
  return guess === undefined ? list : `did you mean "${guess}"? ${list.charAt(0).toUpperCase()}${list.slice(1)}`;
}
