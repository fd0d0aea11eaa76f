import { defineConfig } from 'vitest/config';

/**
 * Four projects, by folder and by name (`npm run test:unit`, `test:integration`, `test:e2e`, `test:slow`;
 * `npm test` runs all four):
 * - e2e: the bundles as users run them (`node dist/index.js`, `dist/cli`, the packed package);
 *   they need `npm run bundle` after a change to src/;
 * - slow (`*.slow.test.ts`, anywhere): long seeded simulations (error rates, power, rendering
 *   properties) and minutes of load on real servers (soak, capacity);
 * - integration (the folders below, and `*.integration.test.ts` anywhere): anything that starts a
 *   process, a server, git or a browser;
 * - unit: everything else (pure code, golden files): the inner loop, seconds (threads, not isolated).
 * A new test folder is a unit folder unless it is listed here; `__tests__/house/tiers.test.ts`
 * fails when a unit test starts a process, git, a server or a browser.
 */
const SLOW = ['__tests__/**/*.slow.test.ts'];
const E2E = ['__tests__/e2e/**/*.test.ts', '__tests__/cli/**/*.test.ts', '__tests__/package/**/*.test.ts'];
const INTEGRATION = [
  '__tests__/adapters/**/*.test.ts',
  '__tests__/github/**/*.test.ts',
  '__tests__/http/**/*.test.ts',
  '__tests__/lint/**/*.test.ts',
  '__tests__/**/*.integration.test.ts',
];

/** Each project's files (read by `__tests__/house/tiers.test.ts`). */
export const TIERS = {
  unit: { include: ['__tests__/**/*.test.ts'], exclude: [...SLOW, ...E2E, ...INTEGRATION] },
  integration: { include: INTEGRATION, exclude: SLOW },
  e2e: { include: E2E, exclude: SLOW },
  slow: { include: SLOW },
};

// Tests run real processes, git repositories and HTTP servers on a 2-core machine, so the
// timeouts are generous and no test asserts a duration.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      // Pure code: threads without a fresh module graph per file (about half the time of forks with
      // isolation). So a unit test changes no global (process.env, timers, mocks, the working
      // directory): __tests__/house/tiers.test.ts checks that too.
      { extends: true, test: { name: 'unit', ...TIERS.unit, pool: 'threads', isolate: false } },
      { extends: true, test: { name: 'integration', ...TIERS.integration } },
      // Whole pipelines (builds, worktrees, rounds of processes): minutes on a loaded machine.
      { extends: true, test: { name: 'e2e', ...TIERS.e2e, testTimeout: 300_000 } },
      // Minutes of load or of seeded trials per file.
      { extends: true, test: { name: 'slow', ...TIERS.slow, testTimeout: 900_000 } },
    ],
  },
});
