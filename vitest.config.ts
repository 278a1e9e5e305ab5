import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    // The end-to-end build runs real Packer against a real Docker engine: minutes, not seconds.
    testTimeout: 20_000,
    hookTimeout: 900_000,
    // One file at a time: the end-to-end files share one Docker engine and assert that no build
    // containers are left behind, which a parallel file's running build would break. Unit files are fast.
    fileParallelism: false,
  },
});
