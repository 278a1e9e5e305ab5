import type { ListrTaskWrapper } from 'listr2';
import type { BuildEvent } from '../engine/events.js';
import { formatDuration, shortId } from './format.js';

type Settled = { kind: 'done'; text: string } | { kind: 'failed'; text: string } | { kind: 'skipped'; text: string };

interface ImageTask {
  parent?: string | undefined;
  started?: number;
  settle?: (s: Settled) => void;
  settled?: Settled;
  output?: (line: string) => void;
  title?: (text: string) => void;
  latest?: string;
}

/**
 * listr2 in a terminal: one line per image with its state, elapsed time and latest log line. Tasks
 * are made from the `queued` events; the engine's events resolve them. `finish()` waits for the render.
 * listr2 is imported when the display starts (the first build, reuse or skip), so no other command,
 * and no --plain or CI run, pays for loading it.
 */
export function listrRenderer(): { onEvent: (event: BuildEvent) => void; finish: () => Promise<void> } {
  const tasks = new Map<string, ImageTask>();
  const notes: string[] = [];
  let started = false;
  let running: Promise<unknown> | undefined;
  let ticker: NodeJS.Timeout | undefined;

  const start = (): void => {
    if (started) return;
    started = true;
    // Tasks are taken as they are now: every `queued` event comes before the first `started`.
    const images = [...tasks];
    running = import('listr2').then(({ Listr }) =>
      new Listr(
        images.map(([image, state]) => ({
          title: state.parent === undefined ? image : `${image}: waiting for ${state.parent}`,
          task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
            state.output = (line) => (task.output = line);
            state.title = (text) => (task.title = text);
            const settled = state.settled ?? (await new Promise<Settled>((resolve) => (state.settle = resolve)));
            task.title = `${image}: ${settled.text}`;
            if (settled.kind === 'failed') throw new Error(settled.text);
            if (settled.kind === 'skipped') task.skip(`${image}: ${settled.text}`);
          },
        })),
        { concurrent: true, exitOnError: false },
      )
        .run()
        .catch(() => undefined),
    );
    ticker = setInterval(() => {
      for (const [image, state] of tasks) {
        if (state.started !== undefined && !state.settled) {
          state.title?.(`${image}: building ${formatDuration(Math.round((Date.now() - state.started) / 1000) * 1000)}`);
        }
      }
    }, 1000);
  };

  const settle = (image: string, s: Settled): void => {
    const state = tasks.get(image);
    if (!state) return;
    state.settled = s;
    state.settle?.(s);
  };

  return {
    onEvent(event) {
      switch (event.type) {
        case 'note':
          if (started) notes.push(event.message);
          else process.stderr.write(`${event.message}\n`);
          return;
        case 'queued':
          tasks.set(event.image, { parent: event.parent });
          return;
        case 'started': {
          start();
          const state = tasks.get(event.image);
          if (state) state.started = Date.now();
          return;
        }
        case 'reused':
          start();
          return settle(event.image, { kind: 'done', text: `reused ${shortId(event.id)} (unchanged)` });
        case 'log':
          tasks.get(event.image)?.output?.(event.line);
          return;
        case 'done':
          return settle(event.image, { kind: 'done', text: `built ${shortId(event.id)} in ${formatDuration(event.durationMs)}` });
        case 'failed':
          return settle(event.image, { kind: 'failed', text: `failed after ${formatDuration(event.durationMs)}: ${event.message}` });
        case 'skipped':
          start();
          return settle(event.image, {
            kind: 'skipped',
            text: event.because === 'interrupt' ? 'skipped (interrupted)' : `skipped: ${event.because} did not build`,
          });
      }
    },
    async finish() {
      await running;
      if (ticker) clearInterval(ticker);
      for (const note of notes) process.stderr.write(`${note}\n`);
    },
  };
}
