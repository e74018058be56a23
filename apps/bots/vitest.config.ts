import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The end-to-end test runs a gateway and a child process of bots; one file at a time keeps its
    // timing honest on a 2-core machine.
    fileParallelism: false,
  },
});
