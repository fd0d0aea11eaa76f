/**
 * Soak comparison: does head's resident memory (or open file descriptors) grow faster than base's
 * under the same constant load, by more than a tolerance?
 *
 * Each soak run is long, so there are few of them (one per side and round, by default one round).
 * The comparison therefore uses the information inside each run, as a test for parallel
 * regression lines does (Hollander 1970, "A distribution-free test for parallelism", JASA 65;
 * Hollander & Wolfe, Nonparametric Statistical Methods, §9.4):
 * 1. Drop the first `settle` seconds of every run (start-up, JIT, caches filling: growth that
 *    levels off is not a leak), and reduce the rest to medians of `block`-second blocks: a median
 *    ignores the saw-tooth of garbage collection, and blocks far apart in time are close to
 *    independent where second-by-second samples are not.
 * 2. Within a run of 2k blocks, pair block j with block j + k: Z_j = (Y_{j+k} − Y_j)/(x_{j+k} − x_j)
 *    is a slope estimate from disjoint blocks. Base and head run at the same sampling times, so the
 *    j-th pairs of the base and the head run of one round match: D_j = Z_j(head) − Z_j(base).
 * 3. The D_j of all rounds estimate the difference of the growth rates. Wilcoxon's signed-rank test
 *    of D − tolerance (one-sided) decides; Walsh averages give the estimate (Hodges–Lehmann) and
 *    one-sided bounds. Head regresses when the lower bound of its extra growth exceeds the
 *    tolerance (H0: extra growth ≤ tolerance, at level α); the difference is within the tolerance
 *    when the upper bound is below it.
 * Assumptions: after `settle` each run's resource is a straight line plus noise, the noise of
 * blocks far apart is independent and symmetric, and base and head see the same machine (their
 * runs are interleaved in random order, like every replicate). Growth that is the same on both
 * sides (the runtime's heap sizing) cancels. The error rate under these assumptions and under
 * autocorrelated noise is checked by seeded simulation in the tests.
 * Several growth metrics are tested at α / (their number) each (Bonferroni).
 */
import type { BudgetRule, MetricResult, Outcome, SoakSeries } from './model';
import { normalQuantileUpper, normalSurvival } from './stats/normal';
import { median } from './stats/quantiles';
import { signedRankUpperP, walshBounds } from './stats/signed-rank';
import { theilSen } from './stats/theil-sen';

/** Block medians of a series after `settle`: block centre times and values. */
export function blockMedians(s: Pick<SoakSeries, 't' | 'y' | 'settle' | 'block'>): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const end = Math.max(...s.t);
  for (let from = s.settle; from + s.block <= end + 1e-9; from += s.block) {
    const inBlock = s.y.filter((_, i) => s.t[i] >= from && s.t[i] < from + s.block);
    if (inBlock.length === 0) continue;
    x.push(from + s.block / 2);
    y.push(median(inBlock));
  }
  return { x, y };
}

/** Hollander's paired slopes of one base run and one head run: D_j = Z_j(head) − Z_j(base). */
export function slopeDifferences(base: SoakSeries, head: SoakSeries): number[] {
  const b = blockMedians(base);
  const h = blockMedians(head);
  const m = Math.min(b.x.length, h.x.length);
  const k = Math.floor(m / 2);
  const out: number[] = [];
  for (let j = 0; j < k; j++) {
    const zb = (b.y[j + k] - b.y[j]) / (b.x[j + k] - b.x[j]);
    const zh = (h.y[j + k] - h.y[j]) / (h.x[j + k] - h.x[j]);
    out.push(zh - zb);
  }
  return out;
}

export interface SoakComparison {
  /** Hodges–Lehmann estimate of head's growth minus base's, with one-sided bounds at level α. */
  estimate: number;
  lower: number;
  upper: number;
  /** One-sided p-value of H0: extra growth ≤ tolerance. */
  p: number;
  pairs: number;
  outcome: Outcome;
}

