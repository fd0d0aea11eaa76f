/**
 * pytest-benchmark's JSON (`pytest --benchmark-json=FILE`, written by `pytest_benchmark_generate_json` in
 * ionelmc/pytest-benchmark `src/pytest_benchmark/plugin.py`): `{"benchmarks": [{"name", "fullname", "stats": {min, max,
 * mean, median, ops, rounds, data?}}]}`, times in seconds per call.
 *
 * Name: `fullname` (the pytest node id, e.g. `tests/test_x.py::test_parse[small]`), which is unique.
 * Metrics: `time` (median round time, s) and `ops` (pytest-benchmark's `ops` = 1 / mean, 1/s).
 * The rounds inside one invocation are not individual perfgate samples; keep
 * `--benchmark-max-time` small (e.g. 0.2) and let perfgate's rounds supply the replication.
 */
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  optionalFinite,
  parseJsonWithList,
  rateMetric,
  timeMetric,
} from './common';

const EXPECTED = 'pytest --benchmark-json output: {"benchmarks": [{"fullname": …, "stats": {…}}]}';

export function parsePytestBenchmark(text: string, source: string): HarnessParseResult {
  const doc = parseJsonWithList(text, source, EXPECTED, 'benchmarks');
  const out = new BenchmarkCollector(source, 'pytest-benchmark');
  doc.benchmarks.forEach((b, i) => {
    if (!isObject(b)) throw new HarnessParseError(source, `benchmarks[${i}]: expected an object`);
    const name = typeof b.fullname === 'string' ? b.fullname : typeof b.name === 'string' ? b.name : null;
    if (name === null) throw new HarnessParseError(source, `benchmarks[${i}]: expected a "fullname" or "name" string`);
    if (!isObject(b.stats)) throw new HarnessParseError(source, `benchmark "${name}": expected a "stats" object`);
    const where = `benchmark "${name}".stats`;
    const metrics: HarnessMetric[] = [timeMetric('time', finite(b.stats.median, source, `${where}.median`))];
    const ops = optionalFinite(b.stats.ops, source, `${where}.ops`);
    if (ops !== undefined) metrics.push(rateMetric('ops', ops));
    out.add(name, metrics);
  });
  return out.result(EXPECTED);
}
