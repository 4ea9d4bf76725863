import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/golden/**/*.test.ts'],
    environment: 'node',
    // Relaxed SIMD on, as the CLI and the engine worker turn it on (Node 20 keeps it behind a flag).
    setupFiles: ['test/unit/support/wasmFeatures.ts'],
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['engine/**/*.ts'],
      exclude: ['engine/node/**'],
      reporter: ['text-summary', 'json-summary'],
      // The engine's line coverage may not fall below 90% (the engine issue's bar).
      thresholds: { lines: 90 },
    },
  },
});
