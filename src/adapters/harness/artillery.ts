/**
 * Artillery 2's JSON report (`artillery run --output report.json test.yml`; artillery
 * `packages/artillery/lib/cmds/run.js` writes `{aggregate, intermediate}`). From `aggregate`:
 * `counters` (`http.codes.200`, `errors.ETIMEDOUT`, …), `summaries` (`http.response_time`:
 * `{min, max, count, mean, p50, p75, p90, p95, p99, p999}` in ms) and `firstCounterAt` /
 * `lastCounterAt` (ms since the epoch).
 *
 * Per endpoint when the bundled `metrics-by-endpoint` plugin is on (`config.plugins:
 * {metrics-by-endpoint: {}}`): name = the endpoint as the plugin names it (the URL path, or the
 * request's `name` with `useOnlyRequestNames`), from `plugins.metrics-by-endpoint.<ep>.codes.*`,
 * `….<ep>.errors.*` and `plugins.metrics-by-endpoint.response_time.<ep>`. Without the plugin, one
 * benchmark `http` for the whole run.
 *
 * Metrics: `throughput` (2xx responses / (lastCounterAt − firstCounterAt), 1/s, higher), `errors`
 * (non-2xx responses and errors without a response / all), `p50` `p90` `p95` `p99` (s, of every
 * response, as artillery summarizes them). Artillery 1.x reports (`aggregate.latency`) are refused.
 */
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
} from './common';
import { errorsMetric, percentileMetric, throughputMetric } from './loadtest';

const EXPECTED =
  'Artillery 2 JSON report (artillery run --output FILE): {"aggregate": {"counters": {…}, "summaries": {…}, …}}';

const PLUGIN = 'plugins.metrics-by-endpoint.';
const PERCENTILES = [50, 90, 95, 99] as const;

interface Endpoint {
  ok: number;
  all: number;
  summary?: Record<string, unknown>;
}

export function parseArtillery(text: string, source: string): HarnessParseResult {
  const doc = parseJson(text, source, EXPECTED);
  if (!isObject(doc) || !isObject(doc.aggregate))
    throw new HarnessParseError(source, `expected ${EXPECTED}; found no "aggregate" object`);
  const agg = doc.aggregate;
  if (!isObject(agg.counters) || !isObject(agg.summaries)) {
    const v1 = isObject(agg.latency) ? ' (this looks like an Artillery 1.x report: upgrade to Artillery 2)' : '';
    throw new HarnessParseError(source, `expected ${EXPECTED}; "aggregate" has no "counters"/"summaries"${v1}`);
  }
  const first = finite(agg.firstCounterAt, source, 'aggregate.firstCounterAt');
  const last = finite(agg.lastCounterAt, source, 'aggregate.lastCounterAt');
  const seconds = (last - first) / 1000;

  const endpoints = new Map<string, Endpoint>();
  const endpoint = (name: string) => {
    let e = endpoints.get(name);
    if (!e) {
      e = { ok: 0, all: 0 };
      endpoints.set(name, e);
    }
    return e;
  };
  const count = (e: Endpoint, kind: string, key: string, v: unknown) => {
    const n = finite(v, source, `aggregate.counters["${key}"]`);
    if (kind === 'codes') {
      e.all += n;
      if (/^2\d\d$/.test(key.slice(key.lastIndexOf('.') + 1))) e.ok += n;
    } else e.all += n; // errors without a response
  };
  const byPlugin = Object.keys(agg.counters).some((k) => k.startsWith(PLUGIN));
  for (const [key, v] of Object.entries(agg.counters)) {
    if (byPlugin) {
      if (!key.startsWith(PLUGIN)) continue;
      const m = /^(.*)\.(codes|errors)\.[^.]+$/.exec(key.slice(PLUGIN.length));
      if (m) count(endpoint(m[1]), m[2], key, v);
    } else {
      const m = /^(?:http\.)?(codes|errors)\.[^.]+$/.exec(key);
      if (m && (m[1] === 'codes' ? key.startsWith('http.') : true)) count(endpoint('http'), m[1], key, v);
    }
  }
  for (const [key, v] of Object.entries(agg.summaries)) {
    const name = byPlugin
      ? key.startsWith(`${PLUGIN}response_time.`)
        ? key.slice(`${PLUGIN}response_time.`.length)
        : undefined
      : key === 'http.response_time'
        ? 'http'
        : undefined;
    if (name !== undefined && isObject(v)) endpoint(name).summary = v;
  }
  if (endpoints.size === 0)
    throw new HarnessParseError(
      source,
      `no HTTP requests in the report (no "http.codes.*" or "errors.*" counters); expected ${EXPECTED}`,
    );

  const out = new BenchmarkCollector(source, 'Artillery');
  for (const [name, e] of endpoints) {
    const metrics: HarnessMetric[] = [];
    if (seconds > 0) metrics.push(throughputMetric(e.ok / seconds));
    if (e.all > 0) metrics.push(errorsMetric((e.all - e.ok) / e.all));
    if (e.summary)
      for (const p of PERCENTILES) {
        const where = `summary of "${name}".p${p}`;
        if (e.summary[`p${p}`] !== undefined)
          metrics.push(percentileMetric(p, finite(e.summary[`p${p}`], source, where) / 1000));
      }
    out.add(name, metrics);
  }
  if (seconds <= 0)
    out.warn(`${source}: the report spans no time (firstCounterAt = lastCounterAt), so it has no throughput.`);
  return out.result(EXPECTED);
}
