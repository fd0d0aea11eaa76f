/**
 * The format names github-action-benchmark and Bencher users already have: every `tool` value and
 * every `--adapter` name is a `format:` (or `--format`) that reads that output, and an unknown
 * name is refused with the nearest one.
 */
import { describe, expect, it } from 'vitest';
import { parseHarnessOutput } from '../../src/adapters/harness/index';
import {
  FORMAT_ALIASES,
  HARNESS_FORMATS,
  nearestFormatName,
  parseSuites,
  resolveHarnessFormat,
} from '../../src/settings/suites';
import { fixture } from './fixtures';

/** github-action-benchmark's `VALID_TOOLS` (benchmark-action/github-action-benchmark `src/config.ts`). */
const GAB_TOOLS = [
  'cargo',
  'go',
  'benchmarkjs',
  'benchmarkluau',
  'pytest',
  'googlecpp',
  'catch2',
  'julia',
  'jmh',
  'benchmarkdotnet',
  'customBiggerIsBetter',
  'customSmallerIsBetter',
];

/** Bencher's `Adapter` names (bencherdev/bencher `lib/bencher_json/src/project/report.rs`). */
const BENCHER_ADAPTERS = [
  'magic',
  'json',
  'rust',
  'rust_bench',
  'rust_criterion',
  'rust_iai',
  'rust_iai_callgrind',
  'rust_gungraun',
  'rust_gungraun_stdout',
  'rust_gungraun_json',
  'cpp',
  'cpp_google',
  'cpp_catch2',
  'go',
  'go_bench',
  'java',
  'java_jmh',
  'c_sharp',
  'c_sharp_dot_net',
  'js',
  'js_benchmark',
  'js_time',
  'js_vitest',
  'python',
  'python_asv',
  'python_pytest',
  'ruby',
  'ruby_benchmark',
  'shell',
  'shell_hyperfine',
  'dart',
  'dart_benchmark_harness',
];

describe('format names', () => {
  it.each([...GAB_TOOLS, ...BENCHER_ADAPTERS])('accepts %s', (name) => {
    expect(resolveHarnessFormat(name)).not.toBeNull();
    const { suites, issues } = parseSuites([{ name: 'b', run: 'true', format: name }]);
    expect(issues).toEqual([]);
    expect(suites[0]).toMatchObject({ kind: 'harness', format: resolveHarnessFormat(name) });
  });

  it('maps every alias to a perfgate format, and no alias shadows one', () => {
    for (const [alias, format] of Object.entries(FORMAT_ALIASES)) {
      expect(HARNESS_FORMATS).toContain(format);
      expect(HARNESS_FORMATS as readonly string[]).not.toContain(alias);
    }
  });

  it('reads the output each tool name reads upstream', () => {
    const cases: [string, string, string][] = [
      ['cargo', 'libtest/cargo-bench.txt', 'fib_10'],
      ['cargo', 'criterion/bencher.txt', 'fib 15'],
      ['rust_criterion', 'criterion/console.txt', 'fib 15'],
      ['catch2', 'catch2/console.txt', 'fib 10'],
      ['cpp_catch2', 'catch2/benchmarks.xml', 'fib 10'],
      ['googlecpp', 'google-benchmark/single.json', 'BM_Sort/8'],
      ['julia', 'benchmarktools/julia_output.json', 'fib/20'],
      ['rust_iai', 'gungraun/iai-change.txt', 'iai_benchmark_long'],
      ['json', 'bmf/report_latency.json', 'tests::benchmark_a'],
      ['json', 'json/example.json', 'parse-large'],
      ['magic', 'libtest/cargo-bench.txt', 'fib_20'],
      ['magic', 'catch2/console.txt', 'sort 100'],
      ['rust', 'gungraun/with-dhat.txt', 'rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci short:10'],
    ];
    for (const [name, file, bench] of cases) {
      const r = parseHarnessOutput(resolveHarnessFormat(name)!, fixture(file), file);
      expect(
        r.benchmarks.map((b) => b.name),
        `${name} ${file}`,
      ).toContain(bench);
    }
  });

  it('suggests the nearest name for an unknown one', () => {
    expect(nearestFormatName('critrion')).toBe('criterion');
    expect(nearestFormatName('google_benchmark')).toBe('google-benchmark');
    expect(nearestFormatName('customSmalerIsBetter')).toBe('custom-smaller-is-better');
    expect(nearestFormatName('rust-criterion')).toBe('rust_criterion');
    expect(nearestFormatName('xyzzy-frobnicate')).toBeNull();
    const { issues } = parseSuites([{ name: 'b', run: 'true', format: 'pytest-benchmark' }]);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('suites[0].format');
    expect(issues[0].message).toMatch(
      /^unknown format "pytest-benchmark"; did you mean "pytest"\? Expected one of hyperfine/,
    );
  });
});
