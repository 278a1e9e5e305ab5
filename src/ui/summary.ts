import type { BuildEvent } from '../engine/events.js';
import { formatDuration, shortId, table } from './format.js';

interface Row {
  result: string;
  id: string;
  duration: string;
}

/** Collects the final state of each image from the events and renders the closing table. */
export function summaryCollector() {
  const rows = new Map<string, Row>();
  return {
    onEvent(event: BuildEvent): void {
      switch (event.type) {
        case 'queued':
          rows.set(event.image, { result: 'pending', id: '', duration: '' });
          return;
        case 'done':
          rows.set(event.image, { result: 'built', id: shortId(event.id), duration: formatDuration(event.durationMs) });
          return;
        case 'reused':
          rows.set(event.image, { result: 'reused', id: shortId(event.id), duration: '' });
          return;
        case 'failed':
          rows.set(event.image, { result: 'FAILED', id: '', duration: formatDuration(event.durationMs) });
          return;
        case 'skipped':
          rows.set(event.image, { result: 'skipped', id: '', duration: '' });
          return;
        default:
          return;
      }
    },
    render(): string {
      return table(
        ['IMAGE', 'RESULT', 'ID', 'DURATION'],
        [...rows].map(([image, r]) => [image, r.result, r.id, r.duration]),
      );
    },
  };
}
