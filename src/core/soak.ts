/**
 * Soak comparison: does head's resident memory (or open file descriptors) grow faster than base's
 * under the same constant load, by more than a tolerance?
 *
 * Each soak run is long, so there are few of them (two per side by default). The comparison
 * therefore uses the information inside each run:
 * 1. Drop the first `settle` seconds of every run (start-up, JIT, caches filling: growth that
 *    levels off is not a leak), and reduce the rest to medians of `block`-second blocks: a median
 *    ignores the saw-tooth of garbage collection, and blocks far apart are close to independent
 *    where second-by-second samples are not.
 * 2. Per side, the growth is the Theil–Sen slope over the pairs of blocks within each run, pooled
 *    over the side's runs (each run its own "season": Hirsch, Slack & Smith 1982), with Sen's
 *    (1968) distribution-free interval from the variance of Kendall's S summed over the runs. That
 *    variance is multiplied by (1 + ρ)/(1 − ρ), ρ the lag-1 autocorrelation of base's blocks around
 *    their line — the correction of the modified Mann–Kendall test (Hamed & Rao 1998; for Sen's
 *    slope, Yue & Wang 2004) — because neighbouring blocks are not independent. It is estimated on
 *    base, the control, so that a leak that does not grow in a straight line does not widen
 *    head's own interval; under no change both sides share the noise.
 * 3. Head regresses when the lower bound of its growth minus the upper bound of base's exceeds
 *    the tolerance, each bound one-sided at α/2: if head's extra growth is at most the tolerance,
 *    that happens only when one of the two intervals missed, so the false-fail rate is at most α.
 *    The difference is within the tolerance when head's upper bound minus base's lower bound is
 *    below it; the estimate is the difference of the two slopes.
 * Assumptions: after `settle` each run's resource is a straight line plus noise, blocks far apart
 * have independent noise, and base and head see the same machine (their runs are interleaved in
 * random order, like every replicate). Growth both sides share (the runtime's heap sizing) is
 * subtracted. Error rates under autocorrelated noise are checked by seeded simulation in the tests.
 * Several growth metrics are tested at α / (their number) each (Bonferroni).
 */
import type { BudgetRule, MetricResult, Outcome, SoakSeries } from './model';
import { normalQuantileUpper } from './stats/normal';
import { median } from './stats/quantiles';
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

export interface SoakComparison {
  /** Head's growth minus base's, with one-sided bounds (each side's interval at α/2). */
  estimate: number;
  lower: number;
  upper: number;
  /** Each side's pooled Theil–Sen growth. */
  base: number;
  head: number;
  /** The blocks' lag-1 autocorrelation used to widen the intervals. */
  rho: number;
  outcome: Outcome;
}

/**
 * Lag-1 autocorrelation of the block medians around each run's Theil–Sen line, pooled over runs,
 * with the small-sample bias (1 + 4ρ)/m (Kendall 1954) added back; 0 … 0.9.
 */
export function blockAutocorrelation(runs: readonly { x: number[]; y: number[] }[]): number {
  let num = 0;
  let den = 0;
  let m = 0;
  let used = 0;
  for (const b of runs) {
    if (b.x.length < 4) continue;
    const line = theilSen(b.x, b.y);
    const r = b.y.map((v, i) => v - line.slope * b.x[i]);
    const mean = r.reduce((x, y) => x + y, 0) / r.length;
    for (let i = 0; i < r.length; i++) {
      den += (r[i] - mean) ** 2;
      if (i + 1 < r.length) num += (r[i] - mean) * (r[i + 1] - mean);
    }
    m += r.length;
    used++;
  }
  if (den === 0 || used === 0) return 0;
  const rho = num / den;
  return Math.min(0.9, Math.max(0, rho + (1 + 4 * Math.max(0, rho)) / (m / used)));
}

/**
 * Theil–Sen slope pooled over runs (pairs within a run only) with Sen's one-sided bounds at error
 * `tail` each, Var S summed over runs and multiplied by `inflate`. ∓Infinity where the runs are too
 * short for a bound.
 */
export function pooledSlope(
  runs: readonly { x: number[]; y: number[] }[],
  tail: number,
  inflate: number,
): { slope: number; lower: number; upper: number } {
  const slopes: number[] = [];
  let variance = 0;
  for (const { x, y } of runs) {
    const n = x.length;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes.push((y[j] - y[i]) / (x[j] - x[i]));
    variance += (n * (n - 1) * (2 * n + 5)) / 18;
  }
  if (slopes.length === 0) return { slope: Number.NaN, lower: -Infinity, upper: Infinity };
  slopes.sort((a, b) => a - b);
  const N = slopes.length;
  const slope = N % 2 ? slopes[N >> 1] : (slopes[N / 2 - 1] + slopes[N / 2]) / 2;
  const c = normalQuantileUpper(tail) * Math.sqrt(variance * inflate);
  const lo = Math.round((N - c) / 2) - 1;
  const hi = Math.round((N + c) / 2);
  return { slope, lower: lo >= 0 ? slopes[lo] : -Infinity, upper: hi <= N - 1 ? slopes[hi] : Infinity };
}

/** The comparison of one growth metric at level `alpha` (see the file comment). */
export function compareGrowth(
  base: SoakSeries[],
  head: SoakSeries[],
  tolerance: number,
  alpha: number,
): SoakComparison {
  const b = base.map(blockMedians);
  const h = head.map(blockMedians);
  // The noise structure is estimated on base, the control: a leak that does not grow in a straight
  // line would otherwise read as autocorrelated noise on head and widen its own interval.
  const rho = blockAutocorrelation(b);
  const inflate = (1 + rho) / (1 - rho);
  const sb = pooledSlope(b, alpha / 2, inflate);
  const sh = pooledSlope(h, alpha / 2, inflate);
  const lower = sh.lower - sb.upper;
  const upper = sh.upper - sb.lower;
  const estimate = sh.slope - sb.slope;
  let outcome: Outcome;
  if (lower > tolerance) outcome = 'regression';
  else if (upper < 0) outcome = 'improvement';
  else if (upper <= tolerance) outcome = 'within-budget';
  else outcome = 'inconclusive';
  return { estimate, lower, upper, base: sb.slope, head: sh.slope, rho, outcome };
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
      pValue: null,
      budget,
      outcome: off ? 'ungated' : c.outcome,
      rounds: Math.min(e.base.length, e.head.length),
      stopReason: `head grows ${fmt(c.estimate)} faster than base (bounds ${fmt(c.lower)} … ${fmt(c.upper)} at ${(level * 100).toFixed(2)} %; block autocorrelation ${c.rho.toFixed(2)})`,
      warnings: [
        ...r.warnings.filter((w) => w.code !== 'too-few-samples' && w.code !== 'too-noisy'),
        {
          code: 'soak',
          metric: r.id,
          text:
            `${r.id}: growth after the settle time base ${fmt(c.base)}, head ${fmt(c.head)}: head grows ${fmt(c.estimate)} faster (bounds ${fmt(c.lower)} … ${fmt(c.upper)}, tolerance ${format(tolerance, r.unit)}); each run's own growth: base ${base.map(fmt).join(', ')}, head ${head.map(fmt).join(', ')}.` +
            // Sen's bounds run out of slope pairs when runs hold few blocks and the blocks are correlated.
            (Number.isFinite(c.lower) && Number.isFinite(c.upper)
              ? ''
              : ` An infinite bound: too few blocks after the settle time for a bound at this autocorrelation (${c.rho.toFixed(2)}) and level; lengthen duration or add rounds.`),
        },
      ],
    };
  });
}
