/**
 * The facts of a metric, taken once where it is first measured. Pure.
 */
import type { MetricFacts, MetricId, MetricValue } from './model';

/** The id of metric `name` of `suite`, of one case of it when given: `SUITE[/CASE]:NAME` (see `MetricId`). */
export function metricId(suite: string, caseName: string | undefined, name: string): MetricId {
  return `${suite}${caseName === undefined ? '' : `/${caseName}`}:${name}`;
}

/**
 * The facts of a value measured by `suite`. Its id is `SUITE[/CASE]:NAME` (see `MetricId`); the
 * suite is known here, so only the rest of the id is split: the case is what lies between
 * `SUITE/` and the last `:`, the name what follows it (a case may itself contain `/` and `:`).
 */
export function describeMetric(suite: string, value: MetricValue): MetricFacts {
  const { id, unit, direction, percentile, soak, counter, grid } = value;
  const rest = id.startsWith(suite) ? id.slice(suite.length) : id;
  const colon = rest.lastIndexOf(':');
  const name = colon === -1 ? rest : rest.slice(colon + 1);
  const facts: MetricFacts = { id, suite, name, unit, direction };
  if (rest.startsWith('/') && colon > 1) facts.case = rest.slice(1, colon);
  if (percentile !== undefined) facts.percentile = percentile;
  if (soak !== undefined) facts.soak = soak;
  if (counter !== undefined) facts.counter = counter;
  if (grid !== undefined) facts.grid = grid;
  return facts;
}
