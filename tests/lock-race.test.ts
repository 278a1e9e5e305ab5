/**
 * Issue 13, finding 4: with a stale lock left by a dead pid, two concurrent runs both "took over" and both
 * built (once in 24 tries). Here many real processes race for one stale lock, round after round: in each,
 * exactly one may win, and the lock file names that winner.
 */
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './helpers/project.js';

const ROUNDS = 8;
const RACERS = 12;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/**
 * One racer: waits for the start time, tries once, prints the outcome. A winner holds the lock until every
 * racer has tried (the test then creates \`stop\`), so a late starter cannot win a lock already released.
 */
const RACER = `
const { existsSync } = await import('node:fs');
const { acquireLock } = await import(${JSON.stringify(join(REPO, 'dist', 'engine', 'lock.js'))});
const [dir, startAt] = process.argv.slice(1);
while (Date.now() < Number(startAt)) {}
const r = await acquireLock(dir, 'build');
process.stdout.write(r.ok ? 'won' : 'lost');
if (r.ok) {
  while (!existsSync(dir + '/stop')) await new Promise((res) => setTimeout(res, 50));
  await r.release();
}
`;

describe('stale lock take-over', () => {
  it(`exactly one of ${RACERS} concurrent processes wins, in each of ${ROUNDS} rounds`, { timeout: 120_000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = await mkdtemp(join(tmpdir(), 'build-images-lock-'));
      dirs.push(dir);
      await mkdir(join(dir, '.build-images'));
      // pid 2^22+1 is above Linux's pid_max limit: certainly not running.
      await writeFile(
        join(dir, '.build-images', 'lock'),
        JSON.stringify({ pid: 4_194_305, host: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'build' }),
      );
      const startAt = Date.now() + 3000;
      let told = 0;
      const racers = Array.from({ length: RACERS }, () => {
        const racer = execa(process.execPath, ['--input-type=module', '-e', RACER, dir, String(startAt)], { reject: false });
        // A racer that crashed prints nothing on stdout: count its exit instead, so the winner is never kept waiting.
        let done = false;
        const tell = (): void => {
          if (done) return;
          done = true;
          if (++told === RACERS) void writeFile(join(dir, 'stop'), '');
        };
        racer.stdout.once('data', tell);
        void racer.finally(tell);
        return racer;
      });
      const runs = await Promise.all(racers);
      const outcomes = runs.map((r) => r.stdout || `error: ${r.stderr}`);
      expect(
        outcomes.filter((o) => o === 'won'),
        `round ${round}: ${outcomes.join(', ')}`,
      ).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'lost')).toHaveLength(RACERS - 1);
      // The winner released its lock; no temp or claim file is left behind.
      expect(await readdir(join(dir, '.build-images'))).toEqual([]);
    }
  });
});
