/**
 * Assembling a `ComparisonReport` from what the measurement produced, and the overall verdict.
 * Pure.
 */
import type { ComparisonReport, MetricResult, Verdict } from './model';
import { FAILING_OUTCOMES } from './model';

/** Whether a metric fails the gate: it regressed or broke an absolute limit, and no maintainer accepted that. */
export function fails(r: MetricResult): boolean {
  return FAILING_OUTCOMES.has(r.outcome) && !r.accepted;
}

/**
 * The verdict: `error` for a cancelled run (what it measured so far decides nothing); else
 * `fail` when any metric regressed or broke an absolute limit without being accepted (a
 * regression is never hidden by an error elsewhere); else `error` when something stopped the
 * comparison or nothing was measured; else `pass`.
 */
export function decideVerdict(results: readonly MetricResult[], errors: readonly string[], cancelled = false): Verdict {
  if (cancelled) return 'error';
  if (results.some(fails)) return 'fail';
  if (errors.length > 0 || results.length === 0) return 'error';
  return 'pass';
}

/** Counts for the action's outputs. */
export function countOutcomes(report: ComparisonReport): {
  regressions: number;
  improvements: number;
  accepted: number;
} {
  return {
    regressions: report.results.filter(fails).length,
    accepted: report.results.filter((r) => FAILING_OUTCOMES.has(r.outcome) && r.accepted).length,
    improvements: report.results.filter((r) => r.outcome === 'improvement').length,
  };
}