/**
 * Lag-1 autocorrelation of the block medians around each run's Theil–Sen line, pooled over runs,
 * with the small-sample bias correction (1 + 4ρ)/m of Kendall (1954) added back; 0 … 0.9.
 */
export function blockAutocorrelation(runs: readonly SoakSeries[]): number {
  let num = 0;
  let den = 0;
  let m = 0;
  for (const s of runs) {
    const b = blockMedians(s);
    if (b.x.length < 4) continue;
    const line = theilSen(b.x, b.y);
    const r = b.y.map((v, i) => v - line.slope * b.x[i]);
    const mean = r.reduce((x, y) => x + y, 0) / r.length;
    for (let i = 0; i < r.length; i++) {
      den += (r[i] - mean) ** 2;
      if (i + 1 < r.length) num += (r[i] - mean) * (r[i + 1] - mean);
    }
    m += r.length;
  }
  if (den === 0 || m === 0) return 0;
  const rho = num / den;
  const runs_ = runs.length || 1;
  return Math.min(0.9, Math.max(0, rho + (1 + 4 * Math.max(0, rho)) / (m / runs_)));
}

/**
 * The comparison of one growth metric at level `alpha` (see the file comment). Neighbouring block
 * pairs share neighbouring blocks, so their differences are correlated when the noise is (garbage
 * collection cycles, heap growth steps): the signed-rank statistic's variance is inflated by the
 * long-run factor (1 + ρ)/(1 − ρ) of the blocks' lag-1 autocorrelation ρ — the correction of the
 * modified Mann–Kendall test (Hamed & Rao 1998, J. Hydrology 204) — and the test and the bounds
 * use the normal approximation with that variance.
 */
export function compareGrowth(
  base: SoakSeries[],
  head: SoakSeries[],
  tolerance: number,
  alpha: number,
): SoakComparison {
  const rounds = Math.min(base.length, head.length);
  const d: number[] = [];
  for (let r = 0; r < rounds; r++) d.push(...slopeDifferences(base[r], head[r]));
  const n = d.length;
  if (n === 0)
    return { estimate: Number.NaN, lower: -Infinity, upper: Infinity, p: 1, pairs: 0, outcome: 'inconclusive' };
  const rho = blockAutocorrelation([...base.slice(0, rounds), ...head.slice(0, rounds)]);
  const inflate = (1 + rho) / (1 - rho);
  const p =
    rho === 0
      ? signedRankUpperP(d.map((v) => v - tolerance))
      : inflatedUpperP(
          d.map((v) => v - tolerance),
          inflate,
        );
  const b = rho === 0 ? walshBounds(d, alpha) : inflatedBounds(d, alpha, inflate);
  let outcome: Outcome;
  if (b.lower > tolerance) outcome = 'regression';
  else if (b.upper < 0) outcome = 'improvement';
  else if (b.upper <= tolerance) outcome = 'within-budget';
  else outcome = b.estimate > tolerance ? 'inconclusive' : 'unchanged';
  return { estimate: b.estimate, lower: b.lower, upper: b.upper, p, pairs: n, outcome };
}

/** Signed-rank p-value, normal approximation with the variance multiplied by `inflate`. */
function inflatedUpperP(d: readonly number[], inflate: number): number {
  const v = d.filter((x) => x !== 0);
  const n = v.length;
  if (n === 0) return 1;
  const order = v.map((x, i) => [Math.abs(x), i] as const).sort((a, b) => a[0] - b[0]);
  let tPlus = 0;
  order.forEach(([, i], rank) => {
    if (v[i] > 0) tPlus += rank + 1;
  });
  const sd = Math.sqrt(((n * (n + 1) * (2 * n + 1)) / 24) * inflate);
  return normalSurvival((tPlus - (n * (n + 1)) / 4 - 0.5) / sd);
}

