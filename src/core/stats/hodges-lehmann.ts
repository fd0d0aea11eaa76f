/**
 * The Hodges–Lehmann two-sample shift estimate and the distribution-free confidence interval that
 * inverts the Mann–Whitney test (Hodges & Lehmann 1963; Hollander & Wolfe, Nonparametric Statistical
 * Methods, §4.2–4.3; Bauer 1972).
 *
 * Model: y − θ has the same distribution as x (a pure location shift). θ̂ is the median of the m·n
 * differences y_j − x_i, and [D_(k), D_(mn+1−k)] (order statistics of those differences) covers θ with
 * probability 1 − 2·P(U ≤ k − 1), U the Mann–Whitney statistic under H0.
 */
import { criticalRankFromCdf } from './critical-rank';
import { EXACT_LIMIT, mannWhitneyExactDistribution, mannWhitneySigma } from './mann-whitney';
import { normalQuantileUpper } from './normal';
import { rankWithTies } from './ranks';

export interface ShiftInterval {
  /** Hodges–Lehmann estimate of the shift θ (y relative to x). */
  estimate: number;
  low: number;
  high: number;
  /** Two-sided coverage of [low, high]: the requested level, or the largest attainable one if lower. */
  confidence: number;
  /** False when the requested level was out of reach with these sample sizes. */
  attained: boolean;
  method: 'exact' | 'normal';
}

/**
 * The smallest one-sided p-value the Mann–Whitney test can give with samples of m and n, 1/C(m+n, m)
 * (every y above every x).
 */
export function smallestRankSumP(m: number, n: number): number {
  let logC = 0;
  for (let i = 1; i <= Math.min(m, n); i++) logC += Math.log(m + n - Math.min(m, n) + i) - Math.log(i);
  return Math.exp(-logC);
}

/** All m·n pairwise differences y_j − x_i, sorted ascending. */
export function pairwiseDifferences(x: readonly number[], y: readonly number[]): Float64Array {
  const d = new Float64Array(x.length * y.length);
  let k = 0;
  for (const yj of y) for (const xi of x) d[k++] = yj - xi;
  return d.sort();
}

/**
 * The order-statistic index k (1-based) of the lower interval end for one-sided error `tail`:
 * the largest k with P(U ≤ k − 1) ≤ tail. Exact distribution when there are no ties and both sizes are
 * at most 50 (as in {@link mannWhitneyU}); otherwise the normal approximation with continuity and tie
 * correction, k = ⌊mn/2 − z·σ_U + ½⌋. Returns 0 when no k qualifies.
 */
export function shiftIntervalRank(
  m: number,
  n: number,
  tail: number,
  tieSizes: readonly number[] = [],
): { k: number; method: 'exact' | 'normal'; tailAttained: number } {
  // No arrangement of the ranks is rarer than 1/C(m+n, m): the normal approximation must not claim more.
  const smallest = smallestRankSumP(m, n);
  if (tail < smallest * (1 - 1e-12)) return { k: 0, method: 'normal', tailAttained: smallest };
  if (tieSizes.length === 0 && m <= EXACT_LIMIT && n <= EXACT_LIMIT) {
    const { cdf } = mannWhitneyExactDistribution(m, n);
    const k = criticalRankFromCdf(cdf, tail);
    return { k, method: 'exact', tailAttained: k >= 1 ? cdf[k - 1] : cdf[0] };
  }
  const sigma = mannWhitneySigma(m, n, tieSizes);
  const z = normalQuantileUpper(tail);
  const k = Math.max(0, Math.floor((m * n) / 2 - z * sigma + 0.5));
  return { k: Math.min(k, Math.floor((m * n + 1) / 2)), method: 'normal', tailAttained: tail };
}

/** The two-sample estimate and its interval ends at any one-sided error (pairwise differences sorted once). */
export interface PairwiseShift {
  estimate: number;
  /** Lower end at one-sided error `tail`; −Infinity when the sample sizes cannot reach that level. */
  lowerAt(tail: number): number;
  /** Upper end at one-sided error `tail`; +Infinity when out of reach. */
  upperAt(tail: number): number;
  /** The smallest and largest difference. */
  extremes: [number, number];
}

/** Sorts the m·n differences y_j − x_i once; each interval end is then an order statistic. */
export function pairwiseShift(x: readonly number[], y: readonly number[]): PairwiseShift {
  const d = pairwiseDifferences(x, y);
  if (d.length === 0) throw new RangeError('pairwiseShift: expected two non-empty samples');
  const mid = d.length >> 1;
  const { tieSizes } = rankWithTies([...x, ...y]);
  const rank = (tail: number) => shiftIntervalRank(x.length, y.length, tail, tieSizes).k;
  return {
    estimate: d.length % 2 === 1 ? d[mid] : (d[mid - 1] + d[mid]) / 2,
    lowerAt: (tail) => {
      const k = rank(tail);
      return k >= 1 ? d[k - 1] : Number.NEGATIVE_INFINITY;
    },
    upperAt: (tail) => {
      const k = rank(tail);
      return k >= 1 ? d[d.length - k] : Number.POSITIVE_INFINITY;
    },
    extremes: [d[0], d[d.length - 1]],
  };
}

/**
 * Hodges–Lehmann estimate of the shift of y relative to x with its two-sided `confidence` interval
 * inverting the Mann–Whitney test. When the level is out of reach (tiny samples), the widest interval
 * [min difference, max difference] is returned with its actual coverage and `attained: false`.
 */
export function hodgesLehmannInterval(x: readonly number[], y: readonly number[], confidence: number): ShiftInterval {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`hodgesLehmannInterval: expected confidence in (0, 1), got ${confidence}`);
  }
  return hodgesLehmannIntervalForTail(x, y, (1 - confidence) / 2);
}

/**
 * As {@link hodgesLehmannInterval}, with the error of each side given directly (`tail` = (1 − confidence)/2),
 * so that tiny tails (e.g. 1e-12 at an early O'Brien–Fleming look) keep their precision.
 */
export function hodgesLehmannIntervalForTail(x: readonly number[], y: readonly number[], tail: number): ShiftInterval {
  if (!(tail > 0 && tail < 0.5))
    throw new RangeError(`hodgesLehmannInterval: expected a tail in (0, 0.5), got ${tail}`);
  const m = x.length;
  const n = y.length;
  const d = pairwiseDifferences(x, y);
  if (d.length === 0) throw new RangeError('hodgesLehmannInterval: expected two non-empty samples');
  const mid = d.length >> 1;
  const estimate = d.length % 2 === 1 ? d[mid] : (d[mid - 1] + d[mid]) / 2;
  const { tieSizes } = rankWithTies([...x, ...y]);
  const { k, method, tailAttained } = shiftIntervalRank(m, n, tail, tieSizes);
  if (k >= 1) {
    return { estimate, low: d[k - 1], high: d[d.length - k], confidence: 1 - 2 * tail, attained: true, method };
  }
  return {
    estimate,
    low: d[0],
    high: d[d.length - 1],
    confidence: Math.max(0, 1 - 2 * tailAttained),
    attained: false,
    method,
  };
}
