import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // The browser test starts a server process and Chromium: one file at a time on a 2-core machine.
    fileParallelism: false,
  },
});
