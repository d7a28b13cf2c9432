import { defineConfig } from 'vitest/config';

// The container suite alone (test/run-suites.mjs runs it after the others): one long build.
export default defineConfig({
  test: {
    include: ['test/container/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
  },
});
