/**
 * `perfgate compare` (dist/cli/index.js, as a user runs it) on the outputs that
 * github-action-benchmark and Bencher read, under the names a migrating user types: for every
 * format, eight copies of a real (or upstream) output with ±1 % seeded jitter on its values pass
 * against eight more (A/A), and a 1.5× slowdown fails naming every benchmark that slowed.
 *
 * The jitter touches only the numbers the format's parser reads (`worse`: lower-is-better values,
 * multiplied by 1.5 for the slowdown; `better`: higher-is-better values, divided by 1.5), so
 * names with digits stay as they are.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { mulberry32 } from '../../src/core/random';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', '..', 'dist', 'cli', 'index.js');
const FIXTURES = path.resolve(here, '..', 'fixtures', 'harness');

interface Case {
  /** Fixture below __tests__/fixtures/harness. */
  file: string;
  /** The names a user may give the format (perfgate's first). */
  formats: string[];
  /** Regions holding lower-is-better values: every number inside is scaled. */
  worse: RegExp[];
  /** Regions holding higher-is-better values. */
  better?: RegExp[];
  /** Benchmarks that must be named as regressions after the slowdown. */
  slowed: string[];
}

const CASES: Case[] = [
  {
    file: 'libtest/cargo-bench.txt',
    formats: ['libtest', 'cargo', 'rust_bench'],
    worse: [/bench:\s+[\d,.]+/g],
    better: [/= [\d,.]+ MB\/s/g],
    slowed: ['fib_10', 'fib_20', 'copy_4k'],
  },
  {
    file: 'criterion/console.txt',
    formats: ['criterion', 'rust_criterion'],
    worse: [/time:\s+\[[^\]]*\]/g],
    better: [/thrpt:\s+\[[^\]]*\]/g],
    slowed: ['fib 15', 'Fibonacci/Recursive/10', 'copy/4k', 'a benchmark with a rather long name that wraps the line'],
  },
  {
    file: 'criterion/bencher.txt',
    formats: ['criterion', 'cargo'],
    worse: [/bench:\s+[\d,.]+/g],
    slowed: ['fib 15', 'Fibonacci/Recursive/20'],
  },
  {
    file: 'catch2/console.txt',
    formats: ['catch2', 'cpp_catch2'],
    worse: [/^ +\d[^\n]*$/gm],
    slowed: ['fib 10', 'fib 15', 'sort 100'],
  },
  {
    file: 'catch2/bencher-issue_351.txt',
    formats: ['catch2'],
    worse: [/^ +\d[^\n]*$/gm, /^a long name[^\n]*$/gm],
    slowed: ['Fibonacci 10 with a long name', 'Even More Fibonacci With a long name: Fibonacci 20'],
  },
  {
    file: 'gungraun/with-dhat.txt',
    formats: ['gungraun', 'rust_gungraun', 'rust_iai_callgrind', 'iai-callgrind'],
    worse: [/:\s+\d+(?=\|)/g],
    slowed: ['rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci long:30'],
  },
  {
    file: 'gungraun/json_pretty_two_callgrind.txt',
    formats: ['gungraun', 'rust_gungraun_json'],
    worse: [/"(Int|Float)": [\d.]+/g],
    slowed: ['play_game::bench_play_game_group::bench_play_game_100::first'],
  },
  {
    file: 'gungraun/iai-change.txt',
    formats: ['gungraun', 'rust_iai'],
    worse: [/:\s+\d+(?= \()/g],
    slowed: ['iai_benchmark_short', 'iai_benchmark_long'],
  },
  {
    file: 'benchmarktools/julia_output.json',
    formats: ['benchmarktools', 'julia'],
    worse: [/"time": [\d.]+/g],
    slowed: ['fib/10', 'fib/20'],
  },
  {
    file: 'asv/six.txt',
    formats: ['asv', 'python_asv'],
    worse: [/\s\d[\d.]*±[\d.]+\S*$/gm, /\s\d[\d.]*k$/gm],
    slowed: ['benchmarks.TimeSuite.time_keys', 'benchmarks.MemSuite.mem_list'],
  },
  {
    file: 'ruby-benchmark/bm.txt',
    formats: ['ruby-benchmark', 'ruby_benchmark'],
    worse: [/\(\s*[\d.]+\)$/gm],
    slowed: ['for:', 'times:', 'upto:'],
  },
  {
    file: 'ruby-benchmark/bmbm.txt',
    formats: ['ruby-benchmark'],
    worse: [/\(\s*[\d.]+\)$/gm],
    slowed: ['sort!', 'sort'],
  },
  {
    file: 'ruby-benchmark/ips.txt',
    formats: ['ruby-benchmark', 'benchmark-ips'],
    worse: [],
    better: [/\d[\d.]*(?=[kMB]? \(±)/g],
    slowed: ['addition', 'addition with a very long label'],
  },
  {
    file: 'luau/benchmarkluau_output.txt',
    formats: ['luau', 'benchmarkluau'],
    worse: [/(?<=:\s+)[\d.]+(?=ms \+\/-)/g],
    slowed: ['base64', 'chess', 'life'],
  },
  {
    file: 'dart-benchmark-harness/two.txt',
    formats: ['dart-benchmark-harness', 'dart_benchmark_harness'],
    worse: [/(?<=\(RunTime\): )[\d.]+/g],
    slowed: ['Template', 'ForLoop'],
  },
  {
    file: 'console-time/node.txt',
    formats: ['console-time', 'js_time'],
    worse: [/(?<=: )[\d.]+(?=m?s$)/gm],
    slowed: ['fib 25', 'sort', 'parse'],
  },
  {
    file: 'console-time/deno-four.txt',
    formats: ['console-time', 'js_time'],
    worse: [/(?<=: )\d+(?=ms - timer ended)/g],
    slowed: ['default', 'benchmark 3: The Third - timer/timerEnd'],
  },
  {
    file: 'bmf/report_latency.json',
    formats: ['bmf', 'json'],
    worse: [/"(lower_|upper_)?value": [\d.]+/g],
    slowed: ['tests::benchmark_a', 'tests::benchmark_b', 'tests::benchmark_c'],
  },
  {
    file: 'bmf/report_dhat.json',
    formats: ['json'],
    worse: [/"value": [\d.]+/g],
    slowed: ['bench_play_game'],
  },
  {
    file: 'custom/customSmallerIsBetter_output.json',
    formats: ['custom-smaller-is-better', 'customSmallerIsBetter'],
    worse: [/"value": [\d.]+/g],
    slowed: ['My Custom Smaller Is Better Benchmark - CPU Load', 'My Custom Smaller Is Better Benchmark - Memory Used'],
  },
  {
    file: 'custom/customBiggerIsBetter_output.json',
    formats: ['custom-bigger-is-better', 'customBiggerIsBetter'],
    worse: [],
    better: [/"value": [\d.]+/g],
    slowed: ['My Custom Bigger Is Better Benchmark - Throughput'],
  },
  {
    file: 'go/count1.txt',
    formats: ['go_bench', 'magic'],
    worse: [/[\d.]+(?= ns\/op)/g],
    slowed: ['BenchmarkSort'],
  },
];

/** Scales every number inside the matched regions. */
function scaleRegions(text: string, regions: RegExp[], factor: () => number): string {
  let out = text;
  for (const region of regions)
    out = out.replace(region, (match) =>
      match.replace(/\d[\d,]*(?:\.\d+)?/g, (n) => {
        const v = Number(n.replace(/,/g, '')) * factor();
        return String(Number(v.toPrecision(7)));
      }),
    );
  return out;
}

function copies(c: Case, side: string, n: number, slowdown: number, seed: number): string[] {
  const text = readFileSync(path.join(FIXTURES, c.file), 'utf8');
  const random = mulberry32(seed);
  const dir = mkdtempSync(path.join(os.tmpdir(), `perfgate-formats-${side}-`));
  return Array.from({ length: n }, (_, i) => {
    const jitter = () => 1 + 0.01 * (2 * random() - 1);
    let t = scaleRegions(text, c.worse, () => slowdown * jitter());
    t = scaleRegions(t, c.better ?? [], () => jitter() / slowdown);
    const file = path.join(dir, `${side}-${i}-${path.basename(c.file)}`);
    writeFileSync(file, t);
    return file;
  });
}

function compare(format: string, base: string[], head: string[]) {
  const json = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-formats-')), 'r.json');
  const args = ['compare', '--format', format, '--name', 'bench', '--base', ...base, '--head', ...head, '--json', json];
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as ComparisonReport) : null;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, report };
}