/** Walsh-average bounds at error `tail` each, the critical rank from the inflated normal approximation. */
function inflatedBounds(
  d: readonly number[],
  tail: number,
  inflate: number,
): { estimate: number; lower: number; upper: number } {
  const n = d.length;
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((d[i] + d[j]) / 2);
  walsh.sort((a, b) => a - b);
  const N = walsh.length;
  const estimate = N % 2 ? walsh[N >> 1] : (walsh[N / 2 - 1] + walsh[N / 2]) / 2;
  const sd = Math.sqrt(((n * (n + 1) * (2 * n + 1)) / 24) * inflate);
  const k = Math.floor(N / 2 - normalQuantileUpper(tail) * sd); // the k-th smallest and largest
  if (k < 1) return { estimate, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY };
  return { estimate, lower: walsh[k - 1], upper: walsh[N - k] };
}

/**
 * Replaces the engine's results for soak growth metrics (whose few replicates it cannot judge) by
 * the comparison above. `budgetOff(id)` says whether a budget `off` covers the metric (then it is
 * reported, never gated); `format` renders a growth rate for the reason text.
 */
export function applySoak(
  results: readonly MetricResult[],
  series: readonly SoakSeries[],
  alpha: number,
  budgetOff: (id: string) => boolean,
  format: (perSecond: number, unit: string) => string,
): MetricResult[] {
  const byMetric = new Map<string, { base: SoakSeries[]; head: SoakSeries[] }>();
  for (const s of series) {
    const e = byMetric.get(s.metric) ?? { base: [], head: [] };
    e[s.side].push(s);
    byMetric.set(s.metric, e);
  }
  const gated = [...byMetric.keys()].filter((id) => !budgetOff(id));
  const level = alpha / Math.max(1, gated.length);
  return results.map((r) => {
    const e = byMetric.get(r.id);
    if (!e || e.base.length === 0 || e.head.length === 0) return r;
    const tolerance = e.head[0].tolerance;
    const slopes = (list: SoakSeries[]) =>
      list.map((s) => {
        const keep = s.t.map((t, i) => [t, s.y[i]] as const).filter(([t]) => t >= s.settle);
        return keep.length >= 2
          ? theilSen(
              keep.map((k) => k[0]),
              keep.map((k) => k[1]),
            ).slope
          : Number.NaN;
      });
    const base = slopes(e.base);
    const head = slopes(e.head);
    const c = compareGrowth(e.base, e.head, tolerance, level);
    const off = budgetOff(r.id);
    const budget: BudgetRule = off
      ? { kind: 'off', source: 'off' }
      : {
          kind: 'absolute',
          op: '<',
          bound: tolerance,
          unit: r.unit,
          source: `head − base < ${format(tolerance, r.unit)}`,
        };
    const fmt = (v: number) => (Number.isFinite(v) ? format(v, r.unit) : v > 0 ? '∞' : '−∞');
    return {
      ...r,
      base,
      head,
      baseMedian: median(base),
      headMedian: median(head),
      change: null,
      pValue: c.p,
      pAdjusted: Math.min(1, c.p * Math.max(1, gated.length)),
      alphaUsed: off ? null : level,
      budget,
      outcome: off ? 'ungated' : c.outcome,
      rounds: Math.min(e.base.length, e.head.length),
      stopReason: `head grows ${fmt(c.estimate)} faster than base (one-sided ${Math.round((1 - level) * 100)} % bounds ${fmt(c.lower)} … ${fmt(c.upper)}; Hollander's test for parallel slopes on ${c.pairs} block pairs)`,
      warnings: [
        ...r.warnings.filter((w) => w.code !== 'too-few-samples' && w.code !== 'too-noisy'),
        {
          code: 'soak',
          metric: r.id,
          text: `${r.id}: head grows ${fmt(c.estimate)} faster than base (bounds ${fmt(c.lower)} … ${fmt(c.upper)}, tolerance ${format(tolerance, r.unit)}); each run's own growth (Theil–Sen): base ${base.map(fmt).join(', ')}, head ${head.map(fmt).join(', ')}.`,
        },
      ],
    };
  });
}
