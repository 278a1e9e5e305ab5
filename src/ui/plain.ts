import type { BuildEvent } from '../engine/events.js';
import { shortId, formatDuration } from './format.js';

/** One timestamped line per event, prefixed with the image: for CI logs and pipes. */
export function plainRenderer(write: (line: string) => void, options: { verbose: boolean; images: readonly string[]; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  const width = options.images.reduce((w, i) => Math.max(w, i.length), 0);
  const line = (image: string | undefined, text: string): void => {
    const stamp = now()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    write(image === undefined ? `${stamp} ${text}` : `${stamp} ${image.padEnd(width)} | ${text}`);
  };
  return (event: BuildEvent): void => {
    switch (event.type) {
      case 'note':
        return line(undefined, event.message);
      case 'queued':
        return line(event.image, event.parent === undefined ? 'queued' : `queued (after ${event.parent})`);
      case 'started':
        return line(event.image, `building: ${event.reasons.join('; ')}`);
      case 'reused':
        return line(event.image, `reused ${shortId(event.id)} (unchanged)`);
      case 'log':
        if (options.verbose) line(event.image, event.line);
        return;
      case 'done':
        return line(event.image, `built ${shortId(event.id)} in ${formatDuration(event.durationMs)}`);
      case 'failed':
        line(event.image, `FAILED after ${formatDuration(event.durationMs)}: ${event.message}`);
        for (const text of event.logTail) line(event.image, `  ${text}`);
        if (event.logFile) line(event.image, `full log: ${event.logFile}`);
        return;
      case 'skipped':
        return line(event.image, event.because === 'interrupt' ? 'skipped (interrupted)' : `skipped: ${event.because} did not build`);
    }
  };
}
