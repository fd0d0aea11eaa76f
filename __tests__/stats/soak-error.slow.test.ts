/**
 * Error rates of soak suites with their default settings, in seeded simulation through the shipped
 * settings, growth estimate, measure loop, gate and verdict (`bench/soak-simulation.ts`; the full tables
 * with 1,000 trials a case are `npm run bench:soak`). Memory: slow AR(1) noise (φ 0.98 per second,
 * stationary sd 0.5 MB) and a major-GC saw-tooth of 4 MB every 45 s.
 */
import { describe, expect, it } from 'vitest';
import { PROFILE, summarizeSoak } from '../../bench/soak-simulation';

const MB = 1e6;
const GC = { saw: 4 * MB, period: 45 };
const TRIALS = 300;

describe('soak suites with default settings (seeded simulation)', () => {
  it('fail at most α of the time when head grows exactly the tolerance faster', { timeout: 60_000 }, async () => {
    const s = await summarizeSoak(
      { profile: { ...PROFILE, ...GC, leak: 1e6 / 60 }, budgets: 'api:fd-growth: off' },
      TRIALS,
      11,
    );
    expect(s.fail).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / TRIALS));
    expect(s.error).toBe(0);
  });

  it('catch a 3 MB/min leak under a GC saw-tooth, and pass a flat profile', { timeout: 60_000 }, async () => {
    const leak = await summarizeSoak({ profile: { ...PROFILE, ...GC, leak: 3e6 / 60 } }, TRIALS, 12);
    expect(leak.fail).toBeGreaterThanOrEqual(0.95);
    const flat = await summarizeSoak({ profile: { ...PROFILE, ...GC } }, TRIALS, 13);
    expect(flat.pass).toBeGreaterThanOrEqual(0.95);
  });
});
