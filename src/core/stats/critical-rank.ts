/**
 * The critical rank of a distribution-free interval from an exact null CDF: the number of leading
 * CDF values at or below `tail` — the largest k with P(T ≤ k − 1) ≤ tail, or 0 when none qualifies.
 * Shared by the Mann–Whitney (two-sample) and Wilcoxon signed-rank (paired) Hodges–Lehmann intervals.
 */
export function criticalRankFromCdf(cdf: ArrayLike<number>, tail: number): number {
  // The CDF is non-decreasing: binary search for the last index with cdf ≤ tail (a relative
  // tolerance keeps a tail equal to an attainable level from being lost to rounding).
  let lo = -1;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cdf[mid] <= tail * (1 + 1e-12)) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
