/**
 * The resolution of a metric's values: the step in which they move when the tool that measured them
 * rounds (a harness reporting whole nanoseconds, a histogram with 1 ms buckets, ops/s derived from
 * rounded times).
 *
 * Why it matters: rounding a value to a grid of step q (to nearest, down or up) moves it by less than
 * q, so a difference of a head and a base value moves by less than the larger of the two sides' steps
 * (both sides round the same way), and so does every order statistic of the differences — the
 * Hodges–Lehmann estimate and both interval ends. The interval of the rounded data, widened by that
 * step on each side, therefore still covers the shift of the unrounded data. When the step is
 * comparable to the budget, the widened interval cannot be "within budget" on ties alone.
 *
 * **Per side, never across sides.** Each side's step is read from that side's values only: the gap
 * between base and head is the change being measured, not the tool's step (48 B on base and 72 B on
 * head is a change of +50 %, not "steps of 24 B"). Two estimates per side, the larger wins:
 * - the decimal grid: the finest decimal digit any of the side's values uses (70e-9 and 80e-9 lie on a
 *   10 ns grid);
 * - the gap between distinct values, when ties show the values are rounded (most of the side's values
 *   share a value with another): the smallest step between neighbouring distinct values.
 *
 * **Whole-number quantities are exact.** Bytes and counts (`B`, `count`: allocations, bytes allocated,
 * instructions) that are whole numbers are taken as the tool's exact count, not as a value rounded to
 * its last digit: `allocs/op` 2 is two allocations, and 1000 bytes is not "1 kB ± 500 B". Their integer
 * variation is real variation, tested as such. (Go's `B/op` and `allocs/op` are whole-number
 * quotients; the gate compares them as the tool prints them.)
 */
import type { Unit } from '../model';

/** Share of tied values above which the values are taken to be rounded to the gaps between them. */
const TIED_SHARE = 0.5;

/** Units whose whole-number values are exact counts (bytes, allocations, instructions, counts). */
export function isWholeNumberUnit(unit: Unit): boolean {
  return unit === 'B' || unit === 'count';
}

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
  /** The step relative to the side's smallest positive value, on the log scale: log(1 + step / min). */
  relative: number;
  /** How it was found. */
  source: 'decimal' | 'ties' | 'grid';
}

/**
 * The resolution of one side's positive values (null when there is no evidence of rounding beyond
 * float precision, i.e. when the relative step is below 1e-9, or when the values are whole-number
 * counts of a whole-number unit).
 */
export function resolutionOf(values: readonly number[], unit: Unit = 's'): Resolution | null {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return null;
  const whole = isWholeNumberUnit(unit);
  const sorted = [...positive].sort((a, b) => a - b);
  const min = sorted[0];
  let decimal = 0;
  let allWhole = true;
  for (const v of sorted) {
    if (whole && Number.isInteger(v)) continue;
    allWhole = false;
    decimal = decimal === 0 ? decimalQuantum(v) : Math.min(decimal, decimalQuantum(v));
  }
  let gap = 0;
  if (!(whole && allWhole)) {
    let tiedCount = 0;
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const tied = (i > 0 && sorted[i] === sorted[i - 1]) || (i + 1 < sorted.length && sorted[i] === sorted[i + 1]);
      if (tied) tiedCount++;
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    }
    if (tiedCount / sorted.length > TIED_SHARE && distinct.length > 1) {
      gap = Number.POSITIVE_INFINITY;
      for (let i = 1; i < distinct.length; i++) gap = Math.min(gap, distinct[i] - distinct[i - 1]);
    }
  }
  const step = Math.max(decimal, gap);
  const relative = Math.log1p(step / min);
  if (!(relative > 1e-9)) return null;
  return { step, relative, source: gap > decimal ? 'ties' : 'decimal' };
}

/**
 * The resolution of values known to lie on a geometric grid of relative step \`grid\`, each rounded down
 * to it (a capacity search): a value moves by less than a factor 1 + grid, whatever the values show.
 * (Read from the values instead, a side with two grid points four steps apart would look four times
 * coarser than it is.)
 */
export function gridResolution(grid: number, values: readonly number[]): Resolution | null {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!(grid > 0) || positive.length === 0) return null;
  return { step: grid * Math.min(...positive), relative: Math.log1p(grid), source: 'grid' };
}

/**
 * The resolution of a comparison: each side's own step; the interval is widened by the larger
 * (see the file comment). Null when neither side shows rounding.
 */
export function comparisonResolution(
  base: readonly number[],
  head: readonly number[],
  unit: Unit,
): { base: Resolution | null; head: Resolution | null; widest: Resolution | null } {
  const b = resolutionOf(base, unit);
  const h = resolutionOf(head, unit);
  const widest = b && h ? (b.relative >= h.relative ? b : h) : (b ?? h);
  return { base: b, head: h, widest };
}
