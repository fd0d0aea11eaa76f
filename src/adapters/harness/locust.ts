/**
 * Locust's request statistics, `PREFIX_stats.csv` from `locust --headless --csv PREFIX` (point the
 * suite's `output` at that file). Header (locust ≥ 1.0, `locust/stats.py` `stats_csv`):
 * `Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response
 * Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,
 * 99%,99.9%,99.99%,100%`; response times in milliseconds. Locust 0.x wrote `Method`, `# requests`
 * and `# failures` instead; both are read.
 *
 * Name: `TYPE NAME` (e.g. `GET /items`); the `Aggregated` row (the sum of the others) is skipped.
 * Metrics: `throughput` (Requests/s − Failures/s, 1/s, higher), `errors` (Failure Count / Request
 * Count), `p50` `p90` `p95` `p99` (s), as locust computed them over all requests of the name,
 * failed ones included (locust does not separate them). Locust rounds response times above 100 ms
 * to two significant digits before computing percentiles, so small changes of slow endpoints are
 * invisible. Run locust for a fixed time (`-t 30s`) with a fixed user count per replicate.
 */
import { BenchmarkCollector, HarnessParseError, type HarnessParseResult } from './common';
import { columns, numberCell, parseCsv } from './csv';
import { errorsMetric, percentileMetric, throughputMetric } from './loadtest';

const EXPECTED =
  'the PREFIX_stats.csv of locust --csv PREFIX (header "Type,Name,Request Count,Failure Count,…,Requests/s,Failures/s,50%,…")';

const PERCENTILES = ['50%', '90%', '95%', '99%'] as const;

export function parseLocust(text: string, source: string): HarnessParseResult {
  const table = parseCsv(text, source, EXPECTED);
  if (table.header.includes('Timestamp') && table.header.includes('User Count'))
    throw new HarnessParseError(
      source,
      `this is locust's stats history (PREFIX_stats_history.csv); expected ${EXPECTED}`,
      1,
    );
  const col = columns(
    table,
    {
      type: ['Type', 'Method'],
      name: ['Name'],
      requests: ['Request Count', '# requests'],
      failures: ['Failure Count', '# failures'],
      rps: ['Requests/s'],
      fps: ['Failures/s'],
    },
    source,
    EXPECTED,
  );
  const pcol = PERCENTILES.map((p) => [p, table.header.indexOf(p)] as const).filter(([, i]) => i >= 0);
  const out = new BenchmarkCollector(source, 'locust');
  for (const { cells, line } of table.rows) {
    const name = (cells[col.name] ?? '').trim();
    const type = (cells[col.type] ?? '').trim();
    if (name === 'Aggregated' && type === '') continue;
    const where = `"${type} ${name}"`;
    const num = (i: number, c: string) => {
      try {
        return numberCell(cells, i, c, line, source);
      } catch (e) {
        throw new HarnessParseError(source, `${where}: ${(e as Error).message.replace(/^.*?:\d+: /, '')}`, line);
      }
    };
    const requests = num(col.requests, 'Request Count');
    const failures = num(col.failures, 'Failure Count');
    const metrics = [throughputMetric(Math.max(0, num(col.rps, 'Requests/s') - num(col.fps, 'Failures/s')))];
    if (requests > 0) metrics.push(errorsMetric(failures / requests));
    for (const [p, i] of pcol) {
      if ((cells[i] ?? '').trim() === 'N/A') continue; // no request of this name
      metrics.push(percentileMetric(Number(p.slice(0, -1)), num(i, p) / 1000));
    }
    out.add(type ? `${type} ${name}` : name, metrics);
  }
  return out.result(EXPECTED);
}
