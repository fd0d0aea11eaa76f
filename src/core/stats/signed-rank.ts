/**
 * Wilcoxon's signed-rank test for the median of a sample of differences, and the interval for it
 * from the Walsh averages (Wilcoxon 1945; Tukey 1949; Hollander & Wolfe, Nonparametric Statistical
 * Methods, 3rd ed., §3.1–3.3). Zeros are dropped and tied |d| share their mean rank (Pratt's and
 * Wilcoxon's conventions differ; this is Wilcoxon's, SciPy's `zero_method='wilcox'`); the null
 * distribution of T+ is exact (counted over all 2^n sign patterns, with ties) up to 60 differences
 * and normal beyond.
 * Assumption: the differences are independent and symmetric about their median.
 */
import { normalSurvival } from './normal';

/** Ranks of |d| (1-based, ties averaged), for the non-zero differences. */
function ranks(d: readonly number[]): { values: number[]; ranks: number[] } {
  const values = d.filter((v) => v !== 0);
  const order = values.map((v, i) => [Math.abs(v), i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j + 2) / 2;
    i = j + 1;
  }
  return { values, ranks: r };
}

/** P(T+ ≥ observed) under H0 (the median of d is 0): the one-sided p-value for "d tends to be positive". */
export function signedRankUpperP(d: readonly number[]): number {
  const { values, ranks: r } = ranks(d);
  const n = values.length;
  if (n === 0) return 1;
  let tPlus = 0;
  values.forEach((v, i) => {
    if (v > 0) tPlus += r[i];
  });
  if (n <= 60) {
    // Exact: count sign patterns by T+ in half-rank units (ties make ranks halves).
    const twice = r.map((x) => Math.round(2 * x));
    const max = twice.reduce((a, b) => a + b, 0);
    let counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (const w of twice) {
      const next = new Float64Array(max + 1);
      for (let s = 0; s <= max; s++) {
        if (counts[s] === 0) continue;
        next[s] += counts[s];
        if (s + w <= max) next[s + w] += counts[s];
      }
      counts = next;
    }
    const at = Math.round(2 * tPlus);
    let tail = 0;
    for (let s = at; s <= max; s++) tail += counts[s];
    return Math.min(1, tail / 2 ** n);
  }
  const mean = (n * (n + 1)) / 4;
  const tieGroups = new Map<number, number>();
  for (const x of r) tieGroups.set(x, (tieGroups.get(x) ?? 0) + 1);
  let tie = 0;
  for (const t of tieGroups.values()) tie += t ** 3 - t;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tie / 48);
  return normalSurvival((tPlus - mean - 0.5) / sd);
}

/**
 * One-sided bounds for the median of d at error `tail` each (Walsh averages): P(median < lower) ≤
 * tail and P(median > upper) ≤ tail. ∓Infinity when the sample is too small to give one.
 */
export function walshBounds(d: readonly number[], tail: number): { estimate: number; lower: number; upper: number } {
  const n = d.length;
  if (n === 0) return { estimate: Number.NaN, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY };
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((d[i] + d[j]) / 2);
  walsh.sort((a, b) => a - b);
  const N = walsh.length;
  const mid = N >> 1;
  const estimate = N % 2 ? walsh[mid] : (walsh[mid - 1] + walsh[mid]) / 2;
  // The smallest c with P(T+ ≥ c) ≤ tail under H0 (no ties: exact distribution of 1..n).
  let counts = new Float64Array(N + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    const next = new Float64Array(N + 1);
    for (let s = 0; s <= N; s++) {
      if (counts[s] === 0) continue;
      next[s] += counts[s];
      if (s + k <= N) next[s + k] += counts[s];
    }
    counts = next;
  }
  let c = N + 1;
  let upperTail = 0;
  for (let s = N; s >= 0; s--) {
    if ((upperTail + counts[s]) / 2 ** n > tail) break;
    upperTail += counts[s];
    c = s;
  }
  // Lower bound: the (N + 1 − c)-th smallest Walsh average; upper: the c-th smallest.
  const k = N + 1 - c;
  if (k < 1) return { estimate, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY };
  return { estimate, lower: walsh[k - 1], upper: walsh[N - k] };
}
