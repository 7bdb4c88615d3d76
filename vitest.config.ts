import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // the second says why tests were skipped when the PostgreSQL / Redis URLs are not set
    reporters: ['default', './packages/server/test/skipped-suites-reporter.ts'],
  },
});
