/**
 * Seeded simulations of the whole sequential procedure under no change: the family-wise false-fail rate
 * over all looks and all metrics must stay ≤ α. Budget 0 (fail on any significant slowdown) is the
 * hardest case: the budget no longer shields the test, so the group-sequential Holm levels alone must
 * hold the rate. Fixed seeds, so results are reproducible; the tolerance is a one-sided binomial bound.
 */
import { describe, expect, it } from 'vitest';
import type { GateOptions } from '../../src/core/engine';
import type { BudgetRule } from '../../src/core/model';
import { mannWhitneyU } from '../../src/core/stats/mann-whitney';
import { mulberry32 } from './prng';
import { type MetricSpec, type Noise, runTrial, upperTolerance } from './simulate';

const OPTIONS: GateOptions = { alpha: 0.05, correction: 'holm', strict: false, minRounds: 10, maxRounds: 50 };
const NO_BUDGET: BudgetRule = { kind: 'relative', limit: 0, source: 'test' };

function falseFailRate(
  seed: number,
  trials: number,
  noise: Noise,
  options: GateOptions,
  metrics = 3,
): { rate: number; naive: number } {
  const rng = mulberry32(seed);
  const specs: MetricSpec[] = Array.from({ length: metrics }, (_, i) => ({
    effect: 0,
    cv: 0.03,
    noise,
    direction: i % 2 === 0 ? 'lower' : 'higher',
  }));
  let fails = 0;
  let naiveFails = 0;
  const looks = [10, 20, 30, 40, 50];
  for (let t = 0; t < trials; t++) {
    const { results, samples } = runTrial(rng, options, specs, NO_BUDGET);
    if (results.some((r) => r.outcome === 'regression')) fails++;
    // The naive rule on the same samples: one-sided MWU at 0.05 at every look, no correction.
    const naive = samples.some((s, i) =>
      looks.some((n) => {
        const sign = specs[i].direction === 'higher' ? -1 : 1;
        return (
          mannWhitneyU(
            s.head.slice(0, n).map((v) => sign * v),
            s.base.slice(0, n).map((v) => sign * v),
          ).pGreater <= 0.05
        );
      }),
    );
    if (naive) naiveFails++;
  }
  return { rate: fails / trials, naive: naiveFails / trials };
}

describe('family-wise false-fail rate under no change (3 metrics, 5 looks, budget 0)', () => {
  it.each([
    ['log-normal', 'lognormal', 1200, 101],
    ['log-Laplace', 'log-laplace', 1000, 202],
    ['log-t3', 'log-t3', 1000, 303],
  ] as const)('%s noise: Holm keeps the rate ≤ α; naive peeking does not', (_name, noise, trials, seed) => {
    const { rate, naive } = falseFailRate(seed, trials, noise, OPTIONS);
    console.log(
      `false-fail ${noise}: sequential Holm ${(rate * 100).toFixed(2)} %, naive ${(naive * 100).toFixed(1)} % (${trials} trials)`,
    );
    expect(rate).toBeLessThanOrEqual(upperTolerance(OPTIONS.alpha, trials));
    // The harness can see inflation: naive repeated testing of 3 metrics is far above α.
    expect(naive).toBeGreaterThan(0.2);
  });

  it('Benjamini–Hochberg variant: global-null rate ≤ α', () => {
    const trials = 800;
    const { rate } = falseFailRate(404, trials, 'lognormal', { ...OPTIONS, correction: 'bh' });
    console.log(`false-fail BH: ${(rate * 100).toFixed(2)} % (${trials} trials)`);
    expect(rate).toBeLessThanOrEqual(upperTolerance(OPTIONS.alpha, trials));
  });

  it('single metric at alpha 0.10: rate ≤ α (the boundaries are not just conservative by luck)', () => {
    const trials = 1200;
    const { rate } = falseFailRate(505, trials, 'lognormal', { ...OPTIONS, alpha: 0.1 }, 1);
    console.log(`false-fail 1 metric α=0.10: ${(rate * 100).toFixed(2)} % (${trials} trials)`);
    expect(rate).toBeLessThanOrEqual(upperTolerance(0.1, trials));
    // …and it uses a good part of its alpha (not a vacuous test).
    expect(rate).toBeGreaterThan(0.04);
  });
});

describe('strict mode: a sequential test of the budget-shifted null', () => {
  it('true change exactly at the budget (+5 %): false-fail rate ≤ α', () => {
    const trials = 1000;
    const rng = mulberry32(606);
    const specs: MetricSpec[] = [0, 1].map(() => ({ effect: 0.05, cv: 0.03, noise: 'lognormal' }));
    let fails = 0;
    for (let t = 0; t < trials; t++) {
      const { results } = runTrial(rng, { ...OPTIONS, strict: true }, specs, {
        kind: 'relative',
        limit: 0.05,
        source: 'test',
      });
      if (results.some((r) => r.outcome === 'regression')) fails++;
    }
    console.log(`strict at δ = B: ${((fails / trials) * 100).toFixed(2)} % (${trials} trials)`);
    expect(fails / trials).toBeLessThanOrEqual(upperTolerance(0.05, trials));
  });
});
