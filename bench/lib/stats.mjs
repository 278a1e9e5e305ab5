// Small helpers for summarising repeated measurements and printing them.
export const median = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const min = (xs) => Math.min(...xs);
export const max = (xs) => Math.max(...xs);

/** Seconds with 2 decimals below 10 s, 1 decimal above. */
export const sec = (ms) => (!Number.isFinite(ms) ? 'n/a' : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
export const msText = (ms) =>
  !Number.isFinite(ms) ? 'n/a' : Math.abs(ms) >= 1000 ? sec(ms) : Math.abs(ms) < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
export const mb = (bytes) =>
  !Number.isFinite(bytes)
    ? 'n/a'
    : Math.abs(bytes) < 1e6
      ? `${(bytes / 1e3).toFixed(1)} kB`
      : `${(bytes / 1e6).toFixed(Math.abs(bytes) < 1e7 ? 2 : 1)} MB`;
export const mbFromKb = (kb) => (kb === undefined ? 'n/a' : `${Math.round(kb / 1024)} MiB`);
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
export const fixed = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
export const spread = (xs, fmt = sec) =>
  xs.length > 1 ? `${fmt(median(xs))} (${fmt(min(xs))}–${fmt(max(xs))}, n=${xs.length})` : `${fmt(xs[0])} (n=1)`;

/**
 * How long the Packer builds alone take when started the way the tool's ready-pool scheduler
 * starts them: parents before children, at most `slots` at once, ready images in tree order.
 * `images`: [{ image, parent, durationMs }] in tree order (parents first).
 */
export function scheduledMakespan(images, slots) {
  const byParent = new Map();
  for (const i of images) byParent.set(i.parent, [...(byParent.get(i.parent) ?? []), i]);
  const ready = [...(byParent.get(null) ?? [])];
  const running = []; // { image, end }
  let now = 0;
  while (ready.length > 0 || running.length > 0) {
    while (ready.length > 0 && running.length < slots) {
      const next = ready.shift();
      running.push({ image: next.image, end: now + next.durationMs });
    }
    running.sort((a, b) => a.end - b.end);
    const done = running.shift();
    now = done.end;
    ready.push(...(byParent.get(done.image) ?? []));
  }
  return now;
}
