/**
 * Harness parsers: turn one harness invocation's output into metric values.
 *
 * A harness suite (`{name, run, format, output?}`) runs its harness once per replicate in each
 * checkout; `harnessReplicate` turns that invocation's output (stdout, or the `output` file) into
 * one `Replicate` whose ids are `SUITE/BENCHMARK:METRIC`. The benchmark part is the harness's own
 * name and may contain `/`, spaces or `:` (pytest node ids, k6 sub-metrics); the metric name is
 * always the part after the last `:`.
 *
 * Every value is the invocation's central value — the median where the tool gives raw samples or
 * a median, the mean only where that is all it reports — never an individual inner iteration.
 * Where a tool repeats itself (go `-count`, Google Benchmark repetitions, hyperfine runs, JMH
 * forks), the median across the repeats is taken; configure the tool to repeat little and let
 * perfgate's rounds supply the replication.
 *
 * | format             | benchmark name                           | metrics (unit, better)                                                        | value taken                          |
 * | ------------------ | ---------------------------------------- | ----------------------------------------------------------------------------- | ------------------------------------ |
 * | `hyperfine`        | command (or its `-n` name)               | `time` (s, lower), `user`, `system` (s, lower), `rss` (B, lower)              | median of `times`; user/system means |
 * | `go`               | `BenchmarkX/sub` (no `-N` suffix)        | `time` (s), `bytes` (B), `allocs` (count), `throughput` (B/s, higher), custom units as named (`/s` → higher) | median over `-count` lines |
 * | `benchmarkjs`      | benchmark name                           | `ops` (1/s, higher)                                                           | hz (1 / mean)                        |
 * | `vitest`           | `file > describe > bench`                | `time` (s), `p99` (s), `ops` (1/s, higher)                                    | median sample time                   |
 * | `tinybench`        | task name                                | `time` (s), `ops` (1/s, higher)                                               | median latency / throughput          |
 * | `pytest`           | pytest node id (`fullname`)              | `time` (s), `ops` (1/s, higher)                                               | median round time                    |
 * | `google-benchmark` | `run_name`                               | `time` (real, s), `cpu` (s), `items` (1/s, higher), `bytes` (B/s, higher)     | median of repetitions                |
 * | `criterion`        | benchmark id                             | `time` (s), `mean` (s, JSON only); console: `throughput` (B/s), `elements` (1/s), higher | median estimate (JSON); point estimate (console, bencher lines) |
 * | `libtest`          | `#[bench]` function path                 | `time` (s), `throughput` (`= N MB/s`, B/s, higher)                            | libtest's median                     |
 * | `gungraun`         | `module::path id:args` (Iai: function)   | `instructions`, `l1-hits`, `estimated-cycles`… (count), `…-bytes` (B), `…-rate` (fraction) | the one simulated run's counts |
 * | `jmh`              | `benchmark/param=value…`                 | `ops` (thrpt, 1/s, higher) or `time` (avgt/sample/ss, s); `bytes` (gc.alloc.rate.norm, B); other secondaries by name | median of iterations |
 * | `benchmarkdotnet`  | `Type.Method(Params)`                    | `time` (s), `bytes` (allocated per op, B)                                     | `Statistics.Median`                  |
 * | `catch2`           | benchmark name (console: `TEST CASE: name` when repeated) | `time` (s)                                                   | mean (all Catch2 reports)            |
 * | `benchmarktools`   | group keys joined by `/`                 | `time` (s), `memory` (B), `allocs` (count)                                    | the saved estimate, or a trial's median |
 * | `asv`              | `module.Class.time_x`                    | `time` (s), `memory` (`mem_`/`peakmem_`, B)                                   | asv's median                         |
 * | `ruby-benchmark`   | report label                             | `time` (`Benchmark.bm` real, s), `ops` (benchmark-ips, 1/s, higher)           | one run (bm); ips's rate             |
 * | `luau`             | test name                                | `time` (s)                                                                    | bench.py's mean                      |
 * | `dart-benchmark-harness` | benchmark name                     | `time` (s)                                                                    | benchmark_harness's mean             |
 * | `console-time`     | timer label                              | `time` (s)                                                                    | median of the label's timings        |
 * | `k6`               | k6 metric (`http_req_duration{…}`)       | trends: `p50`, `mean`, `p90`, `p95`, `p99`… (s); counters: `rate` (1/s); rates: `rate` (fraction) | k6's aggregates of one run |
 * | `autocannon`       | `title`, else the URL path               | `rps` (1/s, higher), `p50`, `p90`, `p99`, `mean` (s), `throughput` (B/s, higher), `errors`, `non2xx` (count) | autocannon's aggregates |
 * | `jmeter`           | sample label (`lb`)                      | `throughput` (1/s, higher), `errors` (fraction), `p50` `p90` `p95` `p99` (s)  | from the JTL's samples (CSV or XML)  |
 * | `gatling`          | request name, after its groups           | `throughput`, `errors`, `p50` `p90` `p95` `p99` (stats.json: `p50` `p75` `p95` `p99`) | from simulation.log (binary or text), or stats.json |
 * | `artillery`        | endpoint (metrics-by-endpoint), else `http` | `throughput`, `errors`, `p50` `p90` `p95` `p99`                            | artillery's aggregate of the run     |
 * | `locust`           | `TYPE NAME` (`GET /items`)               | `throughput`, `errors`, `p50` `p90` `p95` `p99`                               | locust's `_stats.csv` row            |
 * | `json`             | as given                                 | as given (see `json.ts`); a BMF document is read as `bmf`                     | value, or median of a value list     |
 * | `bmf`              | the benchmark key                        | the measure slugs (`latency` s, `throughput` 1/s higher…; see `bmf.ts`)       | `value`                              |
 * | `custom-smaller-is-better`, `custom-bigger-is-better` | `name` | `time`, `bytes`, `throughput` or the unit (direction from the format name) | `value`                      |
 * | `auto`             | as the format found                      | as the format found                                                           | the first format that reads the output (Bencher's `magic` order) |
 *
 * Unless marked higher, lower is better. Each format's file documents its input and the settings
 * that keep one invocation short.
 */
