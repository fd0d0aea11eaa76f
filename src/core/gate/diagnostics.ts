/**
 * Notes about a metric's data that a reader should act on (warnings are data). None of them changes a
 * decision; each is calibrated so that it rarely fires on clean data, or readers learn to ignore it.
 */
import type { MetricId, Warning } from '../model';
import { kendallTrend } from '../stats/kendall';
import { median, robustScale } from '../stats/quantiles';

/** Per-side sample count below which outliers and drift are not assessed. */
const MIN_SAMPLES = 5;
/** Drift note: two-sided level of the Kendall trend test, per side. */
const DRIFT_P = 0.01;

/**
 * Outlier threshold in robust SDs by samples per side, calibrated by simulation (20,000 clean normal
 * trials each, on the log scale where log-normal noise is normal): a metric gets the note in 3 % of clean
 * runs at every n. The threshold falls with n because the pooled MAD steadies. With it, 10 % of one
 * side's samples 1.5× slower are flagged in 86 % (n = 10) to 100 % (n ≥ 40) of runs at CV 6 %, and in
 * 100 % at CV 3 % (`__tests__/stats/diagnostics.test.ts` checks both).
 */
const OUTLIER_K: [number, number][] = [
  [5, 7.44],
  [8, 5.43],
  [10, 4.97],
  [15, 4.46],
  [20, 4.24],
  [30, 4.1],
  [40, 4.02],
];

/** The outlier threshold for n samples per side (linear between the calibrated points). */
export function outlierThreshold(n: number): number {
  if (n <= OUTLIER_K[0][0]) return OUTLIER_K[0][1];
  for (let i = 1; i < OUTLIER_K.length; i++) {
    const [n1, k1] = OUTLIER_K[i];
    if (n <= n1) {
      const [n0, k0] = OUTLIER_K[i - 1];
      return k0 + ((k1 - k0) * (n - n0)) / (n1 - n0);
    }
  }
  return OUTLIER_K[OUTLIER_K.length - 1][1];
}

/**
 * Outliers and drift of oriented samples on the analysis scale. Outliers: residuals from each side's
 * median beyond `outlierThreshold(n)` robust SDs of the pooled residuals (Iglewicz & Hoaglin 1993's
 * modified z-score, recalibrated for "any of 2n"). Drift: Kendall's trend test of each side over rounds.
 */
export function sampleNotes(metric: MetricId, base: readonly number[], head: readonly number[]): Warning[] {
  const notes: Warning[] = [];
  const n = Math.min(base.length, head.length);
  if (n < MIN_SAMPLES) return notes;
  const mb = median(base);
  const mh = median(head);
  const scale = robustScale([...base.map((v) => v - mb), ...head.map((v) => v - mh)]);
  const k = outlierThreshold(n);
  // Rounded values (most of them tied, like a harness's whole nanoseconds) make the robust scale
  // collapse onto the grid, so one step reads as an outlier: the resolution note speaks for them.
  const quantized = tiedShare([...base, ...head]) > 0.5;
  for (const [side, values, med] of [
    ['base', base, mb],
    ['head', head, mh],
  ] as const) {
    if (scale > 0 && !quantized) {
      const count = values.filter((v) => Math.abs(v - med) > k * scale).length;
      if (count > 0)
        notes.push({
          code: 'outliers',
          metric,
          text: `${count} of ${values.length} ${side} samples lie far from the rest (more than ${k.toFixed(1)} robust SD); they are kept (rank statistics are robust to them), but check for interference during the run.`,
        });
    }
    if (values.length >= 8) {
      const trend = kendallTrend(values);
      if (trend.p < DRIFT_P)
        notes.push({
          code: 'drift',
          metric,
          text: `The ${side} samples drift over the rounds (Kendall τ = ${trend.tau.toFixed(2)}): the machine changed state during the run. Pairing by round keeps the comparison fair, but consider a longer warm-up or a quieter runner.`,
        });
    }
  }
  return notes;
}

/** The share of values equal to another value. */
function tiedShare(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tied = 0;
  for (const c of counts.values()) if (c > 1) tied += c;
  return values.length ? tied / values.length : 0;
}
