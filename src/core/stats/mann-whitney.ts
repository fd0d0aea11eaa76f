/**
 * The Mann–Whitney U test (Mann & Whitney 1947; Wilcoxon rank-sum), following benchstat's rule:
 * the exact null distribution when there are no ties and both samples have at most 50 values,
 * otherwise the normal approximation with tie correction and continuity correction
 * (Hollander & Wolfe, Nonparametric Statistical Methods, §4.1).
 *
 * Assumptions: the two samples are independent, each made of i.i.d. draws; under H0 both come from
 * the same continuous distribution (so every arrangement of ranks is equally likely).
 */
import { normalCdf, normalSurvival } from './normal';
import { rankWithTies } from './ranks';

/** Largest sample size per side for which the exact distribution is used. */
export const EXACT_LIMIT = 50;

export interface MannWhitneyResult {
  /** U statistic of x: #(x_i > y_j) + ½ #(x_i = y_j). */
  u: number;
  /** One-sided p for "x is stochastically greater than y". */
  pGreater: number;
  /** One-sided p for "x is stochastically less than y". */
  pLess: number;
  /** Two-sided p. */
  pTwoSided: number;
  method: 'exact' | 'normal';
  /** True when the pooled sample has ties. */
  ties: boolean;
}

interface ExactTable {
  /** cdf[k] = P(U ≤ k). */
  cdf: Float64Array;
  /** sf[k] = P(U ≥ k), summed from the top so small tails stay precise. */
  sf: Float64Array;
}

const exactCache = new Map<string, ExactTable>();

/**
 * Exact null distribution of U for sample sizes m and n without ties, by the recurrence on the largest
 * observation: P_{i,j}(k) = i/(i+j)·P_{i−1,j}(k−j) + j/(i+j)·P_{i,j−1}(k) (Mann & Whitney 1947, eq. 2).
 * Probabilities rather than counts, so only positive terms are added and nothing overflows.
 */
export function mannWhitneyExactDistribution(m: number, n: number): ExactTable {
  const key = m <= n ? `${m},${n}` : `${n},${m}`;
  const cached = exactCache.get(key);
  if (cached) return cached;
  const [a, b] = m <= n ? [m, n] : [n, m];
  // prev[j] = distribution for sizes (i−1, j); cur[j] for (i, j).
  let prev: Float64Array[] = [];
  for (let j = 0; j <= b; j++) prev.push(Float64Array.of(1));
  for (let i = 1; i <= a; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= b; j++) {
      const dist = new Float64Array(i * j + 1);
      const wUp = i / (i + j);
      const wSide = j / (i + j);
      const up = prev[j]; // sizes (i−1, j), shifted by j
      for (let k = 0; k < up.length; k++) dist[k + j] += wUp * up[k];
      const side = cur[j - 1]; // sizes (i, j−1)
      for (let k = 0; k < side.length; k++) dist[k] += wSide * side[k];
      cur.push(dist);
    }
    prev = cur;
  }
  const pmf = prev[b];
  const size = pmf.length;
  const cdf = new Float64Array(size);
  const sf = new Float64Array(size);
  let acc = 0;
  for (let k = 0; k < size; k++) {
    acc += pmf[k];
    cdf[k] = Math.min(1, acc);
  }
  acc = 0;
  for (let k = size - 1; k >= 0; k--) {
    acc += pmf[k];
    sf[k] = Math.min(1, acc);
  }
  const table = { cdf, sf };
  exactCache.set(key, table);
  return table;
}

/** P(U ≤ k) under H0 for sizes m, n without ties (exact). */
export function mannWhitneyExactCdf(m: number, n: number, k: number): number {
  if (k < 0) return 0;
  const { cdf } = mannWhitneyExactDistribution(m, n);
  return k >= cdf.length ? 1 : cdf[Math.floor(k)];
}

/** The tie-corrected standard deviation of U under H0. */
export function mannWhitneySigma(m: number, n: number, tieSizes: readonly number[]): number {
  const total = m + n;
  let tieTerm = 0;
  for (const t of tieSizes) tieTerm += t * t * t - t;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  return Math.sqrt(Math.max(0, variance));
}

/**
 * Mann–Whitney U test of x against y. `pGreater` is the one-sided p-value for "x stochastically
 * greater than y" (SciPy's `alternative='greater'` with x first). `method` forces a method; by default
 * exact when there are no ties and both sizes ≤ 50, normal approximation otherwise.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  method: 'auto' | 'exact' | 'normal' = 'auto',
): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitneyU: expected two non-empty samples');
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new RangeError(`mannWhitneyU: non-finite value ${v}`);
  const pooled = [...x, ...y];
  const { ranks, tieSizes } = rankWithTies(pooled);
  let rankSumX = 0;
  for (let i = 0; i < m; i++) rankSumX += ranks[i];
  const u = rankSumX - (m * (m + 1)) / 2;
  const ties = tieSizes.length > 0;
  const useExact = method === 'exact' || (method === 'auto' && !ties && m <= EXACT_LIMIT && n <= EXACT_LIMIT);
  if (useExact) {
    const { cdf, sf } = mannWhitneyExactDistribution(m, n);
    // With ties U can be a half-integer; the exact table is then only an approximation (forced use).
    const pGreater = sf[Math.min(sf.length - 1, Math.ceil(u))] ?? 0;
    const pLess = cdf[Math.max(0, Math.floor(u))];
    return { u, pGreater, pLess, pTwoSided: Math.min(1, 2 * Math.min(pGreater, pLess)), method: 'exact', ties };
  }
  const mu = (m * n) / 2;
  const sigma = mannWhitneySigma(m, n, tieSizes);
  if (sigma === 0) return { u, pGreater: 1, pLess: 1, pTwoSided: 1, method: 'normal', ties };
  const pGreater = normalSurvival((u - mu - 0.5) / sigma);
  const pLess = normalCdf((u - mu + 0.5) / sigma);
  const uMax = Math.max(u, m * n - u);
  const pTwoSided = Math.min(1, 2 * normalSurvival((uMax - mu - 0.5) / sigma));
  return { u, pGreater: Math.min(1, pGreater), pLess: Math.min(1, pLess), pTwoSided, method: 'normal', ties };
}
