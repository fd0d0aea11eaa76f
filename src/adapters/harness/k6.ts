/**
 * k6's end-of-test summary as JSON, in either form k6 writes:
 * - the `handleSummary(data)` object (`return {'summary.json': JSON.stringify(data)}`):
 *   `{"metrics": {"http_req_duration": {"type": "trend", "contains": "time", "values": {…}}}}`;
 * - the legacy `k6 run --summary-export=FILE` file: `{"metrics": {"http_req_duration": {"avg",
 *   "med", "p(95)", …}}}` (grafana/k6 `js/summary_test.go`, `expectedOldJSONExportResult`).
 *
 * Each k6 metric (and sub-metric, e.g. `http_req_duration{expected_response:true}`) becomes one
 * benchmark. Times are in milliseconds in k6's JSON and converted to seconds.
 * - trend: `p50` (`med`), `mean` (`avg`), `p90`, `p95`, `p99`, `p99.9`… (whatever
 *   `summaryTrendStats` exported; `min`, `max` and `count` are not used), lower is better. In the
 *   legacy file, trends are taken as times when they are k6's built-in durations
 *   (`http_req_*`, `iteration_duration`, `group_duration`, `*_duration`); other legacy trends
 *   are plain numbers (`count`), since that file does not say.
 * - counter: `rate` per second (`B/s` for data counters). Higher is better for k6's built-in
 *   counters (`http_reqs`, `iterations`, `data_*`, …); lower for custom counters (usually errors).
 * - rate: `rate` as a `fraction`; higher is better for `checks`, lower for others
 *   (`http_req_failed`, custom error rates).
 * - gauge (`vus`, `vus_max`): not used.
 * One k6 run already aggregates a whole load test; use a short, fixed `duration` so perfgate's
 * rounds supply the replication.
 */
import type { Direction, Unit } from '../../core/model';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
} from './common';

const EXPECTED = 'k6 summary JSON (handleSummary data or --summary-export): {"metrics": {…}}';

const BUILTIN_COUNTERS = new Set([
  'http_reqs',
  'iterations',
  'data_received',
  'data_sent',
  'ws_msgs_sent',
  'ws_msgs_received',
  'ws_sessions',
  'grpc_streams',
  'grpc_streams_msgs_sent',
  'grpc_streams_msgs_received',
]);
const STAT_SKIP = new Set(['min', 'max', 'count', 'thresholds']);

function baseName(name: string): string {
  const i = name.indexOf('{');
  return i < 0 ? name : name.slice(0, i);
}

function isBuiltinTime(name: string): boolean {
  const b = baseName(name);
  return (b.startsWith('http_req_') && b !== 'http_req_failed') || b.endsWith('_duration') || b === 'ws_ping';
}

function statName(stat: string): string | null {
  if (stat === 'med') return 'p50';
  if (stat === 'avg') return 'mean';
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return m ? `p${m[1]}` : null;
}

/** Stable metric order: p50, mean, then the percentiles ascending. */
function statOrder(name: string): number {
  if (name === 'p50') return -2;
  if (name === 'mean') return -1;
  return name.startsWith('p') ? Number(name.slice(1)) : 1000;
}

export function parseK6(text: string, source: string): HarnessParseResult {
  const doc = parseJson(text, source, EXPECTED);
  if (!isObject(doc) || !isObject(doc.metrics))
    throw new HarnessParseError(source, `expected ${EXPECTED}; found no "metrics" object`);
  const out = new BenchmarkCollector(source, 'k6');
  const untyped: string[] = [];
  for (const [name, raw] of Object.entries(doc.metrics)) {
    if (!isObject(raw)) throw new HarnessParseError(source, `metric "${name}": expected an object`);
    const modern = isObject(raw.values);
    const values = (modern ? raw.values : raw) as Record<string, unknown>;
    const where = `metric "${name}"`;
    const type =
      typeof raw.type === 'string'
        ? raw.type
        : 'med' in values || 'avg' in values
          ? 'trend'
          : 'passes' in values
            ? 'rate'
            : 'count' in values && 'rate' in values
              ? 'counter'
              : 'gauge';
    const contains = typeof raw.contains === 'string' ? raw.contains : undefined;
    const metrics: HarnessMetric[] = [];
    if (type === 'trend') {
      let unit: Unit = 'count';
      let factor = 1;
      if (contains === 'time' || (!modern && isBuiltinTime(name))) {
        unit = 's';
        factor = 1e-3;
      } else if (contains === 'data') unit = 'B';
      else if (!modern) untyped.push(name);
      for (const [stat, v] of Object.entries(values)) {
        if (STAT_SKIP.has(stat)) continue;
        const metric = statName(stat);
        if (!metric) continue;
        metrics.push({ name: metric, unit, direction: 'lower', value: finite(v, source, `${where}.${stat}`) * factor });
      }
    } else if (type === 'counter') {
      const direction: Direction = BUILTIN_COUNTERS.has(baseName(name)) ? 'higher' : 'lower';
      const unit: Unit = contains === 'data' || baseName(name).startsWith('data_') ? 'B/s' : '1/s';
      metrics.push({ name: 'rate', unit, direction, value: finite(values.rate, source, `${where}.rate`) });
    } else if (type === 'rate') {
      const v = modern ? values.rate : (values.value ?? values.rate);
      const direction: Direction = baseName(name) === 'checks' ? 'higher' : 'lower';
      metrics.push({ name: 'rate', unit: 'fraction', direction, value: finite(v, source, `${where}.rate`) });
    } else continue; // gauges (vus) say nothing about the system under test
    out.add(
      name,
      metrics.sort((a, b) => statOrder(a.name) - statOrder(b.name)),
    );
  }
  if (untyped.length > 0)
    out.warn(
      `${source}: k6 trends ${untyped.map((n) => `"${n}"`).join(', ')} are compared as plain numbers: the --summary-export file does not say whether they hold times. Export the handleSummary data instead to keep their unit.`,
    );
  return out.result(EXPECTED);
}
