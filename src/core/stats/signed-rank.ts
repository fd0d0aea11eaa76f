/**
 * The Wilcoxon signed-rank test and its Hodges–Lehmann estimate for paired data: the median of the
 * Walsh averages (dᵢ + dⱼ)/2, i ≤ j, with the distribution-free interval that inverts the test
 * (Wilcoxon 1945; Hodges & Lehmann 1963; Hollander & Wolfe, Nonparametric Statistical Methods,
 * §3.1–3.3; Tukey 1949 for the Walsh-average form).
 *
 * Model: the differences dᵢ = headᵢ − baseᵢ of the pairs are independent and symmetric about θ.
 * Under H0 (θ = θ₀) each dᵢ − θ₀ is as likely positive as negative, so W⁺ (the sum of the ranks of the
 * positive |dᵢ − θ₀|) has the signed-rank null distribution. The Walsh averages sorted ascending
 * A₍₁₎ ≤ … ≤ A₍M₎, M = n(n+1)/2, give [A₍k₎, A₍M+1−k₎] covering θ with probability
 * 1 − 2·P(W⁺ ≤ k − 1).
 */
import { criticalRankFromCdf } from './critical-rank';
import { normalQuantileUpper, normalSurvival } from './normal';
import { rankWithTies } from './ranks';

/** Largest number of pairs for which the exact null distribution is used. */
export const SIGNED_RANK_EXACT_LIMIT = 50;

const exactCache = new Map<number, Float64Array>();

/**
 * Exact null distribution of W⁺ for n pairs without ties or zeros, as a CDF: cdf[w] = P(W⁺ ≤ w).
 * By the recurrence on the largest rank: each rank r is included with probability ½.
 */
export function signedRankExactCdf(n: number): Float64Array {
  const cached = exactCache.get(n);
  if (cached) return cached;
  const max = (n * (n + 1)) / 2;
  let pmf = new Float64Array(max + 1);
  pmf[0] = 1;
  let top = 0;
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(max + 1);
    for (let w = 0; w <= top; w++) {
      if (pmf[w] === 0) continue;
      next[w] += pmf[w] / 2;
      next[w + r] += pmf[w] / 2;
    }
    top += r;
    pmf = next;
  }
  const cdf = new Float64Array(max + 1);
  let acc = 0;
  for (let w = 0; w <= max; w++) {
    acc += pmf[w];
    cdf[w] = Math.min(1, acc);
  }
  exactCache.set(n, cdf);
  return cdf;
}

/**
 * The smallest one-sided p-value the signed-rank test can give with n pairs, 2⁻ⁿ (every difference on
 * one side): no interval end at a smaller one-sided error can be finite.
 */
export function smallestSignedRankP(n: number): number {
  return 2 ** -n;
}

/** Walsh averages (dᵢ + dⱼ)/2 for i ≤ j, sorted ascending. */
export function walshAverages(d: readonly number[]): Float64Array {
  const n = d.length;
  const out = new Float64Array((n * (n + 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) out[k++] = (d[i] + d[j]) / 2;
  return out.sort();
}

/**
 * The order-statistic index k (1-based) of the lower interval end for one-sided error `tail`: the
 * largest k with P(W⁺ ≤ k − 1) ≤ tail. Exact for n ≤ 50 when the differences have no ties;
 * otherwise the normal approximation with tie correction, k = ⌊M/2 − z·σ + ½⌋
 * (σ² = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over tie groups of |d|). Returns 0 when no k qualifies.
 */
export function signedRankIntervalRank(n: number, tail: number, tieSizes: readonly number[] = []): number {
  const total = (n * (n + 1)) / 2;
  // No arrangement of n signs is rarer than 2⁻ⁿ: the normal approximation (ties) must not claim more.
  if (tail < smallestSignedRankP(n) * (1 - 1e-12)) return 0;
  if (tieSizes.length === 0 && n <= SIGNED_RANK_EXACT_LIMIT) {
    return criticalRankFromCdf(signedRankExactCdf(n), tail);
  }
  let tieTerm = 0;
  for (const t of tieSizes) tieTerm += t * t * t - t;
  const sigma = Math.sqrt(Math.max(0, (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48));
  const k = Math.floor(total / 2 - normalQuantileUpper(tail) * sigma + 0.5);
  return Math.max(0, Math.min(k, Math.floor((total + 1) / 2)));
}

/** The Walsh-average estimate of paired differences and its interval ends at any one-sided error. */
export interface WalshShift {
  /** Hodges–Lehmann estimate: the median of the Walsh averages. */
  estimate: number;
  /** Lower end at one-sided error `tail`; −Infinity when so few pairs cannot reach that level. */
  lowerAt(tail: number): number;
  /** Upper end at one-sided error `tail`; +Infinity when out of reach. */
  upperAt(tail: number): number;
  /** The smallest and largest Walsh average. */
  extremes: [number, number];
}

/** Sorts the Walsh averages of `d` once; each interval end is then an order statistic. */
export function walshShift(d: readonly number[]): WalshShift {
  const n = d.length;
  if (n === 0) throw new RangeError('walshShift: expected at least one pair');
  const walsh = walshAverages(d);
  const M = walsh.length;
  const mid = M >> 1;
  const ties = rankWithTies(d.map(Math.abs)).tieSizes;
  const rank = (tail: number) => signedRankIntervalRank(n, tail, ties);
  return {
    estimate: M % 2 === 1 ? walsh[mid] : (walsh[mid - 1] + walsh[mid]) / 2,
    lowerAt: (tail) => {
      const k = rank(tail);
      return k >= 1 ? walsh[k - 1] : Number.NEGATIVE_INFINITY;
    },
    upperAt: (tail) => {
      const k = rank(tail);
      return k >= 1 ? walsh[M - k] : Number.POSITIVE_INFINITY;
    },
    extremes: [walsh[0], walsh[M - 1]],
  };
}

/**
 * One-sided p-value of the signed-rank test for "the differences are centred above θ₀"
 * (SciPy's `wilcoxon(d - θ₀, alternative='greater')` with zeros dropped, `zero_method='wilcox'`):
 * exact without ties or zeros for n ≤ 50, else the normal approximation with tie correction
 * and continuity correction.
 */
export function signedRankPGreater(d: readonly number[], theta0 = 0): number {
  const shifted = d.map((v) => v - theta0).filter((v) => v !== 0);
  const n = shifted.length;
  if (n === 0) return 1;
  const { ranks, tieSizes: ties } = rankWithTies(shifted.map(Math.abs));
  let wPlus = 0;
  for (let k = 0; k < n; k++) if (shifted[k] > 0) wPlus += ranks[k];
  if (ties.length === 0 && n <= SIGNED_RANK_EXACT_LIMIT) {
    const cdf = signedRankExactCdf(n);
    // P(W⁺ ≥ w) = P(W⁺ ≤ M − w) by symmetry.
    const M = (n * (n + 1)) / 2;
    return cdf[M - wPlus];
  }
  let tieTerm = 0;
  for (const t of ties) tieTerm += t * t * t - t;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  if (sigma === 0) return 1;
  return Math.min(1, normalSurvival((wPlus - (n * (n + 1)) / 4 - 0.5) / sigma));
}
