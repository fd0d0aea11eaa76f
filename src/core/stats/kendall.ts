/**
 * Trend test of a series against its time order: Kendall's τ_b between the round index and the
 * values, with the large-sample normal approximation of S = concordant − discordant pairs
 * (Kendall 1948; Mann 1945 "Mann–Kendall test"; variance with ties in the values as in SciPy's
 * `kendalltau(..., method='asymptotic')`).
 * Assumption: under H0 the values are exchangeable over time (no drift).
 */
import { normalSurvival } from './normal';

export interface TrendResult {
  /** Kendall's τ_b of value against round index (positive: values grow over time). */
  tau: number;
  /** S = concordant − discordant pairs. */
  s: number;
  z: number;
  /** Two-sided p-value for "no monotone trend". */
  p: number;
}

/** Kendall trend test of `values` (in time order). Needs at least 3 values; all-tied values give p = 1. */
export function kendallTrend(values: readonly number[]): TrendResult {
  const n = values.length;
  if (n < 3) return { tau: 0, s: 0, z: 0, p: 1 };
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(values[j] - values[i]);
  // Tie groups in the values.
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tieVar = 0;
  let tiePairs = 0;
  for (const t of counts.values()) {
    tieVar += t * (t - 1) * (2 * t + 5);
    tiePairs += (t * (t - 1)) / 2;
  }
  const pairs = (n * (n - 1)) / 2;
  const variance = (n * (n - 1) * (2 * n + 5) - tieVar) / 18;
  if (variance <= 0 || tiePairs === pairs) return { tau: 0, s: 0, z: 0, p: 1 };
  const tau = s / Math.sqrt(pairs * (pairs - tiePairs));
  const z = s / Math.sqrt(variance);
  return { tau, s, z, p: Math.min(1, 2 * normalSurvival(Math.abs(z))) };
}
