import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    // The end-to-end build runs real Packer against a real Docker engine: minutes, not seconds.
    testTimeout: 20_000,
    hookTimeout: 900_000,
  },
});
