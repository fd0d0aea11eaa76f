/**
 * Seeded simulations: interval coverage, power at twice the budget, and early stopping under no change.
 */
import { describe, expect, it } from 'vitest';
import type { GateOptions } from '../../src/core/engine';
import type { BudgetRule } from '../../src/core/model';
import { hodgesLehmannInterval } from '../../src/core/stats/hodges-lehmann';
import { median } from '../../src/core/stats/quantiles';
import { mulberry32 } from './prng';
import { logNoise, type MetricSpec, type Noise, runTrial, upperTolerance } from './simulate';

const OPTIONS: GateOptions = { alpha: 0.05, correction: 'holm', strict: false, minRounds: 10, maxRounds: 50 };
const BUDGET: BudgetRule = { kind: 'relative', limit: 0.05, source: 'test' };

describe('Hodges–Lehmann interval coverage at the nominal level', () => {
  it.each([
    ['log-normal', 'lognormal', 10],
    ['log-normal', 'lognormal', 30],
    ['log-Laplace', 'log-laplace', 20],
    ['log-t3', 'log-t3', 20],
  ] as const)('%s (%s), n = %i per side, 95 %', (_name, noise: Noise, n) => {
    const rng = mulberry32(1000 + n);
    const reps = 2000;
    const theta = Math.log(1.03);
    let covered = 0;
    for (let r = 0; r < reps; r++) {
      const x = Array.from({ length: n }, () => 0.03 * logNoise(rng, noise));
      const y = Array.from({ length: n }, () => theta + 0.03 * logNoise(rng, noise));
      const ci = hodgesLehmannInterval(x, y, 0.95);
      if (ci.low <= theta && theta <= ci.high) covered++;
    }
    const coverage = covered / reps;
    console.log(`coverage ${noise} n=${n}: ${(coverage * 100).toFixed(1)} %`);
    // The interval is conservative by construction (discrete U): coverage ≥ nominal up to sampling error.
    expect(1 - coverage).toBeLessThanOrEqual(upperTolerance(0.05, reps));
  });
});

describe('power and sample use of the whole sequential procedure (budget 5 %, CV 3 %)', () => {
  function run(seed: number, trials: number, specs: MetricSpec[]) {
    const rng = mulberry32(seed);
    const out = [];
    for (let t = 0; t < trials; t++) out.push(runTrial(rng, OPTIONS, specs, BUDGET));
    return out;
  }

  it.each([
    ['log-normal', 'lognormal'],
    ['log-t3', 'log-t3'],
  ] as const)('detects a 2× budget regression (+10 %) ≥ 95 %, %s noise, 3 metrics', (_name, noise: Noise) => {
    const trials = 400;
    const specs: MetricSpec[] = [
      { effect: 0.1, cv: 0.03, noise },
      { effect: 0, cv: 0.03, noise },
      { effect: -0.1 / 1.1, cv: 0.03, noise, direction: 'higher' },
    ];
    const res = run(noise === 'lognormal' ? 7 : 8, trials, specs);
    const detectedLower = res.filter((r) => r.results[0].outcome === 'regression').length / trials;
    const detectedHigher = res.filter((r) => r.results[2].outcome === 'regression').length / trials;
    const falseFail = res.filter((r) => r.results[1].outcome === 'regression').length / trials;
    const rounds = median(res.map((r) => r.results[0].rounds));
    console.log(
      `power at 2B ${noise}: lower-is-better ${(detectedLower * 100).toFixed(1)} %, higher-is-better ${(detectedHigher * 100).toFixed(1)} %, ` +
        `median decision round ${rounds}, false fail of the unchanged metric ${(falseFail * 100).toFixed(1)} %`,
    );
    expect(detectedLower).toBeGreaterThanOrEqual(0.95);
    expect(detectedHigher).toBeGreaterThanOrEqual(0.95);
    expect(falseFail).toBeLessThanOrEqual(upperTolerance(0.05, trials));
  });

  it('stops early on no change: median stop round ≤ maxRounds / 2, no false fail', () => {
    const trials = 400;
    const specs: MetricSpec[] = [0, 1, 2].map(() => ({ effect: 0, cv: 0.03, noise: 'lognormal' }));
    const res = run(9, trials, specs);
    const stop = median(res.map((r) => r.rounds));
    const fails = res.filter((r) => r.results.some((x) => x.outcome === 'regression')).length;
    const within = res.filter((r) => r.results.every((x) => x.outcome === 'within-budget')).length / trials;
    console.log(
      `no change: median stop round ${stop}, all within budget in ${(within * 100).toFixed(1)} % of trials, fails ${fails}`,
    );
    expect(stop).toBeLessThanOrEqual(OPTIONS.maxRounds / 2);
    expect(fails / trials).toBeLessThanOrEqual(upperTolerance(0.05, trials));
  });

  it('at half the budget (+2.5 %) it passes nearly always', () => {
    const trials = 300;
    const res = run(10, trials, [{ effect: 0.025, cv: 0.03, noise: 'lognormal' }]);
    const fails = res.filter((r) => r.results[0].outcome === 'regression').length / trials;
    console.log(`δ = B/2: fail ${(fails * 100).toFixed(1)} %`);
    expect(fails).toBeLessThanOrEqual(upperTolerance(0.05, trials));
  });
});
