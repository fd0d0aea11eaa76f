/**
 * benchmark.js text output: the `String(benchmark)` line printed from a suite's `cycle` event,
 * `name x 1,234,567 ops/sec ±1.23% (90 runs sampled)` (bestiejs/benchmark.js `toStringBench`).
 * Other lines (`Fastest is …`, logs) are ignored.
 *
 * benchmark.js reports only the rate `hz` = 1 / mean time of its samples, so the value is a
 * mean-based rate (that is all it prints). Metrics: `ops` (1/s, higher is better).
 * Keep `maxTime` short (e.g. `{ maxTime: 1 }`) so perfgate's rounds do the replication.
 */
import { BenchmarkCollector, HarnessParseError, type HarnessParseResult, rateMetric, requireText } from './common';

const EXPECTED = 'benchmark.js lines like "name x 1,234 ops/sec ±1.23% (90 runs sampled)"';
const LINE = /^(.*?) x ([0-9][0-9,]*(?:\.[0-9]+)?) ops\/sec (?:±|\+-|\+\/-)\s*([0-9.]+)%\s*\((\d+) runs? sampled\)\s*$/;
/** The start of a result line; when the last line looks like this but is incomplete, the output was cut. */
const PARTIAL = /^.+ x [0-9][0-9,]*(?:\.[0-9]*)?(?: .*)?$/;

export function parseBenchmarkJs(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const out = new BenchmarkCollector(source, 'benchmark.js');
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last > 0 && lines[last].trim() === '') last--;
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    const m = LINE.exec(line);
    if (!m) {
      if (index === last && PARTIAL.test(line))
        throw new HarnessParseError(
          source,
          `malformed benchmark.js result line (truncated?); expected ${EXPECTED}`,
          index + 1,
        );
      return;
    }
    const hz = Number(m[2].replace(/,/g, ''));
    if (!Number.isFinite(hz) || hz <= 0)
      throw new HarnessParseError(source, `benchmark "${m[1]}": expected a positive ops/sec, got ${m[2]}`, index + 1);
    out.add(m[1], [rateMetric('ops', hz)]);
  });
  return out.result(EXPECTED);
}
