/**
 * autocannon's JSON result (`autocannon --json URL`, or `JSON.stringify(result)` of the
 * programmatic API; mcollina/autocannon `lib/aggregateResult.js`): `{title?, url, requests:
 * {average, …}, latency: {p50, p90, p99, average, …} (ms), throughput: {average, …} (B/s),
 * errors, timeouts, non2xx, …}`.
 *
 * Name: the run's `title` when set (`--title`), otherwise the URL's path (the port changes from
 * run to run, so the full URL is not a stable name). Metrics: `rps` (mean requests per second,
 * higher is better), `p50`, `p90`, `p99`, `mean` (latency, s, lower is better; autocannon's
 * percentiles have a resolution of 1 ms, so sub-millisecond latencies read as 0), `throughput` (mean bytes per second, B/s, higher is better), `errors`
 * (errors + timeouts, count) and `non2xx` (count), lower is better.
 */
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
  percentileMetric,
  rateMetric,
  timeMetric,
} from './common';

const EXPECTED = 'autocannon --json output: {"url", "requests": {…}, "latency": {…}, …}';

function runName(doc: Record<string, unknown>): string {
  if (typeof doc.title === 'string' && doc.title !== '') return doc.title;
  const urls = Array.isArray(doc.url) ? doc.url : [doc.url];
  return urls
    .map((u) => {
      if (typeof u !== 'string') return '';
      try {
        const p = new URL(u);
        return `${p.pathname}${p.search}`;
      } catch {
        return u;
      }
    })
    .join(',');
}

export function parseAutocannon(text: string, source: string): HarnessParseResult {
  // autocannon may print its progress or table before the JSON when stderr is merged; the JSON is
  // the last line that starts with "{".
  const lines = text.split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--)
    if (lines[i].trimStart().startsWith('{')) {
      start = i;
      break;
    }
  const json = start > 0 ? `${'\n'.repeat(start)}${lines.slice(start).join('\n')}` : text;
  const doc = parseJson(json, source, EXPECTED);
  if (!isObject(doc) || !isObject(doc.requests) || !isObject(doc.latency))
    throw new HarnessParseError(source, `expected ${EXPECTED}; found no "requests" and "latency" objects`);
  const out = new BenchmarkCollector(source, 'autocannon');
  const name = runName(doc) || '/';
  const where = `autocannon run "${name}"`;
  const ms = (v: unknown, field: string) => finite(v, source, `${where}.latency.${field}`) / 1e3;
  const metrics: HarnessMetric[] = [
    rateMetric('rps', finite(doc.requests.average ?? doc.requests.mean, source, `${where}.requests.average`)),
    percentileMetric(50, ms(doc.latency.p50, 'p50')),
    percentileMetric(90, ms(doc.latency.p90, 'p90')),
    percentileMetric(99, ms(doc.latency.p99, 'p99')),
    timeMetric('mean', ms(doc.latency.average ?? doc.latency.mean, 'average')),
  ];
  if (isObject(doc.throughput))
    metrics.push({
      name: 'throughput',
      unit: 'B/s',
      direction: 'higher',
      value: finite(doc.throughput.average ?? doc.throughput.mean, source, `${where}.throughput.average`),
    });
  const errors =
    finite(doc.errors ?? 0, source, `${where}.errors`) + finite(doc.timeouts ?? 0, source, `${where}.timeouts`);
  metrics.push({ name: 'errors', unit: 'count', direction: 'lower', value: errors });
  metrics.push({
    name: 'non2xx',
    unit: 'count',
    direction: 'lower',
    value: finite(doc.non2xx ?? 0, source, `${where}.non2xx`),
  });
  if (metrics.some((m) => m.unit === 's' && m.value === 0))
    out.warn(
      `${source}: ${where} has latency percentiles of 0 ms: autocannon's latency resolution is 1 ms, too coarse for this server. Compare "rps" instead, or load a slower endpoint.`,
    );
  if (errors > 0)
    out.warn(`${source}: ${where} saw ${errors} errors/timeouts; its latency and rate include failed requests.`);
  out.add(name, metrics);
  return out.result(EXPECTED);
}
