/**
 * Growth subjects: a soak suite's resource growth (`api:rss-growth`, `api:fd-growth`), decided in the
 * gate's own family against the soak's tolerance.
 *
 * Each soak run gives one value per side: the growth of the resource's lower envelope after the settle
 * time (`core/soak.ts`). The runs are replicates, so head's extra growth over base is tested with
 * **Student's two-sample t-test** on those values (Student 1908; the pooled-variance form, e.g.
 * Snedecor & Cochran, Statistical Methods, §6.9): d = mean(head) − mean(base), se = s_p·√(1/n_b + 1/n_h),
 * n_b + n_h − 2 degrees of freedom. The budget is the null hypothesis, as for every gated metric:
 * - **regression** ⇔ d − t·se > tolerance (the whole interval is beyond it),
 * - **within budget** ⇔ d + t·se ≤ tolerance (**improvement** when also < 0),
 * each end at the one-sided level the gate gives it.
 *
 * A soak suite runs few long rounds and is not resampled, so a growth metric is tested **once**, when
 * its soak's runs are done (or at the final look, with the runs done by then), at the full level Holm
 * gives it there: a single-look boundary, of size α/|J| like every metric's boundary sequence, so the
 * gate's family-wise error holds with growth metrics in the family (see `holm.ts`).
 *
 * Assumptions: the runs of a side are independent replicates (each a fresh server, in random order with
 * the other side's), and their growths are close to normal with the same spread on both sides (each is a
 * slope through hundreds of samples; equal run counts make the test robust to unequal spreads). Nothing
 * is assumed about the noise inside a run — autocorrelation, a collection saw-tooth, a run-to-run drift
 * of the heap: the spread between runs carries all of it. With no spread at all (a file-descriptor count
 * that never moves) the difference is known exactly and decides by its value.
 *
 * Pure: data in, data out.
 */
import type { BudgetRule, MetricId, MetricResult, MetricSamples, Outcome, SoakRole, Unit, Warning } from '../model';
import { median } from '../stats/quantiles';
import { studentTQuantileUpper, studentTSurvival } from '../stats/student-t';
import { formatGrowth } from '../units';

/** The runs a side needs before the growth can be compared (one degree of freedom a side). */
export const MIN_RUNS = 2;

/** The test of head's extra growth over base's against the tolerance. */
export interface GrowthTest {
  /** mean(head) − mean(base), per second. */
  estimate: number;
  tolerance: number;
  /** Standard error of the estimate (0 when no run differs from the others of its side). */
  se: number;
  df: number;
  /** Lower end of the interval at one-sided error `tail`. */
  lowerAt(tail: number): number;
  /** Upper end of the interval at one-sided error `tail`. */
  upperAt(tail: number): number;
  /** One-sided p-value of "within the tolerance" (small: beyond it), to order the fail-side Holm steps. */
  pBeyond: number;
  /** One-sided p-value of "beyond the tolerance" (small: within it), to order the pass-side Holm steps. */
  pWithin: number;
  /** One-sided p-value of "head grows no faster than base" (informational). */
  pWorse: number;
}

/** The growth subject of the gate: the test, with the notes to show beside it. */
export interface GrowthSubject {
  kind: 'growth';
  test: GrowthTest;
  notes: Warning[];
}

/** Student's two-sample t-test of head − base against `tolerance` (see the file comment). */
export function growthTest(base: readonly number[], head: readonly number[], tolerance: number): GrowthTest {
  const nb = base.length;
  const nh = head.length;
  if (nb < 1 || nh < 1 || nb + nh < 3) throw new RangeError('growthTest: expected at least 3 runs, one a side');
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mb = mean(base);
  const mh = mean(head);
  const ss = base.reduce((a, v) => a + (v - mb) ** 2, 0) + head.reduce((a, v) => a + (v - mh) ** 2, 0);
  const df = nb + nh - 2;
  // Equal values within each side: no spread (not the rounding residue of the sums above).
  const constant = base.every((v) => v === base[0]) && head.every((v) => v === head[0]);
  const se = constant ? 0 : Math.sqrt((ss / df) * (1 / nb + 1 / nh));
  const estimate = mh - mb;
  // With no spread the difference is exact: its p-values are 0 or 1.
  const above = (x: number) => (se > 0 ? studentTSurvival((estimate - x) / se, df) : estimate > x ? 0 : 1);
  const below = (x: number) => (se > 0 ? studentTSurvival((x - estimate) / se, df) : estimate < x ? 0 : 1);
  return {
    estimate,
    tolerance,
    se,
    df,
    lowerAt: (tail) => (se > 0 ? estimate - studentTQuantileUpper(tail, df) * se : estimate),
    upperAt: (tail) => (se > 0 ? estimate + studentTQuantileUpper(tail, df) * se : estimate),
    pBeyond: above(tolerance),
    pWithin: below(tolerance),
    pWorse: above(0),
  };
}

/**
 * The rule a soak metric is judged by: a growth metric by its soak's tolerance (unless a budget rule
 * turns it off), a metric only reported during a soak by none. Any other metric keeps `rule`.
 */
