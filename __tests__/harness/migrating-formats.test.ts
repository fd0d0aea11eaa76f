/**
 * Format-specific behaviour of the formats github-action-benchmark and Bencher read: cut
 * outputs, units and directions, detection of criterion's and Catch2's several outputs, and the
 * `json` format's reading of BMF. Inputs are the fixtures (see SOURCE.md), edited where stated.
 */
import { describe, expect, it } from 'vitest';
import { HarnessParseError, parseHarnessOutput } from '../../src/adapters/harness/index';
import type { HarnessFormat } from '../../src/settings/suites';
import { fixture } from './fixtures';

function metrics(format: HarnessFormat, text: string) {
  const r = parseHarnessOutput(format, text, 'out.txt');
  return Object.fromEntries(r.benchmarks.map((b) => [b.name, Object.fromEntries(b.metrics.map((m) => [m.name, m]))]));
}

function refusal(format: HarnessFormat, text: string): HarnessParseError {
  try {
    parseHarnessOutput(format, text, 'out.txt');
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessParseError);
    return e as HarnessParseError;
  }
  throw new Error(`expected ${format} to refuse the input`);
}

describe('libtest', () => {
  const text = fixture('libtest/cargo-bench.txt');
  it('reads the median per iteration and the MB/s of b.bytes', () => {
    const m = metrics('libtest', text);
    expect(m.fib_10.time.value).toBeCloseTo(125.62e-9, 15);
    expect(m.copy_4k.throughput).toEqual({ name: 'throughput', unit: 'B/s', direction: 'higher', value: 71859e6 });
  });
  it('refuses a result line cut in the middle and names its line', () => {
    const cut = text.slice(0, text.indexOf('26,919') + 3);
    expect(refusal('libtest', cut).line).toBe(5);
  });
  it('keeps other units by name, higher-is-better when per second', () => {
    const m = metrics(
      'libtest',
      'test up ... bench:   1911 MS/s (+/- 420)\ntest c ... bench: 2,835 cycles/iter (+/- 14)\n',
    );
    expect(m.up['MS/s'].direction).toBe('higher');
    expect(m.c['cycles/iter']).toMatchObject({ unit: 'cycles/iter', direction: 'lower', value: 2835 });
  });
});

describe('criterion', () => {
  it('tells its console report, bencher lines and JSON apart', () => {
    expect(metrics('criterion', fixture('criterion/console.txt'))['copy/4k'].throughput.unit).toBe('B/s');
    expect(Object.keys(metrics('criterion', fixture('criterion/bencher.txt')))).toContain('Fibonacci/Recursive/20');
    expect(Object.keys(metrics('criterion', fixture('criterion/messages.jsonl'))).length).toBeGreaterThan(0);
  });
  it('takes a long name from the line before its time line', () => {
    const m = metrics('criterion', fixture('criterion/console.txt'));
    expect(m['a benchmark with a rather long name that wraps the line'].time.value).toBeCloseTo(23.771e-9, 15);
  });
  it('refuses a time line cut in the middle', () => {
    const text = fixture('criterion/console.txt');
    expect(refusal('criterion', text.slice(0, text.indexOf('14.971 µs') + 2)).message).toMatch(/incomplete/);
  });
});

describe('catch2 console', () => {
  const text = fixture('catch2/console.txt');
  it('reads the mean, and the XML of the same binary gives the same names', () => {
    const m = metrics('catch2', text);
    expect(m['fib 10'].time.value).toBeCloseTo(68.2933e-9, 15);
    expect(Object.keys(m).sort()).toEqual(Object.keys(metrics('catch2', fixture('catch2/benchmarks.xml'))).sort());
  });
  it('refuses a benchmark without its mean and deviation lines', () => {
    const cut = text.slice(0, text.indexOf('827.293'));
    expect(refusal('catch2', cut).message).toMatch(/"fib 15": expected its mean and standard deviation lines/);
  });
});

describe('gungraun', () => {
  it('reads counts as lower-is-better counts, rates as fractions, bytes as B', () => {
    const m = metrics('gungraun', fixture('gungraun/with-dhat.txt'));
    const b = m['rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci short:10'];
    expect(b.instructions).toEqual({ name: 'instructions', unit: 'count', direction: 'lower', value: 1734 });
    expect(b['total-bytes'].unit).toBe('B');
    const j = metrics('gungraun', fixture('gungraun/json_pretty_two_callgrind.txt'));
    expect(j['play_game::bench_play_game_group::bench_play_game_100::first']['d1-miss-rate']).toMatchObject({
      unit: 'fraction',
      value: 0.001,
    });
  });
});

describe('BMF, json and the custom lists', () => {
  it('reads BMF under json and bmf alike, latency in seconds', () => {
    const a = metrics('json', fixture('bmf/report_latency.json'));
    expect(a).toEqual(metrics('bmf', fixture('bmf/report_latency.json')));
    expect(a['tests::benchmark_a'].latency).toEqual({ name: 'latency', unit: 's', direction: 'lower', value: 3247e-9 });
  });
  it('refuses a GAB custom list under json, naming the formats that read it', () => {
    expect(refusal('json', fixture('custom/customSmallerIsBetter_output.json')).message).toMatch(
      /use format "custom-smaller-is-better" or "custom-bigger-is-better"/,
    );
  });
  it('takes the direction from the custom format and converts known units', () => {
    const text = '[{"name": "a", "unit": "ms", "value": "12.5"}, {"name": "a", "unit": "req/s", "value": 3}]';
    expect(metrics('custom-smaller-is-better', text).a.time).toEqual({
      name: 'time',
      unit: 's',
      direction: 'lower',
      value: 0.0125,
    });
    expect(metrics('custom-bigger-is-better', text).a.throughput.direction).toBe('higher');
  });
});

describe('console-time and the rest', () => {
  it("reads Node's long form and Bun's lines, and takes the median of a repeated label", () => {
    const m = metrics('console-time', 'a: 1:02.500 (m:ss.mmm)\n[1.50ms] b\nc: 3ms\nc: 1ms\nc: 2ms\n');
    expect(m.a.time.value).toBeCloseTo(62.5, 9);
    expect(m.b.time.value).toBeCloseTo(1.5e-3, 12);
    expect(m.c.time.value).toBeCloseTo(2e-3, 12);
  });
  it('skips the rehearsal of bmbm and reads the long benchmark-ips label', () => {
    expect(metrics('ruby-benchmark', fixture('ruby-benchmark/bmbm.txt')).sort.time.value).toBe(0.082774);
    expect(
      metrics('ruby-benchmark', fixture('ruby-benchmark/ips.txt'))['addition with a very long label'].ops.value,
    ).toBe(12.734e6);
  });
  it('warns about failed asv benchmarks', () => {
    const r = parseHarnessOutput('asv', fixture('asv/six.txt'), 'asv.txt');
    expect(r.warnings.join('\n')).toMatch(/time_iterkeys3" failed/);
  });
  it('auto names what it tried when nothing reads the output', () => {
    expect(refusal('auto', 'hello\n').message).toMatch(/no format recognised the output \(tried json, benchmarkdotnet/);
  });
});
