/**
 * Format-specific behaviour of the harness parsers: malformed, truncated and empty inputs, no
 * benchmarks, non-finite numbers, duplicates, repetitions and unit conversion. Inputs are the
 * tool-made fixtures, edited where a case needs it (each edit is stated in the test).
 */
import { describe, expect, it } from 'vitest';
import { HarnessParseError, parseHarnessOutput } from '../../src/adapters/harness/index';
import type { HarnessFormat } from '../../src/settings/suites';
import { fixture } from './fixtures';

function parseError(format: HarnessFormat, text: string, source = 'out.txt'): HarnessParseError {
  try {
    parseHarnessOutput(format, text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessParseError);
    return e as HarnessParseError;
  }
  throw new Error(`expected ${format} to reject the input`);
}

function value(format: HarnessFormat, text: string, bench: string, metric: string, source = 'out.txt'): number {
  const r = parseHarnessOutput(format, text, source);
  const b = r.benchmarks.find((x) => x.name === bench);
  const m = b?.metrics.find((x) => x.name === metric);
  if (!m) throw new Error(`no ${bench}:${metric} in ${JSON.stringify(r.benchmarks.map((x) => x.name))}`);
  return m.value;
}

describe('HarnessParseError', () => {
  it('names the source and the line', () => {
    const e = parseError('hyperfine', '{\n  "results": [\n    {"command": "a", "times": [1, 2,\n', 'bench.json');
    expect(e.source).toBe('bench.json');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^bench\.json:4: not valid JSON \(the output ends early \(truncated\?\)\)/);
  });
});

describe('hyperfine', () => {
  const text = fixture('hyperfine/two-commands.json');
  it('takes the median of the runs, not the mean', () => {
    expect(value('hyperfine', text, 'sleep-short', 'time')).toBe(0.0109303985);
  });
  it('rejects a result without benchmarks', () => {
    expect(parseError('hyperfine', '{"results": []}').message).toMatch(/no benchmark results found/);
    expect(parseError('hyperfine', '{"foo": 1}').message).toMatch(/found no "results" list/);
  });
  it('rejects non-finite times', () => {
    const bad = text.replace(/("times": \[\s*)0\.0109956905/, '$1NaN');
    expect(parseError('hyperfine', bad).message).toMatch(
      /"sleep-short"\)\.times\[0\]: expected a finite number, got NaN/,
    );
    const str = text.replace(/("times": \[\s*)0\.0109956905/, '$1"fast"');
    expect(parseError('hyperfine', str).message).toMatch(/expected a finite number, got "fast"/);
  });
  it('keeps the first of two commands with the same name and warns', () => {
    const doc = JSON.parse(text);
    doc.results[1].command = 'sleep-short';
    const r = parseHarnessOutput('hyperfine', JSON.stringify(doc), 'h.json');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['sleep-short']);
    expect(r.benchmarks[0].metrics[0].value).toBe(0.0109303985);
    expect(r.warnings[0]).toMatch(/"sleep-short" appears more than once .* only the first is used/);
  });
  it('reads peak memory (hyperfine ≥ 1.19) and warns about failed runs', () => {
    const doc = JSON.parse(text);
    doc.results[0].memory_usage_byte = [3000, 1000, 2000];
    doc.results[0].exit_codes = [0, 1, 0, 0, 0];
    const r = parseHarnessOutput('hyperfine', JSON.stringify(doc), 'h.json');
    expect(r.benchmarks[0].metrics.find((m) => m.name === 'rss')).toEqual({
      name: 'rss',
      unit: 'B',
      direction: 'lower',
      value: 2000,
    });
    expect(r.warnings.join()).toMatch(/non-zero status/);
  });
});

