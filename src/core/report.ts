/**
 * Assembling a `ComparisonReport` from what the measurement produced, and the overall verdict.
 * Pure.
 */
import type { ComparisonReport, MetricResult, Verdict } from './model';
import { FAILING_OUTCOMES } from './model';

/**
 * The verdict: `error` for a cancelled run (what it measured so far decides nothing); else
 * `fail` when any metric regressed or broke an absolute limit (a regression is never hidden by
 * an error elsewhere); else `error` when something stopped the comparison or nothing was
 * measured; else `pass`.
 */
export function decideVerdict(results: readonly MetricResult[], errors: readonly string[], cancelled = false): Verdict {
  if (cancelled) return 'error';
  if (results.some((r) => FAILING_OUTCOMES.has(r.outcome))) return 'fail';
  if (errors.length > 0 || results.length === 0) return 'error';
  return 'pass';
}

/** Counts for the action's outputs. */
export function countOutcomes(report: ComparisonReport): { regressions: number; improvements: number } {
  return {
    regressions: report.results.filter((r) => FAILING_OUTCOMES.has(r.outcome)).length,
    improvements: report.results.filter((r) => r.outcome === 'improvement').length,
  };
}
