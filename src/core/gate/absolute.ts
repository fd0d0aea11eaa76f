/**
 * Absolute rules (`p99: < 200ms`): a bound on the head's median value of the metric, tested with the
 * distribution-free order-statistic interval for a median (Thompson 1936; Hollander & Wolfe §3.6).
 *
 * Oriented like the relative rules: the rule is written as "head ≤ limit is fine" on an oriented scale
 * (x = v for `<`/`<=`, x = −v for `>`/`>=`), so "worse" is always larger. Breach ⇔ the interval's lower
 * end is beyond the limit; within ⇔ its upper end is inside. Strict (`<`) and non-strict (`<=`) rules
 * differ only on the limit itself: a median exactly at the limit breaks `<` and keeps `<=`.
 * Assumption: the head's per-round values are i.i.d. (rounds are independent replicates).
 */
import { binomialHalfCdf, medianBoundRank } from '../stats/median-interval';
import { median } from '../stats/quantiles';

export interface AbsoluteRule {
  op: '<' | '<=' | '>' | '>=';
  bound: number;
}

export interface HeadMedian {
  /** The head median on the metric's own scale. */
  median: number;
  /** Lower end of the median's interval at one-sided error `tail` (−Infinity when out of reach). */
  lowerAt(tail: number): number;
  upperAt(tail: number): number;
  /** Whether a value on the metric's scale breaks the rule. */
  breaks(v: number): boolean;
  /** True when the worse end of the interval is `end` (the upper end for `<`/`<=`). */
  upperIsWorse: boolean;
  /** One-sided sign-test p-value for "the median breaks the rule" (orders metrics). */
  pBreaks: number;
  /** One-sided sign-test p-value for "the median keeps the rule". */
  pKeeps: number;
}

/** The head median's interval and the rule's tests, widened by `widen` (resolution) on both ends. */
export function headMedian(head: readonly number[], rule: AbsoluteRule, widen = 0): HeadMedian {
  const sorted = [...head].sort((a, b) => a - b);
  const n = sorted.length;
  const rank = (tail: number) => medianBoundRank(n, tail);
  const upperIsWorse = rule.op === '<' || rule.op === '<=';
  const breaks = (v: number) =>
    rule.op === '<'
      ? v >= rule.bound
      : rule.op === '<='
        ? v > rule.bound
        : rule.op === '>'
          ? v <= rule.bound
          : v < rule.bound;
  // Sign test: the number of values on the breaking side of the bound is Binomial(n, ½) at a median on the bound.
  const breaking = sorted.filter(breaks).length;
  return {
    median: median(sorted),
    lowerAt: (tail) => {
      const l = rank(tail);
      return l >= 1 ? sorted[l - 1] - widen : Number.NEGATIVE_INFINITY;
    },
    upperAt: (tail) => {
      const l = rank(tail);
      return l >= 1 ? sorted[n - l] + widen : Number.POSITIVE_INFINITY;
    },
    breaks,
    upperIsWorse,
    pBreaks: 1 - binomialHalfCdf(n, breaking - 1),
    pKeeps: binomialHalfCdf(n, breaking),
  };
}
