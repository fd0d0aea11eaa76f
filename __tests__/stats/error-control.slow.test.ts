/**
 * The promise of the gate, measured through the code that ships (the real `measure()` loop and
 * `SequentialGate`, fed with seeded draws from known distributions): a change at or inside the budget
 * fails a run with probability ≤ α — checked at the least favourable point, a true change exactly at
 * the budget, for one and several metrics, with contaminated noise and with a time limit that cuts
 * sampling at an unplanned round. The long tables are in `npm run bench:gate`; these are short and
 * seeded. Tolerance: a one-sided binomial bound (z = 2.33) on the simulation error.
 */
import { describe, expect, it } from 'vitest';
import { type Cell, summarize } from '../../bench/simulation';

const ALPHA = 0.05;
const tolerance = (p: number, n: number) => p + 2.33 * Math.sqrt((p * (1 - p)) / n);

async function failRate(cell: Cell, trials: number, seed: number): Promise<number> {
  const s = await summarize(cell, trials, seed);
  console.log(
    `${JSON.stringify(cell)}: fail ${(s.failRate * 100).toFixed(2)} % (${trials} trials), median rounds ${s.medianRounds}`,
  );
  return s.failRate;
}

describe('false fails at the least favourable null: a true change exactly at the 5 % budget', () => {
  it.each([
    ['1 metric, CV 6 %', { metrics: 1, change: 0.05, noise: { cv: 0.06 }, budget: 0.05 }, 500, 11],
    [
      '1 metric, AR(1) ρ = 0.5 within each side (serial correlation)',
      { metrics: 1, change: 0.05, noise: { cv: 0.06, ar: { rho: 0.5, kind: 'within' } }, budget: 0.05 },
      400,
      17,
    ],
    [
      '3 metrics, AR(1) ρ = 0.5 within each side, time limit after 23 rounds (the suite’s pooled estimate)',
      {
        metrics: 3,
        change: 0.05,
        noise: { cv: 0.06, ar: { rho: 0.5, kind: 'within' } },
        budget: 0.05,
        cutAfter: 23,
      },
      500,
      18,
    ],
    [
      '20 metrics, AR(1) ρ = 0.5 within each side',
      { metrics: 20, change: 0.05, noise: { cv: 0.06, ar: { rho: 0.5, kind: 'within' } }, budget: 0.05 },
      200,
      19,
    ],
    ['3 metrics, CV 3 %', { metrics: 3, change: 0.05, noise: { cv: 0.03 }, budget: 0.05 }, 500, 12],
    [
      '3 metrics, CV 6 % with 5 % of samples ×1.5',
      { metrics: 3, change: 0.05, noise: { cv: 0.06, outliers: { share: 0.05, factor: 1.5 } }, budget: 0.05 },
      500,
      13,
    ],
    [
      '3 metrics, time limit after 23 rounds',
      { metrics: 3, change: 0.05, noise: { cv: 0.06 }, budget: 0.05, cutAfter: 23 },
      500,
      14,
    ],
    [
      '1 metric, two-sample analysis',
      { metrics: 1, change: 0.05, noise: { cv: 0.06 }, budget: 0.05, analysis: 'two-sample' },
      500,
      15,
    ],
    [
      '1 metric, drift shared by both sides of a round',
      { metrics: 1, change: 0.05, noise: { cv: 0.03, roundCv: 0.06 }, budget: 0.05 },
      500,
      16,
    ],
  ] as const)('%s: fail rate ≤ α', async (_name, cell, trials, seed) => {
    expect(await failRate(cell as Cell, trials, seed)).toBeLessThanOrEqual(tolerance(ALPHA, trials));
  });
});

describe('inside the budget', () => {
  it('half the budget (3 metrics, CV 6 %) fails ≤ 1 %', async () => {
    expect(
      await failRate({ metrics: 3, change: 0.025, noise: { cv: 0.06 }, budget: 0.05 }, 500, 21),
    ).toBeLessThanOrEqual(tolerance(0.01, 500));
  });
});
