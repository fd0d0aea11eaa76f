/** The harness fixtures and the list of tool-made ones, shared by the harness tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessFormat } from '../../src/settings/suites';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'harness');

/** Each tool-made fixture, by format. */
export const GOLDEN_CASES: [HarnessFormat, string][] = [
  ['hyperfine', 'hyperfine/two-commands.json'],
  ['hyperfine', 'hyperfine/parameter-scan.json'],
  ['go', 'go/count1.txt'],
  ['go', 'go/count3-benchmem.txt'],
  ['benchmarkjs', 'benchmarkjs/suite.txt'],
  ['vitest', 'vitest/bench.json'],
  ['tinybench', 'tinybench/table.json'],
  ['tinybench', 'tinybench/console-table.txt'],
  ['tinybench', 'tinybench/table-v2.json'],
  ['tinybench', 'tinybench/table-v3.json'],
  ['pytest', 'pytest/benchmark.json'],
  ['google-benchmark', 'google-benchmark/single.json'],
  ['google-benchmark', 'google-benchmark/repetitions.json'],
  ['google-benchmark', 'google-benchmark/aggregates-only.json'],
  ['criterion', 'criterion/messages.jsonl'],
  ['criterion', 'criterion/Fibonacci/Recursive/new/estimates.json'],
  ['jmh', 'jmh/output-golden-excerpt.json'],
  ['benchmarkdotnet', 'benchmarkdotnet/IntroJsonExport-report-brief.json'],
  ['benchmarkdotnet', 'benchmarkdotnet/MockSummary-report-full.json'],
  ['catch2', 'catch2/benchmarks.xml'],
  ['k6', 'k6/summary-export.json'],
  ['k6', 'k6/handle-summary.json'],
  ['autocannon', 'autocannon/run.json'],
  ['jmeter', 'jmeter/results.csv.jtl'],
  ['jmeter', 'jmeter/results.xml.jtl'],
  ['gatling', 'gatling/simulation.log'],
  ['gatling', 'gatling/simulation-3.9.log'],
  ['gatling', 'gatling/stats.json'],
  ['artillery', 'artillery/report.json'],
  ['locust', 'locust/run_stats.csv'],
  ['json', 'json/example.json'],
  ['libtest', 'libtest/cargo-bench.txt'],
  ['criterion', 'criterion/console.txt'],
  ['criterion', 'criterion/bencher.txt'],
  ['catch2', 'catch2/console.txt'],
  ['catch2', 'catch2/bencher-issue_351.txt'],
  ['gungraun', 'gungraun/with-dhat.txt'],
  ['gungraun', 'gungraun/json_pretty_two_callgrind.txt'],
  ['gungraun', 'gungraun/iai-change.txt'],
  ['benchmarktools', 'benchmarktools/julia_output.json'],
  ['asv', 'asv/six.txt'],
  ['ruby-benchmark', 'ruby-benchmark/bm.txt'],
  ['ruby-benchmark', 'ruby-benchmark/bmbm.txt'],
  ['ruby-benchmark', 'ruby-benchmark/ips.txt'],
  ['luau', 'luau/benchmarkluau_output.txt'],
  ['dart-benchmark-harness', 'dart-benchmark-harness/two.txt'],
  ['console-time', 'console-time/node.txt'],
  ['console-time', 'console-time/deno-four.txt'],
  ['bmf', 'bmf/report_latency.json'],
  ['bmf', 'bmf/report_dhat.json'],
  ['custom-smaller-is-better', 'custom/customSmallerIsBetter_output.json'],
  ['custom-bigger-is-better', 'custom/customBiggerIsBetter_output.json'],
];

export function fixture(file: string): string {
  return readFileSync(join(FIXTURES, file), 'utf8');
}

/** A fixture as the harness runner reads it: bytes (Gatling's simulation.log is binary). */
export function fixtureBytes(file: string): Buffer {
  return readFileSync(join(FIXTURES, file));
}