describe('go test -bench', () => {
  const text = fixture('go/count3-benchmem.txt');
  it('takes the median over -count repetitions and strips the GOMAXPROCS suffix', () => {
    // BenchmarkSort-2 ns/op: 207.6, 201.7, 356.4 → 207.6
    expect(value('go', text, 'BenchmarkSort', 'time')).toBeCloseTo(207.6e-9, 15);
    // MB/s: 148.54, 277.20, 208.42 → 208.42 MB/s
    expect(value('go', text, 'BenchmarkJoin', 'throughput')).toBeCloseTo(208.42e6, 3);
    const r = parseHarnessOutput('go', text, 'go.txt');
    const itoa = r.benchmarks.find((b) => b.name === 'BenchmarkItoa/n=123456789')!;
    expect(itoa.metrics.map((m) => [m.name, m.unit, m.direction])).toEqual([
      ['time', 's', 'lower'],
      ['digits/op', 'digits/op', 'lower'],
      ['bytes', 'B', 'lower'],
      ['allocs', 'count', 'lower'],
    ]);
  });
  it('reports the line of a truncated result line', () => {
    const cut = text.slice(0, text.indexOf('148.54 MB/s') + 3);
    const e = parseError('go', cut, 'stdout');
    expect(e.line).toBe(8);
    expect(e.message).toMatch(/unpaired field \(truncated output\?\)/);
  });
  it('rejects a value that is not a number', () => {
    const bad = text.replace('207.6 ns/op', 'abc ns/op');
    expect(parseError('go', bad).message).toMatch(/BenchmarkSort: expected a number before unit "ns\/op", got "abc"/);
    expect(parseError('go', text.replace('207.6 ns/op', 'NaN ns/op')).line).toBe(5);
  });
  it('rejects output without benchmark lines', () => {
    expect(parseError('go', 'PASS\nok  \texample.com/x\t0.01s\n').message).toMatch(/no benchmark results found/);
  });
  it('ignores -v name lines and log output, and warns about failures', () => {
    const v = [
      'goos: linux',
      'BenchmarkA',
      'BenchmarkA-4   \t 100\t  50.0 ns/op',
      '    x_test.go:12: some log line',
      '--- FAIL: BenchmarkB',
      'FAIL',
    ].join('\n');
    const r = parseHarnessOutput('go', v, 'stdout');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['BenchmarkA']);
    expect(r.benchmarks[0].metrics[0].value).toBeCloseTo(50e-9, 15);
    expect(r.warnings[0]).toMatch(/stdout:5: --- FAIL: BenchmarkB/);
  });
  it('does not merge the same benchmark name from two packages', () => {
    const two = 'pkg: a\nBenchmarkX-2 10 100 ns/op\npkg: b\nBenchmarkX-2 10 900 ns/op\n';
    const r = parseHarnessOutput('go', two, 'stdout');
    expect(r.benchmarks[0].metrics[0].value).toBeCloseTo(100e-9, 15);
    expect(r.warnings[0]).toMatch(/appears in packages a and b; only the first is used/);
  });
});

describe('benchmark.js', () => {
  const text = fixture('benchmarkjs/suite.txt');
  it('reads ops/sec with thousands separators', () => {
    expect(value('benchmarkjs', text, 'String#indexOf', 'ops')).toBe(1503861653);
  });
  it('rejects a truncated last line and output without results', () => {
    const e = parseError('benchmarkjs', text.slice(0, text.indexOf('1,503,861') + 5));
    expect(e.line).toBe(2);
    expect(parseError('benchmarkjs', 'Fastest is nothing\n').message).toMatch(/no benchmark results found/);
  });
  it('warns about duplicate names and keeps the first', () => {
    const r = parseHarnessOutput('benchmarkjs', `${text}RegExp#test x 1 ops/sec ±1% (5 runs sampled)\n`, 'b.txt');
    expect(r.benchmarks.find((b) => b.name === 'RegExp#test')!.metrics[0].value).toBe(84192801);
    expect(r.warnings).toHaveLength(1);
  });
  it('rejects a zero rate', () => {
    expect(parseError('benchmarkjs', 'a x 0 ops/sec ±0.00% (5 runs sampled)').message).toMatch(/positive ops\/sec/);
  });
});

describe('vitest bench', () => {
  const text = fixture('vitest/bench.json');
  it('names benchmarks by group and converts ms to s', () => {
    expect(value('vitest', text, 'sort.bench.mjs > sort > normal', 'time')).toBeCloseTo(0.00016 / 1e3, 15);
  });
  it('rejects no benchmarks and non-finite medians', () => {
    expect(parseError('vitest', '{"files": []}').message).toMatch(/no benchmark results found/);
    const bad = text.replace('"median": 0.00015999999999394277', '"median": NaN');
    expect(parseError('vitest', bad).message).toMatch(
      /"sort.bench.mjs > sort > normal".median: expected a finite number/,
    );
  });
  it('falls back to the mean, with a warning, when there is no median', () => {
    const doc = JSON.parse(text);
    delete doc.files[0].groups[0].benchmarks[0].median;
    const r = parseHarnessOutput('vitest', JSON.stringify(doc), 'v.json');
    expect(r.benchmarks[0].metrics[0].value).toBeCloseTo(0.0001006547263401775 / 1e3, 15);
    expect(r.warnings[0]).toMatch(/no median; its mean time is used/);
  });
});

