/**
 * The change of head against base on the analysis scale, and its interval at any one-sided level.
 *
 * Values are oriented so that positive means worse: x = +log(v) for lower-is-better metrics and −log(v)
 * for higher-is-better ones (on the linear scale when some value is ≤ 0). The change θ is the location
 * shift of head against base on that scale.
 *
 * - `paired` (the default): rounds are randomized blocks — each round runs base and head once, close in
 *   time — so the within-round differences dᵢ = headᵢ − baseᵢ cancel drift that hits both sides of a
 *   round alike. θ is estimated by the Hodges–Lehmann median of the Walsh averages and bounded by
 *   inverting the Wilcoxon signed-rank test (`stats/signed-rank.ts`). Assumption: the dᵢ are
 *   independent and symmetric about θ (true when base and head noise within a round are exchangeable).
 * - `two-sample`: the Hodges–Lehmann median of all head − base differences and the interval inverting
 *   the Mann–Whitney test (`stats/hodges-lehmann.ts`). Assumption: all samples independent, head a pure
 *   shift of base. Used when the rounds cannot be paired (a side missed a sample).
 *
 * Both ends are widened by the measurement resolution (`resolution.ts`), so rounding never narrows the
 * interval below what the data can show.
 */
import { pairwiseShift } from '../stats/hodges-lehmann';
import { mannWhitneyU } from '../stats/mann-whitney';
import { signedRankPGreater, walshShift } from '../stats/signed-rank';

export type Analysis = 'paired' | 'two-sample';

export interface Shift {
  analysis: Analysis;
  /** Hodges–Lehmann estimate of θ (positive: head worse). */
  estimate: number;
  /** Lower end of the interval whose lower error is `tail` (one-sided). −Infinity when out of reach. */
  lowerAt(tail: number): number;
  /** Upper end of the interval whose upper error is `tail` (one-sided). +Infinity when out of reach. */
  upperAt(tail: number): number;
  /** One-sided p-value for H0: θ ≤ θ₀ against "head is worse than θ₀" (used to order metrics). */
  pWorseThan(theta0: number): number;
  /** One-sided p-value for H0: θ ≥ θ₀ against "head is better than θ₀". */
  pBetterThan(theta0: number): number;
  /** The smallest and largest difference (the widest interval the data can give). */
  extremes: [number, number];
}

/**
 * The shift of `head` against `base` (both already oriented), paired by round when `paired` is asked
 * for and both sides have the same number of samples. `widen` is added to both ends (resolution).
 */
export function shiftOf(base: readonly number[], head: readonly number[], analysis: Analysis, widen = 0): Shift {
  if (analysis === 'paired' && base.length === head.length && base.length >= 2) {
    return pairedShift(
      head.map((h, i) => h - base[i]),
      widen,
    );
  }
  return twoSampleShift(base, head, widen);
}

/** Adds the resolution to both ends (∓Infinity stay open). */
function widened(
  bounds: { estimate: number; lowerAt(t: number): number; upperAt(t: number): number; extremes: [number, number] },
  widen: number,
) {
  return {
    estimate: bounds.estimate,
    lowerAt: (tail: number) => bounds.lowerAt(tail) - widen,
    upperAt: (tail: number) => bounds.upperAt(tail) + widen,
    extremes: [bounds.extremes[0] - widen, bounds.extremes[1] + widen] as [number, number],
  };
}

function pairedShift(d: number[], widen: number): Shift {
  return {
    analysis: 'paired',
    ...widened(walshShift(d), widen),
    // Ordering only: the signed-rank p of the data moved by the widening towards the null.
    pWorseThan: (theta0) => signedRankPGreater(d, theta0 + widen),
    pBetterThan: (theta0) =>
      signedRankPGreater(
        d.map((v) => -v),
        -theta0 + widen,
      ),
  };
}

function twoSampleShift(base: readonly number[], head: readonly number[], widen: number): Shift {
  return {
    analysis: 'two-sample',
    ...widened(pairwiseShift(base, head), widen),
    pWorseThan: (theta0) =>
      mannWhitneyU(
        head.map((v) => v - theta0 - widen),
        base,
      ).pGreater,
    pBetterThan: (theta0) =>
      mannWhitneyU(
        head.map((v) => v - theta0 + widen),
        base,
      ).pLess,
  };
}
