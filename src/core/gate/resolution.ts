/**
 * The resolution of a metric's values: the step in which they move when the tool that measured them
 * rounds (a harness reporting whole nanoseconds, a histogram with 1 ms buckets, ops/s derived from
 * rounded times).
 *
 * Why it matters: rounding every value to a grid of step q moves each value by less than q/2, so each
 * pairwise or paired difference by less than q, so every order statistic of the differences — the
 * Hodges–Lehmann estimate and both interval ends — by less than q. The interval of the rounded data,
 * widened by q on each side, therefore still covers the shift of the unrounded data. When q is comparable
 * to the budget, the widened interval cannot be "within budget" on ties alone.
 *
 * Two estimates of q, the larger wins:
 * - the decimal grid: the finest decimal digit any value uses (70e-9 and 80e-9 lie on a 10 ns grid);
 * - the gap between distinct values, when ties show the values are rounded (most values share a value
 *   with another): the smallest step between neighbouring distinct values.
 * Both are expressed relative to the values (on the log scale the analysis uses), so one step of q at
 * value v is log(1 + q/v).
 */

/** Share of tied values above which the values are taken to be rounded to the gaps between them. */
const TIED_SHARE = 0.5;

/**
 * The finest decimal place a number uses, read to 12 significant digits so that unit conversions
 * (70 × 1e-9 = 7.000000000000001e-8) do not count as precision: 7e-8 → 1e-8; 0.0631 → 1e-4.
 */
export function decimalQuantum(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return 0;
  const [mantissa, exponentText] = Math.abs(v).toExponential(11).split('e');
  const decimals = mantissa.split('.')[1].replace(/0+$/, '').length;
  return 10 ** (Number(exponentText) - decimals);
}

export interface Resolution {
  /** The step, in the metric's unit. */
  step: number;
  /** The step relative to the smallest positive value, on the log scale: log(1 + step / min). */
  relative: number;
  /** How it was found. */
  source: 'decimal' | 'ties';
}

/**
 * The resolution of positive values (null when there is no evidence of rounding beyond float precision,
 * i.e. when the relative step is below 1e-9).
 */
export function resolutionOf(values: readonly number[]): Resolution | null {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length < 2) return null;
  const sorted = [...positive].sort((a, b) => a - b);
  const min = sorted[0];
  let decimal = Number.POSITIVE_INFINITY;
  for (const v of sorted) decimal = Math.min(decimal, decimalQuantum(v));

  let tiedCount = 0;
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const tied = (i > 0 && sorted[i] === sorted[i - 1]) || (i + 1 < sorted.length && sorted[i] === sorted[i + 1]);
    if (tied) tiedCount++;
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  }
  let gap = 0;
  if (tiedCount / sorted.length > TIED_SHARE && distinct.length > 1) {
    gap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < distinct.length; i++) gap = Math.min(gap, distinct[i] - distinct[i - 1]);
  }
  const step = Math.max(decimal, gap);
  const relative = Math.log1p(step / min);
  if (!(relative > 1e-9)) return null;
  return { step, relative, source: gap > decimal ? 'ties' : 'decimal' };
}