describe('tinybench', () => {
  it('reads the tinybench v2 columns (ops/sec with separators, mean time)', () => {
    // Row shape of tinybench 2.x `bench.table()` (tinylibs/tinybench v2 `src/bench.ts`).
    const v2 = JSON.stringify([
      { 'Task Name': 'a', 'ops/sec': '1,234,567', 'Average Time (ns)': 810.0, Margin: '±0.50%', Samples: 617284 },
    ]);
    const r = parseHarnessOutput('tinybench', v2, 't.json');
    expect(r.benchmarks[0].metrics.map((m) => [m.name, m.unit, m.direction])).toEqual([
      ['time', 's', 'lower'],
      ['ops', '1/s', 'higher'],
    ]);
    expect(r.benchmarks[0].metrics[0].value).toBeCloseTo(810e-9, 15);
    expect(r.benchmarks[0].metrics[1].value).toBe(1234567);
  });
  it('skips tasks that did not complete, with a warning', () => {
    const rows = JSON.parse(fixture('tinybench/table.json'));
    rows.push({ 'Task name': 'broken', Error: 'boom', Stack: 'at x' });
    const r = parseHarnessOutput('tinybench', JSON.stringify(rows), 't.json');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['faster task', 'slower task']);
    expect(r.warnings[0]).toMatch(/"broken" did not complete \(boom\)/);
  });
  it('rejects a table row with missing cells, a missing border and non-rows', () => {
    const table = fixture('tinybench/console-table.txt');
    const lines = table.split('\n');
    lines[3] = lines[3].replace(/│ 710569\s+│$/, '');
    expect(parseError('tinybench', lines.join('\n')).line).toBe(4);
    expect(parseError('tinybench', '{"a": 1}').message).toMatch(/not a list of rows/);
    expect(parseError('tinybench', 'hello').message).toMatch(/no table found/);
    expect(parseError('tinybench', '[]').message).toMatch(/no benchmark results found/);
  });
  it('rejects a non-numeric latency', () => {
    const rows = JSON.parse(fixture('tinybench/table.json'));
    rows[0]['Latency med (ns)'] = 'fast';
    expect(parseError('tinybench', JSON.stringify(rows)).message).toMatch(/"faster task": expected a number in column/);
  });
});

describe('pytest-benchmark', () => {
  const text = fixture('pytest/benchmark.json');
  it('uses the median and the node id', () => {
    expect(value('pytest', text, 'test_fixture.py::test_sleep', 'time')).toBe(0.0021050960000081886);
  });
  it('rejects no benchmarks, missing stats and non-finite medians', () => {
    expect(parseError('pytest', '{"benchmarks": []}').message).toMatch(/no benchmark results found/);
    expect(parseError('pytest', '{"benchmarks": [{"name": "x"}]}').message).toMatch(/"x": expected a "stats" object/);
    const doc = JSON.parse(text);
    doc.benchmarks[0].stats.median = null;
    expect(parseError('pytest', JSON.stringify(doc)).message).toMatch(
      /stats.median: expected a finite number, got null/,
    );
  });
});

