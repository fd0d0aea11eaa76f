/**
 * Theil–Sen slope: the median of the slopes of all pairs of points (Theil 1950; Sen 1968, "Estimates
 * of the regression coefficient based on Kendall's tau", JASA 63), robust to up to 29 % outliers,
 * with Sen's distribution-free confidence interval from the null distribution of Kendall's S
 * (normal approximation, ties accounted for as in SciPy's `theilslopes`).
 * Assumption of the interval: independent errors around a straight line.
 */
import { normalQuantileUpper } from './normal';
import { quantileSorted } from './quantiles';

export interface SlopeEstimate {
  slope: number;
  /** Lower and upper end of the two-sided interval at `confidence`. */
  low: number;
  high: number;
  confidence: number;
}

export function theilSen(x: readonly number[], y: readonly number[], confidence = 0.95): SlopeEstimate {
  const n = x.length;
  if (n !== y.length || n < 2) throw new RangeError('theilSen: expected two series of equal length ≥ 2');
  const slopes: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) if (x[j] !== x[i]) slopes.push((y[j] - y[i]) / (x[j] - x[i]));
  if (slopes.length === 0) throw new RangeError('theilSen: expected at least two distinct x values');
  slopes.sort((a, b) => a - b);
  const slope = quantileSorted(slopes, 0.5);
  // Sen's interval (his eq. 2.6, as SciPy's `theilslopes`): ranks round((N ∓ z·σ_S)/2) of the sorted
  // slopes, σ_S² the variance of Kendall's S with ties in x and in y.
  const tieTerm = (v: readonly number[]) => {
    const counts = new Map<number, number>();
    for (const e of v) counts.set(e, (counts.get(e) ?? 0) + 1);
    let t = 0;
    for (const k of counts.values()) if (k > 1) t += k * (k - 1) * (2 * k + 5);
    return t;
  };
  const sigma = Math.sqrt((n * (n - 1) * (2 * n + 5) - tieTerm(x) - tieTerm(y)) / 18);
  const z = normalQuantileUpper((1 - confidence) / 2);
  const N = slopes.length;
  const hi = Math.min(roundHalfEven((N + z * sigma) / 2), N - 1);
  const lo = Math.max(roundHalfEven((N - z * sigma) / 2) - 1, 0);
  return { slope, low: slopes[lo], high: slopes[hi], confidence };
}

/** Rounds to the nearest integer, halves to even (NumPy's `round`, which Sen's ranks follow in SciPy). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
