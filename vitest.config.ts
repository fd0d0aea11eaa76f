import { defineConfig } from 'vitest/config';

// Tests run real processes, git repositories and HTTP servers on a 2-core machine, so the
// timeouts are generous and no test asserts a duration.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