describe('Google Benchmark', () => {
  it('takes the median of repetitions and ignores the aggregates', () => {
    const doc = JSON.parse(fixture('google-benchmark/repetitions.json'));
    const reps = doc.benchmarks
      .filter((b: { run_name: string; run_type: string }) => b.run_name === 'BM_Sort/64' && b.run_type === 'iteration')
      .map((b: { real_time: number }) => b.real_time)
      .sort((a: number, b: number) => a - b);
    expect(reps).toHaveLength(3);
    expect(value('google-benchmark', JSON.stringify(doc), 'BM_Sort/64', 'time')).toBeCloseTo(reps[1] * 1e-6, 18);
  });
  it('uses the median aggregate when only aggregates are reported', () => {
    const doc = JSON.parse(fixture('google-benchmark/aggregates-only.json'));
    const med = doc.benchmarks.find((b: { name: string }) => b.name === 'BM_Sort/8_median');
    expect(value('google-benchmark', JSON.stringify(doc), 'BM_Sort/8', 'time')).toBeCloseTo(med.real_time * 1e-6, 18);
    doc.benchmarks = doc.benchmarks.filter((b: { aggregate_name: string }) => b.aggregate_name !== 'median');
    const r = parseHarnessOutput('google-benchmark', JSON.stringify(doc), 'gb.json');
    expect(r.warnings.join()).toMatch(/only a mean aggregate/);
  });
  it('converts time_unit and rejects unknown units', () => {
    const doc = JSON.parse(fixture('google-benchmark/single.json'));
    doc.benchmarks[2].time_unit = 'ms';
    expect(value('google-benchmark', JSON.stringify(doc), 'BM_StringCopy', 'time')).toBeCloseTo(
      doc.benchmarks[2].real_time * 1e-3,
      12,
    );
    doc.benchmarks[2].time_unit = 'fortnights';
    expect(parseError('google-benchmark', JSON.stringify(doc)).message).toMatch(/unknown time unit "fortnights"/);
  });
  it('skips benchmarks that reported an error, and rejects no benchmarks', () => {
    const doc = JSON.parse(fixture('google-benchmark/single.json'));
    doc.benchmarks[0].error_occurred = true;
    doc.benchmarks[0].error_message = 'out of memory';
    const r = parseHarnessOutput('google-benchmark', JSON.stringify(doc), 'gb.json');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['BM_Sort/64', 'BM_StringCopy']);
    expect(r.warnings[0]).toMatch(/reported an error \(out of memory\)/);
    expect(parseError('google-benchmark', '{"context": {}, "benchmarks": []}').message).toMatch(/no benchmark results/);
  });
  it('rejects a non-finite real_time', () => {
    const bad = fixture('google-benchmark/single.json').replace(/"real_time": [^,]+/, '"real_time": NaN');
    expect(parseError('google-benchmark', bad).message).toMatch(/"BM_Sort\/8".real_time: expected a finite number/);
  });
});

describe('criterion', () => {
  const estimates = fixture('criterion/Fibonacci/Recursive/new/estimates.json');
  it('names a saved estimates.json after its directory, with either key spelling', () => {
    const modern = estimates.replace(/"Mean"/, '"mean"').replace('"Median"', '"median"');
    const r = parseHarnessOutput('criterion', modern, 'target/criterion/parse/large/new/estimates.json');
    expect(r.benchmarks[0].name).toBe('parse/large');
    expect(r.benchmarks[0].metrics[0].value).toBeCloseTo(19158.0255681818e-9, 15);
    expect(parseError('criterion', estimates, 'estimates.json').message).toMatch(/carries no benchmark name/);
  });
  it('converts message units and ignores non-JSON lines', () => {
    const line = fixture('criterion/messages.jsonl')
      .split('\n')[0]
      .replace(/"unit":"ns"/g, '"unit":"us"');
    const r = parseHarnessOutput('criterion', `Benchmarking norm\n${line}\n`, 'stdout');
    expect(r.benchmarks[0].metrics[0].value).toBeCloseTo(3362.82498184459e-6, 12);
    const cycles = line.replace(/"unit":"us"/g, '"unit":"cycles"');
    expect(parseError('criterion', cycles).message).toMatch(/unknown time unit "cycles"/);
  });
  it('reports the line of a truncated message and rejects output without benchmark-complete', () => {
    const text = fixture('criterion/messages.jsonl');
    const e = parseError('criterion', `noise\n${text.slice(0, 200)}`);
    expect(e.line).toBe(2);
    const groupOnly = text.split('\n')[1];
    expect(parseError('criterion', groupOnly).message).toMatch(/no benchmark results found/);
  });
});

