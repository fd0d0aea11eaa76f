/**
 * The statistical design of the gate: how each end of a metric's interval spends its error over the
 * looks, and which `min-rounds`/`max-rounds` can reach a decision at all. Chosen with
 * `npm run bench:gate` as judge (README, "How the verdict is reached").
 *
 * - **Fail end** (a regression): Holm's step-down across the gated metrics (the family's error at the
 *   budget's edge is ≤ α), each level spent over the looks by the Lan–DeMets O'Brien–Fleming function:
 *   almost nothing early, most at the last looks, so the last look keeps nearly the power of a single
 *   test. Spending more early (Hwang–Shih–DeCani γ = −2) decides a regression of twice the budget about
 *   5 rounds sooner, but under serial correlation its early looks, where the correlation estimate rests
 *   on 10–20 rounds, overshoot α (measured: 6.1 % at ρ = 0.5 against 4.7 % with O'Brien–Fleming).
 * - **Pass end** (within budget): each metric at level α, with no correction across metrics. Declaring
 *   every metric within budget is an intersection–union claim: it is wrong only if some metric is
 *   beyond its budget, and that metric's own level-α test then declares it within budget with chance
 *   ≤ α (Berger 1982, Statistical Science 24:295; Berger & Hsu 1996). Its spending depends on the
 *   number m of gated metrics, fixed before any test: a run stops when its slowest metric is decided,
 *   so with one metric the pass end spends early (by round 15), and with many it keeps its α for the
 *   looks where all m can be decided together (`passSpending`).
 */
import { groupSequentialBoundaries, type SpendingFunction } from '../stats/group-sequential';
import { smallestSignedRankP } from '../stats/signed-rank';
import { informationFraction, planLooks } from './looks';
import { failTailWithoutCorrelation } from './shift';

export interface Design {
  /** Spending of the fail end (Holm's levels). */
  fail: SpendingFunction;
  /** Spending of each metric's pass end, given the number of gated metrics. */
  pass: (metrics: number) => SpendingFunction;
}

/**
 * The pass end's Hwang–Shih–DeCani spending for m gated metrics: γ = 5 with its clock delayed by 0.15
 * of the information at m = 1 (little α at the first look, where the noise is estimated from 10 rounds,
 * most of it by the second), moving linearly in log m to γ = −2 without delay from m = 20 on (most α at
 * the last looks, where all m can be decided together).
 */
export function passSpending(metrics: number): { hsd: number; delay: number } {
  const share = Math.min(1, Math.log(Math.max(1, metrics)) / Math.log(20));
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return { hsd: round2(5 - 7 * share), delay: round2(0.15 * (1 - share)) };
}

export const DESIGN: Design = {
  fail: 'obrien-fleming',
  pass: passSpending,
};

/**
 * The one-sided nominal error of each end at the last look of a schedule, for a family of one gated
 * metric at level `alpha`: the loosest level the last look can ever test at.
 */
function lastLookLevels(alpha: number, minRounds: number, maxRounds: number, design: Design): number {
  const looks = planLooks(minRounds, maxRounds);
  const fractions = looks.map((r) => informationFraction(r, maxRounds));
  const last = (spending: SpendingFunction) =>
    groupSequentialBoundaries(alpha, fractions, { spending, spendAllAtLast: true }).nominal[fractions.length - 1];
  // The fail end as the test uses it: allowing for the serial correlation that maxRounds rounds cannot
  // rule out, even when they show none.
  return Math.min(failTailWithoutCorrelation(last(design.fail), maxRounds), last(design.pass(1)));
}

/**
 * Whether `min-rounds`/`max-rounds` can ever decide a gated metric: at the last look, even a family of
 * one metric needs a one-sided level that the paired rank test reaches only with enough rounds (its
 * smallest p with n pairs is 2⁻ⁿ). Returns the problem (the input to change and the smallest value that
 * works), or null. Computed from the test and the spending, for the `alpha` given (after a shard split).
 */
export function roundsProblem(
  alpha: number,
  minRounds: number,
  maxRounds: number,
  design: Design = DESIGN,
): { input: 'max-rounds'; smallest: number; message: string } | null {
  const reaches = (max: number) => smallestSignedRankP(max) <= lastLookLevels(alpha, minRounds, max, design);
  if (reaches(maxRounds)) return null;
  let smallest = maxRounds + 1;
  while (!reaches(smallest) && smallest < 10_000) smallest++;
  const level = lastLookLevels(alpha, minRounds, maxRounds, design);
  return {
    input: 'max-rounds',
    smallest,
    message:
      `${maxRounds} rounds can never decide a gated metric: the last look needs a one-sided level of ${level.toPrecision(2)} ` +
      `(alpha ${alpha}, its fail end widened for the serial correlation that ${maxRounds} rounds cannot rule out), and the smallest p of the paired rank test with ${maxRounds} rounds is 2^-${maxRounds} = ${smallestSignedRankP(maxRounds).toPrecision(2)}. ` +
      `The smallest max-rounds that can decide one metric is ${smallest} (with min-rounds ${minRounds}); more metrics need more.`,
  };
}