import type { MetricValue, Replicate } from '../../core/model';
import type { HarnessFormat } from '../../settings/suites';
import { parseArtillery } from './artillery';
import { parseAsv } from './asv';
import { parseAutocannon } from './autocannon';
import { parseBenchmarkDotNet } from './benchmarkdotnet';
import { parseBenchmarkJs } from './benchmarkjs';
import { parseBenchmarkTools } from './benchmarktools';
import { parseBmf } from './bmf';
import { parseCatch2 } from './catch2';
import { HarnessParseError, type HarnessParseResult } from './common';
import { parseConsoleTime } from './consoleTime';
import { parseCriterion } from './criterion';
import { parseCustomBiggerIsBetter, parseCustomSmallerIsBetter } from './custom';
import { parseDartBenchmarkHarness } from './dart';
import { parseGatling } from './gatling';
import { parseGoBench } from './go';
import { parseGoogleBenchmark } from './googleBenchmark';
import { parseGungraun } from './gungraun';
import { parseHyperfine } from './hyperfine';
import { parseJmeter } from './jmeter';
import { parseJmh } from './jmh';
import { parsePerfgateJson } from './json';
import { parseK6 } from './k6';
import { parseLibtest } from './libtest';
import { parseLocust } from './locust';
import { parseLuau } from './luau';
import { parsePytestBenchmark } from './pytest';
import { parseRubyBenchmark } from './rubyBenchmark';
import { parseTinybench } from './tinybench';
import { parseVitestBench } from './vitest';

export type { HarnessParseResult } from './common';
export { HarnessParseError } from './common';

type TextParser = (text: string, source: string) => HarnessParseResult;

