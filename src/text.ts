/** Small text helpers every layer may use (ui/format.ts re-exports them for the renderers). */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