export function soakBudget(soak: SoakRole | undefined, rule: BudgetRule, unit: Unit): BudgetRule {
  if (!soak || rule.kind === 'off') return rule;
  if (soak.role === 'reported') return { kind: 'off', source: 'reported during a soak' };
  return {
    kind: 'growth',
    bound: soak.tolerance,
    unit,
    source: `head − base ≤ ${formatGrowth(soak.tolerance, unit)}`,
  };
}

/** A growth metric at one look: its subject, or a result when it cannot (yet) be tested. */
export function growthSubject(
  m: MetricSamples,
  budget: BudgetRule & { kind: 'growth' },
  isFinal: boolean,
): GrowthSubject | { result: Partial<MetricResult>; decided: boolean; error?: string } {
  const runs = m.soak?.role === 'growth' ? m.soak.runs : MIN_RUNS;
  const done = Math.min(m.base.length, m.head.length);
  if (done < runs && !isFinal)
    return { result: { stopReason: `waiting for the soak's runs (${done} of ${runs} a side)` }, decided: false };
  if (m.base.length < MIN_RUNS || m.head.length < MIN_RUNS) {
    return {
      result: { stopReason: 'too few soak runs' },
      decided: true,
      error: tooFewRuns(m.id, m.base.length, m.head.length, runs),
    };
  }
  const notes: Warning[] = [];
  if (done < runs) notes.push(partialRuns(m.id, done, runs));
  return { kind: 'growth', test: growthTest(m.base, m.head, budget.bound), notes };
}

/** The growth metric's result at the look that tested it. */
export function growthResult(
  m: MetricSamples,
  base: MetricResult,
  subject: GrowthSubject,
  fail: { tail: number; rejected: boolean },
  pass: { tail: number; rejected: boolean },
  where: string,
): MetricResult {
  const { test } = subject;
  const low = test.lowerAt(fail.tail);
  const high = test.upperAt(pass.tail);
  let outcome: Outcome;
  let stopReason: string;
  const runs = `${Math.min(m.base.length, m.head.length)} soak runs a side`;
  if (fail.rejected) {
    outcome = 'regression';
    stopReason = `beyond the tolerance at ${where}, after ${runs}`;
  } else if (pass.rejected) {
    outcome = high < 0 ? 'improvement' : 'within-budget';
    stopReason = `within the tolerance at ${where}, after ${runs}`;
  } else {
    outcome = 'inconclusive';
    stopReason = `undecided after ${runs}`;
  }
  const warnings = [...base.warnings];
  if (outcome === 'inconclusive') warnings.push(undecided(m, test, low, high, fail.tail));
  return {
    ...base,
    baseMedian: median(m.base),
    headMedian: median(m.head),
    growthInterval: { estimate: test.estimate, low, high, confidence: 1 - fail.tail - pass.tail },
    pValue: test.pWorse,
    outcome,
    stopReason,
    warnings,
  };
}

/** A growth metric whose budget is off: the extra growth with a descriptive two-sided 95 % interval. */
export function ungatedGrowth(m: MetricSamples, result: MetricResult): MetricResult {
  if (m.base.length < 1 || m.head.length < 1 || m.base.length + m.head.length < 3) return result;
  const test = growthTest(m.base, m.head, 0);
  return {
    ...result,
    growthInterval: { estimate: test.estimate, low: test.lowerAt(0.025), high: test.upperAt(0.025), confidence: 0.95 },
    pValue: test.pWorse,
  };
}

// ---------------------------------------------------------------------------------------------
// Notes

function tooFewRuns(metric: MetricId, base: number, head: number, runs: number): string {
  return (
    `${metric}: only ${base} base and ${head} head soak run${head === 1 ? '' : 's'} completed; comparing growth needs at least ${MIN_RUNS} a side ` +
    `(${runs} were planned). Raise max-time, or shorten the runs (soak.duration) so that soak.rounds fit.`
  );
}

function partialRuns(metric: MetricId, done: number, runs: number): Warning {
  return {
    code: 'soak-runs',
    metric,
    text: `Only ${done} of the ${runs} planned soak runs a side completed before sampling stopped; the growth was compared on those.`,
  };
}

/**
 * An interval that straddles the tolerance: what it shows, and how many runs a side would make it about
 * half as wide as the distance that would decide (the spread shrinks as 1/√runs; longer runs shrink it
 * faster, as duration^−1.5 for a slope through slowly wandering noise).
 */
function undecided(m: MetricSamples, test: GrowthTest, low: number, high: number, tail: number): Warning {
  const fmt = (v: number) => formatGrowth(v, m.unit);
  const runs = Math.min(m.base.length, m.head.length);
  const distance = Math.abs(test.estimate - test.tolerance);
  const t = studentTQuantileUpper(tail, test.df);
  const needed = distance > 0 ? Math.ceil(runs * ((2 * t * test.se) / distance) ** 2) : Number.POSITIVE_INFINITY;
  const more =
    Number.isFinite(needed) && needed > runs && needed <= 100
      ? `about ${needed} runs a side (soak.rounds) or longer runs (soak.duration) would decide it`
      : 'longer runs (soak.duration) or more of them (soak.rounds) would narrow it';
  return {
    code: 'soak-undecided',
    metric: m.id,
    text:
      `Head grows ${fmt(test.estimate)} faster than base (${fmt(low)} … ${fmt(high)}), which straddles the tolerance ` +
      `${fmt(test.tolerance)} after ${runs} runs a side: ${more}.`,
  };
}
