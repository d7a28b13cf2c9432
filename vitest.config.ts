import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The image build is long and heavy: test/run-suites.mjs runs it on its own, last.
    exclude: ['test/container/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make the installer's own timings noisier.
    maxWorkers: 2,
  },
});
