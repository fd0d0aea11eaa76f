import { defineConfig } from 'vitest/config';

/**
 * Three projects, by folder (`npm run test:unit`, `test:integration`, `test:e2e`; `npm test` runs
 * all three):
 * - e2e: the bundles as users run them (`node dist/index.js`, `dist/cli`, the packed package);
 *   they need `npm run bundle` after a change to src/;
 * - integration: real processes, HTTP servers, git repositories, the loopback GitHub, a browser;
 * - unit: everything else (pure code, golden files, seeded simulations).
 * A new test folder is a unit folder unless it is listed here.
 */
const E2E = ['__tests__/e2e/**/*.test.ts', '__tests__/cli/**/*.test.ts', '__tests__/package/**/*.test.ts'];
const INTEGRATION = [
  '__tests__/adapters/**/*.test.ts',
  '__tests__/app/**/*.integration.test.ts',
  '__tests__/github/**/*.test.ts',
  '__tests__/http/**/*.test.ts',
  '__tests__/lint/**/*.test.ts',
  '__tests__/render-html/browser.test.ts',
];

// Tests run real processes, git repositories and HTTP servers on a 2-core machine, so the
// timeouts are generous and no test asserts a duration.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['__tests__/**/*.test.ts'], exclude: [...E2E, ...INTEGRATION] } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
      // Whole pipelines (builds, worktrees, rounds of processes): minutes on a loaded machine.
      { extends: true, test: { name: 'e2e', include: E2E, testTimeout: 300_000 } },
    ],
  },
});
