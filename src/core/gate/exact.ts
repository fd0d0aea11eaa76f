/**
 * Metrics without noise, decided by their values.
 *
 * Counts and bytes (Go's `B/op` and `allocs/op`, .NET's allocated bytes, JMH's `gc.alloc.rate.norm`,
 * instruction counts under a simulator) repeat exactly within a side. A rank test on n identical pairs
 * has p = 2⁻ⁿ at best, so it would need 10–20 rounds to say what the values say at once. When every
 * sample of each side has one value, the change is known up to the tool's rounding step q of each side
 * (`resolution.ts`): the base value lies in [b − q_b, b + q_b] and the head value in [h − q_h, h + q_h],
 * so the change lies in [(h − q_h)/(b + q_b) − 1, (h + q_h)/(b − q_b) − 1] — exactly h/b − 1 for
 * whole-number counts. That interval decides at once: beyond the budget is a regression, inside it
 * within budget; straddling it, the metric goes on to the rank test.
 *
 * **Assumption: the quantity is deterministic.** This is not a test and spends no α: it holds because a
 * count of bytes, allocations or instructions of the same code is the same number every time. It is
 * applied only to whole-number units (`B`, `count`) and only after {@link EXACT_MIN_SAMPLES} identical
 * samples on each side (5 while measuring, 3 at a final look over given files). Times, rates and percentages are noisy by nature: a side of identical times is
 * a coarse timer's ties, and goes to the rank test with its step as resolution. A count that is in
 * fact noisy yet came out constant on both sides (say a heap size that is either 10 or 12 MB, each
 * half the time) comes out constant on both sides at different values with chance 2·4⁻ᵏ at k samples a
 * side, half of it in the failing direction: `npm run bench:gate` measures that case.
 */
import type { Direction, Unit } from '../model';
import { isWholeNumberUnit, resolutionOf } from './resolution';

/**
 * Identical samples each side needs before a whole-number metric is decided by its values: 5 while
 * rounds can still be added (a count that is in fact two-valued then fools the rule with chance
 * 4⁻⁵ ≈ 0.1 % per metric), 3 at a final look over given files (`perfgate compare` with 3 copies a side;
 * 4⁻³ ≈ 1.6 %).
 */
export const EXACT_MIN_SAMPLES = { interim: 5, final: 3 };

export interface ExactChange {
  /** The one value of each side. */
  base: number;
  head: number;
  /** The change h/b − 1 and the range the rounding steps allow (for higher-is-better metrics too). */
  estimate: number;
  low: number;
  high: number;
  /** Each side's rounding step (0 for whole-number counts). */
  steps: { base: number; head: number };
}

/** The one value every element of `values` has, or null. */
function constant(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const v = values[0];
  return values.every((x) => x === v) ? v : null;
}

/**
 * The change of a metric whose sides are each constant, or null when the rule does not apply (not a
 * whole-number unit, fewer than `EXACT_MIN_SAMPLES` samples a side, a side that varies, a value ≤ 0, or
 * a rounding step as large as a value).
 */
export function exactChange(
  base: readonly number[],
  head: readonly number[],
  unit: Unit,
  minSamples: number = EXACT_MIN_SAMPLES.interim,
): ExactChange | null {
  if (!isWholeNumberUnit(unit)) return null;
  if (base.length < minSamples || head.length < minSamples) return null;
  const b = constant(base);
  const h = constant(head);
  if (b === null || h === null || !(b > 0) || !(h > 0) || !Number.isFinite(b) || !Number.isFinite(h)) return null;
  const qb = resolutionOf([b], unit)?.step ?? 0;
  const qh = resolutionOf([h], unit)?.step ?? 0;
  if (qb >= b) return null;
  return {
    base: b,
    head: h,
    estimate: h / b - 1,
    low: (h - qh) / (b + qb) - 1,
    high: (h + qh) / (b - qb) - 1,
    steps: { base: qb, head: qh },
  };
}

/** What an exact change says against a relative budget: decided, or not (straddles it). */
export function exactVerdict(
  change: ExactChange,
  direction: Direction,
  limit: number,
): 'regression' | 'within-budget' | 'improvement' | null {
  // The budget's edge passes: "at most B worse" (lower-is-better: h ≤ (1 + B)·b; higher: h ≥ (1 − B)·b).
  const beyond = direction === 'lower' ? change.low > limit : change.high < -limit;
  if (beyond) return 'regression';
  const inside = direction === 'lower' ? change.high <= limit : change.low >= -limit;
  if (!inside) return null;
  const better = direction === 'lower' ? change.high < 0 : change.low > 0;
  return better ? 'improvement' : 'within-budget';
}
