/**
 * The distribution-free confidence interval for a median from order statistics (Thompson 1936;
 * Hollander & Wolfe §3.6): the number of observations below the true median is Binomial(n, ½), so
 * [x_(l), x_(n+1−l)] covers it with probability 1 − 2·P(B ≤ l − 1), B ~ Binomial(n, ½).
 * Assumptions: i.i.d. observations from a continuous distribution.
 */

/** P(B ≤ k) for B ~ Binomial(n, ½), summed in log space so large n does not underflow. */
export function binomialHalfCdf(n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logHalfN = -n * Math.LN2;
  let logC = 0; // log C(n, 0)
  let maxLog = logHalfN;
  const terms: number[] = [logHalfN];
  for (let i = 1; i <= k; i++) {
    logC += Math.log((n - i + 1) / i);
    const t = logC + logHalfN;
    terms.push(t);
    if (t > maxLog) maxLog = t;
  }
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - maxLog);
  return Math.min(1, Math.exp(maxLog) * sum);
}

/** The largest l ≥ 1 with P(B ≤ l − 1) ≤ tail, or 0 when even l = 1 does not qualify. */
export function medianBoundRank(n: number, tail: number): number {
  let l = 0;
  while (l + 1 <= Math.ceil(n / 2) && binomialHalfCdf(n, l) <= tail * (1 + 1e-12)) l++;
  return l;
}

export interface MedianInterval {
  median: number;
  low: number;
  high: number;
  /** The coverage of [low, high] (≥ the requested level when `attained`). */
  confidence: number;
  attained: boolean;
}

/** Two-sided order-statistic interval for the median at `confidence`. */
export function medianInterval(values: readonly number[], confidence: number): MedianInterval {
  const n = values.length;
  if (n === 0) throw new RangeError('medianInterval: expected a non-empty sample');
  const s = [...values].sort((a, b) => a - b);
  const mid = n >> 1;
  const median = n % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const l = medianBoundRank(n, (1 - confidence) / 2);
  if (l >= 1) {
    return { median, low: s[l - 1], high: s[n - l], confidence: 1 - 2 * binomialHalfCdf(n, l - 1), attained: true };
  }
  return { median, low: s[0], high: s[n - 1], confidence: 1 - 2 * binomialHalfCdf(n, 0), attained: false };
}
