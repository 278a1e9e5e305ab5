import type { Writable } from 'node:stream';

/**
 * Exits once what the process wrote to stdout and stderr has been handed to the OS.
 *
 * Why this is needed: process.exit() drops writes still queued in the process. Writes to a pipe or a
 * socket are asynchronous on POSIX (Node's docs, "A note on process I/O"), and the stdout a Node parent
 * gives its child with `stdio: 'pipe'` is a Unix stream socket, not a pipe: libuv makes it with
 * uv_socketpair(SOCK_STREAM) (nodejs/node deps/uv/src/unix/process.c, uv__process_init_stdio). A socket
 * charges every write a whole buffer of kernel memory, so 1,000 lines of 39 bytes (generate on 1,000
 * images) overflow its send buffer while the reader is busy, and the rest waits in libuv's queue: the
 * bench saw exit 0 with the last 100-700 lines missing. GNU time only passes that socket through.
 *
 * process.exit stays (not process.exitCode): an engine call left hanging by an interrupt must not keep the
 * process alive. So the wait is bounded: it gives up when the reader has taken nothing for `stallMs`
 * (a reader that stopped reading but keeps the pipe open), and a reader that went away ends it at once.
 */
export async function exitWhenFlushed(code: number, stallMs = 10_000): Promise<never> {
  // A reader that went away (`build-images graph | head -1`) fails the pending writes with EPIPE: nothing
  // is left to tell, and without a listener the error would crash the exit with a stack trace.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  await Promise.all([flushed(process.stdout, stallMs), flushed(process.stderr, stallMs)]);
  process.exit(code);
}

/** Resolves when `stream` has nothing queued, when it fails or closes, or after `stallMs` without progress. */
export function flushed(stream: Writable, stallMs: number): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let last = stream.writableLength;
    const done = (): void => {
      clearInterval(watch);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    // Every write completes in order, so this callback runs once everything written before it has.
    stream.write('', done);
    stream.once('error', done);
    stream.once('close', done);
    const watch = setInterval(() => {
      if (stream.writableLength === last) done();
      last = stream.writableLength;
    }, stallMs);
  });
}
