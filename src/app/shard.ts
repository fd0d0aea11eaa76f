/**
 * Splitting suites across the jobs of a matrix, deterministically and evenly by expected cost.
 */
import type { Suite } from '../settings/suites';

/**
 * Expected relative cost of one replicate of a suite. HTTP suites know theirs (warm-up plus
 * measured load per scenario, plus server start); commands and harnesses count as one unit
 * each because their cost is unknown before running them.
 */
export function expectedCost(suite: Suite): number {
  if (suite.kind === 'http') return suite.scenarios.length * (suite.duration + suite.warmupDuration) + 2;
  return 1;
}

/**
 * The suites of shard `index` of `total` (1-based), by longest-processing-time-first: suites
 * sorted by cost (then name), each assigned to the currently least-loaded shard. Every job
 * computes the same assignment from the same configuration.
 */
export function selectShard(suites: readonly Suite[], index: number, total: number): Suite[] {
  const loads = new Array<number>(total).fill(0);
  const assigned: Suite[][] = Array.from({ length: total }, () => []);
  const ordered = [...suites].sort((a, b) => expectedCost(b) - expectedCost(a) || a.name.localeCompare(b.name));
  for (const suite of ordered) {
    let best = 0;
    for (let i = 1; i < total; i++) if (loads[i] < loads[best]) best = i;
    loads[best] += expectedCost(suite);
    assigned[best].push(suite);
  }
  const mine = new Set(assigned[index - 1].map((s) => s.name));
  return suites.filter((s) => mine.has(s.name));
}