describe('JMH', () => {
  const text = fixture('jmh/output-golden-excerpt.json');
  it('takes the median of all iterations and names parameters', () => {
    const name = `benchmark_0/param0=value0/param1=[value1]/param2={value2}/param3='value3'/param4="value4"`;
    expect(value('jmh', text, name, 'ops')).toBe(567.5 * 1e3);
  });
  it('converts avgt units and the gc profiler allocation rate, and skips unknown secondary units', () => {
    const doc = JSON.parse(text);
    const b = doc[1];
    b.mode = 'avgt';
    b.params = undefined;
    b.primaryMetric.scoreUnit = 'us/op';
    b.secondaryMetrics = {
      '·gc.alloc.rate.norm': { score: 48, scoreUnit: 'B/op', scorePercentiles: { '50.0': 48 } },
      '·gc.alloc.rate': { score: 812.5, scoreUnit: 'MB/sec', scorePercentiles: { '50.0': 812.5 } },
    };
    delete b.primaryMetric.scorePercentiles;
    b.primaryMetric.rawData = [[3, 1], [2]];
    const r = parseHarnessOutput('jmh', JSON.stringify([b]), 'jmh.json');
    expect(r.benchmarks[0]).toEqual({
      name: 'benchmark_1',
      metrics: [
        { name: 'time', unit: 's', direction: 'lower', value: 2e-6 },
        { name: 'bytes', unit: 'B', direction: 'lower', value: 48 },
      ],
    });
    expect(r.warnings[0]).toMatch(/gc\.alloc\.rate \(MB\/sec\)/);
  });
  it('rejects unknown primary units, empty lists and non-lists', () => {
    const doc = JSON.parse(text);
    doc[0].primaryMetric.scoreUnit = 'widgets';
    expect(parseError('jmh', JSON.stringify(doc)).message).toMatch(/unknown primary score unit "widgets"/);
    expect(parseError('jmh', '[]').message).toMatch(/no benchmark results found/);
    expect(parseError('jmh', '{}').message).toMatch(/not a list/);
  });
});

describe('BenchmarkDotNet', () => {
  const text = fixture('benchmarkdotnet/IntroJsonExport-report-brief.json');
  it('names Type.Method(Parameters) and reads allocations', () => {
    const doc = JSON.parse(text);
    doc.Benchmarks[0].Parameters = 'N=10';
    doc.Benchmarks[0].Memory = { Gen0Collections: 3, BytesAllocatedPerOperation: 240 };
    const r = parseHarnessOutput('benchmarkdotnet', JSON.stringify(doc), 'r.json');
    expect(r.benchmarks[0]).toEqual({
      name: 'IntroJsonExport.Sleep10(N=10)',
      metrics: [
        { name: 'time', unit: 's', direction: 'lower', value: 10360382.6953125e-9 },
        { name: 'bytes', unit: 'B', direction: 'lower', value: 240 },
      ],
    });
  });
  it('skips benchmarks without statistics and rejects non-finite medians', () => {
    const doc = JSON.parse(text);
    doc.Benchmarks[1].Statistics = null;
    const r = parseHarnessOutput('benchmarkdotnet', JSON.stringify(doc), 'r.json');
    expect(r.benchmarks).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/"IntroJsonExport.Sleep20" has no statistics/);
    const nan = fixture('benchmarkdotnet/MockSummary-report-full.json').replace('"Median":1', '"Median":NaN');
    expect(parseError('benchmarkdotnet', nan).message).toMatch(/Statistics.Median: expected a finite number, got NaN/);
    expect(parseError('benchmarkdotnet', '{"Benchmarks": []}').message).toMatch(/no benchmark results found/);
  });
});

describe('Catch2', () => {
  const text = fixture('catch2/benchmarks.xml');
  it('reads the Catch2 v3 root element and decodes entities in names', () => {
    const v3 = text
      .replace('<Catch name="bench">', '<Catch2TestRun name="bench">')
      .replace('</Catch>', '</Catch2TestRun>')
      .replace('name="fib 10"', 'name="fib &lt;10&gt; &amp; more"');
    expect(value('catch2', v3, 'fib <10> & more', 'time')).toBeCloseTo(50.0399e-9, 15);
  });
  it('rejects truncated XML with its last line, bad means and results without benchmarks', () => {
    const e = parseError('catch2', text.slice(0, text.indexOf('<mean value="661.427"')));
    expect(e.message).toMatch(/ends before <\/Catch> \(truncated output\?\)/);
    expect(e.line).toBe(text.slice(0, text.indexOf('<mean value="661.427"')).split('\n').length);
    expect(parseError('catch2', text.replace('value="50.0399"', 'value="nan"')).message).toMatch(
      /"fib 10": expected a finite mean value, got "nan"/,
    );
    expect(parseError('catch2', '<Catch name="x"><Group name="x"></Group></Catch>').message).toMatch(
      /no benchmark results found/,
    );
    expect(parseError('catch2', '<testsuites/>').message).toMatch(/no <Catch> or <Catch2TestRun> element/);
  });
});

