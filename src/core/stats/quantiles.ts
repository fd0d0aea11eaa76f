/**
 * Order statistics of a sample: median, quantiles, and the robust scale MAD.
 * Quantiles use Hyndman & Fan (1996) definition 7 (linear interpolation between order statistics;
 * the default of R and NumPy).
 */

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Quantile q ∈ [0, 1] of an already sorted sample (Hyndman–Fan type 7). */
export function quantileSorted(sortedValues: ArrayLike<number>, q: number): number {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('quantile: expected a non-empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: expected q in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sortedValues[lo] + (h - lo) * (sortedValues[hi] - sortedValues[lo]);
}

/** Quantile q ∈ [0, 1] of a sample (Hyndman–Fan type 7). */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sorted(values), q);
}

/** Median of a sample (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return quantileSorted(sorted(values), 0.5);
}

/** Scale factor that makes the MAD a consistent estimator of σ for normal data (1/Φ⁻¹(3/4), rounded). */
export const MAD_NORMAL_SCALE = 1.4826;

/**
 * Median absolute deviation from the median, scaled by 1.4826 so that it estimates σ for normal data
 * (Hampel 1974). Robust to up to 50 % outliers.
 */
export function robustScale(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('robustScale: expected a non-empty sample');
  const m = median(values);
  return MAD_NORMAL_SCALE * median(values.map((v) => Math.abs(v - m)));
}
