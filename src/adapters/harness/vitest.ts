/**
 * `vitest bench --outputJson FILE` (vitest ≥ 1.3, `packages/vitest/src/node/reporters/benchmark/json-formatter.ts`):
 * `{"files": [{"filepath", "groups": [{"fullName", "benchmarks": [{name, hz, mean, median, p99, …}]}]}]}`,
 * times in milliseconds, computed by tinybench over the many inner samples of one run.
 *
 * Name: the group's `fullName` (file path relative to the project root, then the `describe`
 * chain) and the bench name, joined with ` > ` — e.g. `src/sort.bench.ts > sort > normal`.
 * Metrics: `time` (median sample time, s), `p99` (s), `ops` (`hz`, 1/s, which tinybench derives
 * from the mean). Keep each bench's `time` option short; perfgate's rounds do the replication.
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
  percentileMetric,
  rateMetric,
  timeMetric,
} from './common';

const EXPECTED = 'vitest bench --outputJson output: {"files": [{"groups": [{"benchmarks": […]}]}]}';

export function parseVitestBench(text: string, source: string): HarnessParseResult {
  const doc = parseJsonWithList(text, source, EXPECTED, 'files');
  const out = new BenchmarkCollector(source, 'vitest bench');
  doc.files.forEach((file, fi) => {
    if (!isObject(file) || !Array.isArray(file.groups))
      throw new HarnessParseError(source, `files[${fi}]: expected an object with a "groups" list`);
    file.groups.forEach((group, gi) => {
      if (!isObject(group) || !Array.isArray(group.benchmarks))
        throw new HarnessParseError(source, `files[${fi}].groups[${gi}]: expected an object with a "benchmarks" list`);
      const prefix = typeof group.fullName === 'string' && group.fullName !== '' ? `${group.fullName} > ` : '';
      group.benchmarks.forEach((b, bi) => {
        if (!isObject(b) || typeof b.name !== 'string')
          throw new HarnessParseError(
            source,
            `files[${fi}].groups[${gi}].benchmarks[${bi}]: expected an object with a "name"`,
          );
        const name = `${prefix}${b.name}`;
        const where = `benchmark "${name}"`;
        const metrics: HarnessMetric[] = [];
        const med = optionalFinite(b.median ?? b.p50, source, `${where}.median`);
        if (med !== undefined) metrics.push(timeMetric('time', med / 1e3));
        else {
          metrics.push(timeMetric('time', finite(b.mean, source, `${where}.mean`) / 1e3));
          out.warn(`${source}: ${where} has no median; its mean time is used. Upgrade vitest for medians.`);
        }
        const p99 = optionalFinite(b.p99, source, `${where}.p99`);
        if (p99 !== undefined) metrics.push(percentileMetric(99, p99 / 1e3));
        const hz = optionalFinite(b.hz, source, `${where}.hz`);
        if (hz !== undefined) metrics.push(rateMetric('ops', hz));
        out.add(name, metrics);
      });
    });
  });
  return out.result(EXPECTED);
}