describe('k6', () => {
  const modern = fixture('k6/handle-summary.json');
  it('converts time trends from ms and keeps sub-metric names', () => {
    const doc = JSON.parse(modern);
    doc.metrics['http_req_duration{expected_response:true}'] = {
      type: 'trend',
      contains: 'time',
      values: { med: 2.5, 'p(95)': 9, 'p(99.9)': 12 },
    };
    doc.metrics.data_received = { type: 'counter', contains: 'data', values: { count: 6300, rate: 4200 } };
    doc.metrics.http_req_failed = { type: 'rate', contains: 'default', values: { rate: 0.01, passes: 1, fails: 99 } };
    const t = JSON.stringify(doc);
    expect(value('k6', t, 'http_req_duration{expected_response:true}', 'p99.9')).toBeCloseTo(0.012, 12);
    const r = parseHarnessOutput('k6', t, 'k6.json');
    expect(r.benchmarks.find((b) => b.name === 'data_received')!.metrics[0]).toEqual({
      name: 'rate',
      unit: 'B/s',
      direction: 'higher',
      value: 4200,
    });
    expect(r.benchmarks.find((b) => b.name === 'http_req_failed')!.metrics[0].direction).toBe('lower');
    expect(r.benchmarks.find((b) => b.name === 'vus')).toBeUndefined();
  });
  it('treats built-in durations of the legacy export as milliseconds and warns about custom trends', () => {
    const doc = JSON.parse(fixture('k6/summary-export.json'));
    doc.metrics.http_req_duration = { avg: 4, med: 3, 'p(95)': 8 };
    const r = parseHarnessOutput('k6', JSON.stringify(doc), 'k6.json');
    expect(r.benchmarks.find((b) => b.name === 'http_req_duration')!.metrics[0]).toEqual({
      name: 'p50',
      unit: 's',
      direction: 'lower',
      value: 0.003,
    });
    expect(r.warnings[0]).toMatch(/"my_trend" are compared as plain numbers/);
  });
  it('rejects no metrics and non-finite values', () => {
    expect(parseError('k6', '{"metrics": {}}').message).toMatch(/no benchmark results found/);
    expect(parseError('k6', '{"root_group": {}}').message).toMatch(/found no "metrics" object/);
    const bad = modern.replace('"med": 15', '"med": NaN');
    expect(parseError('k6', bad).message).toMatch(/metric "my_trend".med: expected a finite number/);
  });
});

describe('autocannon', () => {
  const text = fixture('autocannon/run.json');
  it('names the run by title or URL path and reads the rate', () => {
    const doc = JSON.parse(text);
    expect(value('autocannon', text, '/', 'rps')).toBe(doc.requests.average);
    doc.url = 'http://127.0.0.1:4321/items?page=2';
    expect(parseHarnessOutput('autocannon', JSON.stringify(doc), 'a.json').benchmarks[0].name).toBe('/items?page=2');
    doc.title = 'items';
    expect(parseHarnessOutput('autocannon', JSON.stringify(doc), 'a.json').benchmarks[0].name).toBe('items');
  });
  it('finds the JSON after progress output and warns about sub-millisecond latencies', () => {
    const r = parseHarnessOutput('autocannon', `Running 2s test @ http://127.0.0.1:1/\n4 connections\n\n${text}`, 'a');
    expect(r.benchmarks).toHaveLength(1);
    expect(r.warnings.join()).toMatch(/resolution is 1 ms/);
  });
  it('warns about errors and rejects non-finite or missing figures', () => {
    const doc = JSON.parse(text);
    doc.errors = 3;
    expect(parseHarnessOutput('autocannon', JSON.stringify(doc), 'a').warnings.join()).toMatch(/saw 3 errors/);
    doc.latency.p99 = null;
    expect(parseError('autocannon', JSON.stringify(doc)).message).toMatch(/latency.p99: expected a finite number/);
    expect(parseError('autocannon', '{"url": "x"}').message).toMatch(/no "requests" and "latency"/);
  });
});