/**
 * What `auto` tries, in Bencher's `magic` order (bencherdev/bencher
 * `lib/bencher_adapter/src/adapters/magic.rs`); the first format that reads the output wins.
 */
const AUTO_ORDER = [
  'json',
  'benchmarkdotnet',
  'catch2',
  'google-benchmark',
  'dart-benchmark-harness',
  'go',
  'jmh',
  'benchmarkjs',
  'console-time',
  'vitest',
  'asv',
  'pytest',
  'ruby-benchmark',
  'libtest',
  'criterion',
  'gungraun',
  'hyperfine',
] as const satisfies readonly Exclude<HarnessFormat, 'auto' | 'gatling'>[];

function parseAuto(text: string, source: string): HarnessParseResult {
  for (const format of AUTO_ORDER) {
    try {
      return PARSERS[format](text, source);
    } catch (e) {
      if (!(e instanceof HarnessParseError)) throw e;
    }
  }
  throw new HarnessParseError(
    source,
    `no format recognised the output (tried ${AUTO_ORDER.join(', ')}); set the suite's format to the harness that wrote it`,
  );
}

const PARSERS: Record<Exclude<HarnessFormat, 'gatling'>, TextParser> = {
  hyperfine: parseHyperfine,
  go: parseGoBench,
  benchmarkjs: parseBenchmarkJs,
  vitest: parseVitestBench,
  tinybench: parseTinybench,
  pytest: parsePytestBenchmark,
  'google-benchmark': parseGoogleBenchmark,
  criterion: parseCriterion,
  libtest: parseLibtest,
  gungraun: parseGungraun,
  jmh: parseJmh,
  benchmarkdotnet: parseBenchmarkDotNet,
  catch2: parseCatch2,
  benchmarktools: parseBenchmarkTools,
  asv: parseAsv,
  'ruby-benchmark': parseRubyBenchmark,
  luau: parseLuau,
  'dart-benchmark-harness': parseDartBenchmarkHarness,
  'console-time': parseConsoleTime,
  k6: parseK6,
  autocannon: parseAutocannon,
  jmeter: parseJmeter,
  artillery: parseArtillery,
  locust: parseLocust,
  json: parsePerfgateJson,
  bmf: parseBmf,
  'custom-smaller-is-better': parseCustomSmallerIsBetter,
  'custom-bigger-is-better': parseCustomBiggerIsBetter,
  auto: parseAuto,
};

/**
 * Parses one harness invocation's output.
 * @param format one of `HARNESS_FORMATS`
 * @param input the harness's stdout, or the content of the suite's `output` file (bytes: Gatling's
 *   simulation.log is binary; every other format is read as UTF-8 text)
 * @param source where the text came from, for messages (e.g. `bench.json` or `stdout of "go test …"`);
 *   the criterion format also reads the benchmark name from an `…/<id>/new/estimates.json` path
 * @throws HarnessParseError when the output is empty, truncated, malformed, has no benchmarks or a
 *   non-finite value
 */
export function parseHarnessOutput(
  format: HarnessFormat,
  input: string | Uint8Array,
  source: string,
): HarnessParseResult {
  if (format === 'gatling') return parseGatling(input, source);
  const parse = PARSERS[format];
  if (!parse) throw new Error(`unknown harness format ${JSON.stringify(format)}`);
  return parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'), source);
}

/** One invocation → one Replicate with ids `SUITE/BENCHMARK:METRIC` (see model.ts). */
export function harnessReplicate(
  suite: string,
  format: HarnessFormat,
  input: string | Uint8Array,
  source: string,
): Replicate {
  const { benchmarks, warnings } = parseHarnessOutput(format, input, source);
  const values: MetricValue[] = [];
  for (const b of benchmarks)
    for (const { name, ...value } of b.metrics) values.push({ ...value, id: `${suite}/${b.name}:${name}` });
  return { values, warnings: [...warnings] };
}