describe.each(CASES)('perfgate compare on $file', (c) => {
  const base = copies(c, 'base', 8, 1, 1);
  const same = copies(c, 'same', 8, 1, 2);
  const slow = copies(c, 'slow', 8, 1.5, 3);

  it.each(c.formats)('--format %s: an A/A pair passes', (format) => {
    expect(existsSync(cli), 'dist/cli/index.js is missing: run `npm run bundle`').toBe(true);
    const r = compare(format, base, same);
    expect(r.report?.verdict, r.stderr + r.stdout).toBe('pass');
    expect(r.code).toBe(0);
    expect(r.report!.results.filter((m) => m.outcome === 'regression')).toEqual([]);
  });

  it.each(c.formats)('--format %s: a 1.5× slowdown fails, naming the benchmarks', (format) => {
    const r = compare(format, base, slow);
    expect(r.report?.verdict, r.stderr + r.stdout).toBe('fail');
    expect(r.code).toBe(1);
    const regressed = new Set(
      r
        .report!.results.filter((m) => m.outcome === 'regression')
        .map((m) => m.id.slice('bench/'.length).replace(/:[^:]*$/, '')),
    );
    for (const name of c.slowed) expect(regressed, name).toContain(name);
    expect(r.stdout).toMatch(/perfgate FAIL: \d+ regressions? beyond budget/);
  });
});