describe('perfgate json', () => {
  const text = fixture('json/example.json');
  it('converts units and takes the median of value lists', () => {
    expect(value('json', text, 'parse-large', 'heap')).toBeCloseTo(51.2 * 1024 ** 2, 6);
    expect(value('json', text, 'startup', 'time')).toBeCloseTo(0.305, 12);
    expect(value('json', text, 'parse-large', 'cache-hit')).toBeCloseTo(0.935, 12);
  });
  it('requires a direction, a unit, finite values and metrics', () => {
    const doc = JSON.parse(text);
    const edit = (f: (d: typeof doc) => void) => {
      const d = structuredClone(doc);
      f(d);
      return parseError('json', JSON.stringify(d), 'perf.json').message;
    };
    expect(edit((d) => delete d.benchmarks[0].metrics[0].direction)).toMatch(
      /benchmarks\[0\]\.metrics\[0\] \("parse-large" time\): expected "direction": "lower" or "higher"/,
    );
    expect(edit((d) => (d.benchmarks[0].metrics[0].unit = ''))).toMatch(/expected a "unit" string/);
    expect(edit((d) => (d.benchmarks[0].metrics[0].value = 'fast'))).toMatch(/\.value: expected a finite number/);
    expect(edit((d) => (d.benchmarks[0].metrics[2].value = []))).toMatch(/"value" is an empty list/);
    expect(edit((d) => (d.benchmarks[1].metrics = []))).toMatch(/"startup"\): expected a non-empty "metrics" list/);
    expect(edit((d) => (d.benchmarks = []))).toMatch(/no benchmark results found/);
    expect(parseError('json', text.replace('12.5', '1e999')).message).toMatch(/expected a finite number, got Infinity/);
  });
  it('warns about duplicate benchmarks and metrics and keeps the first', () => {
    const doc = JSON.parse(text);
    doc.benchmarks[1].name = 'parse-large';
    doc.benchmarks[0].metrics.push({ name: 'time', value: 99, unit: 's', direction: 'lower' });
    const r = parseHarnessOutput('json', JSON.stringify(doc), 'perf.json');
    expect(r.benchmarks).toHaveLength(1);
    expect(r.benchmarks[0].metrics.find((m) => m.name === 'time')!.value).toBeCloseTo(0.0125, 12);
    expect(r.warnings).toHaveLength(2);
  });
  it('reports the line of a syntax error', () => {
    const e = parseError('json', text.replace('"unit": "ms"', '"unit" "ms"'), 'perf.json');
    expect(e.line).toBe(6);
    expect(e.message).toMatch(/^perf\.json:6: not valid JSON \(invalid character .* at column \d+\)/);
  });
});

describe('BenchmarkDotNet jobs', () => {
  it('appends the job when several jobs run the same case', () => {
    // The approval-test export runs two methods under one job; give both the same method to make
    // them collide, and a second job name to one.
    const doc = JSON.parse(fixture('benchmarkdotnet/MockSummary-report-full.json').replace(/NaN/g, 'null'));
    doc.Benchmarks[1].Method = 'Foo';
    doc.Benchmarks[1].DisplayInfo = 'MockBenchmarkClass.Foo: ShortRun(LaunchCount=1) [N=1]';
    const r = parseHarnessOutput('benchmarkdotnet', JSON.stringify(doc), 'r.json');
    expect(r.benchmarks.map((b) => b.name)).toEqual([
      'MockBenchmarkClass.Foo [LongRun(LaunchCount=3, TargetCount=100, WarmupCount=15)]',
      'MockBenchmarkClass.Foo [ShortRun(LaunchCount=1)]',
    ]);
    expect(r.warnings).toEqual([]);
  });
});

describe('go test -bench names', () => {
  it('keeps -cpu configurations apart instead of merging them', () => {
    // `go test -bench . -cpu 1,2` prints no suffix for 1 and -2 for 2.
    const text = 'BenchmarkX 10 100 ns/op\nBenchmarkX-2 10 60 ns/op\nBenchmarkY/size-64 10 5 ns/op\n';
    const r = parseHarnessOutput('go', text, 'stdout');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['BenchmarkX', 'BenchmarkX-2', 'BenchmarkY/size-64']);
  });
  it('keeps a sub-benchmark ending in -<digits> when GOMAXPROCS=1 prints no suffix', () => {
    const r = parseHarnessOutput('go', 'BenchmarkY/size-64 10 5 ns/op\nBenchmarkZ 10 5 ns/op\n', 'stdout');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['BenchmarkY/size-64', 'BenchmarkZ']);
  });
});
