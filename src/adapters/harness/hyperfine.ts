/**
 * hyperfine's JSON export (`hyperfine --export-json FILE …`; the fields are sharkdp/hyperfine's
 * `BenchmarkResult`, `src/benchmark/benchmark_result.rs`): `{"results": [{command, mean, median,
 * user, system, times[], exit_codes[], parameters?, memory_usage_byte?[]}]}`, times in seconds.
 *
 * hyperfine already repeats each command (`--runs`); perfgate takes the **median of `times`** as
 * the invocation's value. Keep `--runs` small (e.g. `--runs 3 --warmup 1`) and let perfgate's
 * rounds supply the replication, so base and head interleave.
 *
 * Name: the command, or its `-n/--command-name`. Name commands (`-n parse`) when the command line
 * contains anything that differs between checkouts (absolute paths), or base and head will not match.
 *
 * Metrics: `time` (median wall time, s), `user` and `system` (mean CPU time, s: hyperfine
 * reports only their means), `rss` (median peak memory, B; recent hyperfine versions).
 */
import { median } from '../../core/stats/quantiles';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  optionalFinite,
  parseJsonWithList,
  timeMetric,
} from './common';

const EXPECTED = 'hyperfine --export-json output: {"results": [{"command": …, "times": […]}]}';

export function parseHyperfine(text: string, source: string): HarnessParseResult {
  const doc = parseJsonWithList(text, source, EXPECTED, 'results');
  const out = new BenchmarkCollector(source, 'hyperfine');
  doc.results.forEach((r, i) => {
    if (!isObject(r) || typeof r.command !== 'string')
      throw new HarnessParseError(source, `results[${i}]: expected an object with a "command" string`);
    const where = `results[${i}] ("${r.command}")`;
    let time: number;
    if (Array.isArray(r.times) && r.times.length > 0) {
      time = median(r.times.map((t, j) => finite(t, source, `${where}.times[${j}]`)));
    } else {
      time = finite(r.median ?? r.mean, source, `${where}.median`);
      out.warn(`${source}: "${r.command}" has no "times" list; its reported median is used instead.`);
    }
    const metrics: HarnessMetric[] = [timeMetric('time', time)];
    const user = optionalFinite(r.user, source, `${where}.user`);
    if (user !== undefined) metrics.push(timeMetric('user', user));
    const system = optionalFinite(r.system, source, `${where}.system`);
    if (system !== undefined) metrics.push(timeMetric('system', system));
    if (Array.isArray(r.memory_usage_byte) && r.memory_usage_byte.length > 0) {
      const rss = median(r.memory_usage_byte.map((b, j) => finite(b, source, `${where}.memory_usage_byte[${j}]`)));
      metrics.push({ name: 'rss', unit: 'B', direction: 'lower', value: rss });
    }
    if (Array.isArray(r.exit_codes) && r.exit_codes.some((c) => c !== 0 && c !== null)) {
      out.warn(
        `${source}: "${r.command}" exited with a non-zero status in some runs (hyperfine -i); its timings may measure a failure. Fix the command or drop --ignore-failure.`,
      );
    }
    out.add(r.command, metrics);
  });
  return out.result(EXPECTED);
}
