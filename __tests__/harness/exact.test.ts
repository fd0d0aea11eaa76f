/**
 * Counts and bytes without noise, given as identical copies of real harness outputs, through the
 * parsers and `perfgate compare`'s path (`compareFiles`): each side's constant values decide the
 * metric at once (a regression beyond the budget, within budget when equal), never read as a
 * "resolution" of the gap between the sides; times and rates stay statistical and need enough files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFiles } from '../../src/app/files';
import { decideVerdict } from '../../src/core/report';
import { parseSettings } from '../../src/settings/settings';
import type { HarnessFormat } from '../../src/settings/suites';

function compare(format: HarnessFormat, base: string, head: string, copies = 3, inputs: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-exact-'));
  const write = (side: string, text: string) =>
    Array.from({ length: copies }, (_, i) => {
      const file = path.join(dir, `${side}-${i}`);
      writeFileSync(file, text);
      return file;
    });
  const settings = parseSettings((name) => inputs[name] ?? '', dir, { suites: false });
  const c = compareFiles(settings, { format, name: 'b', base: write('base', base), head: write('head', head) });
  const outcome = (suffix: string) => c.results.find((r) => r.id.endsWith(suffix))?.outcome;
  return { c, outcome, verdict: decideVerdict(c.results, c.errors) };
}

/** A `go test -bench -benchmem` line as Go prints it (gofiber's Ctx benchmarks report 48 B/op, 2 allocs/op). */
const goOutput = (bytes: number, allocs: number, ns = '237.4') => `goos: linux
goarch: amd64
pkg: github.com/gofiber/fiber/v2
cpu: AMD EPYC 7763 64-Core Processor
Benchmark_Ctx_Accepts-4   	 5051106	       ${ns} ns/op	      ${bytes} B/op	       ${allocs} allocs/op
Benchmark_Ctx_Append-4    	 9322372	       128.6 ns/op	      16 B/op	       1 allocs/op
PASS
ok  	github.com/gofiber/fiber/v2	3.215s
`;

describe('identical copies of counts and bytes are decided by their values', () => {
  it('go: B/op 48 → 72 and allocs/op 2 → 3 in 3 identical files a side fail; the unchanged benchmark passes', () => {
    const { c, outcome, verdict } = compare('go', goOutput(48, 2), goOutput(72, 3, '238.1'));
    expect(outcome('Benchmark_Ctx_Accepts:bytes')).toBe('regression');
    expect(outcome('Benchmark_Ctx_Accepts:allocs')).toBe('regression');
    expect(outcome('Benchmark_Ctx_Append:bytes')).toBe('within-budget');
    expect(outcome('Benchmark_Ctx_Append:allocs')).toBe('within-budget');
    const bytes = c.results.find((r) => r.id.endsWith('Accepts:bytes'))!;
    expect(bytes.change).toEqual({ estimate: 0.5, low: 0.5, high: 0.5, confidence: 1 });
    expect(bytes.warnings.some((w) => w.code === 'resolution')).toBe(false);
    expect(verdict).toBe('fail');
  });

  it('go: the same files on both sides pass at once', () => {
    const { outcome } = compare('go', goOutput(48, 2), goOutput(48, 2));
    expect(outcome('Benchmark_Ctx_Accepts:bytes')).toBe('within-budget');
    expect(outcome('Benchmark_Ctx_Accepts:allocs')).toBe('within-budget');
  });

  it('benchmarkdotnet: allocated bytes per operation', () => {
    const bdn = (bytes: number) =>
      JSON.stringify({
        Title: 'ParserBench-20261121',
        Benchmarks: [
          {
            Type: 'ParserBench',
            Method: 'Parse',
            Parameters: 'Size=10',
            Statistics: { Median: 1234.5, Mean: 1240.1 },
            Memory: { Gen0Collections: 12, BytesAllocatedPerOperation: bytes },
          },
        ],
      });
    const { outcome } = compare('benchmarkdotnet', bdn(408), bdn(440));
    expect(outcome('ParserBench.Parse(Size=10):bytes')).toBe('regression');
    expect(compare('benchmarkdotnet', bdn(408), bdn(408)).outcome('ParserBench.Parse(Size=10):bytes')).toBe(
      'within-budget',
    );
  });

  it('jmh: gc.alloc.rate.norm (B/op)', () => {
    const jmh = (norm: number) =>
      JSON.stringify([
        {
          benchmark: 'org.example.ParseBench.parse',
          mode: 'avgt',
          primaryMetric: { score: 812.3, scoreUnit: 'ns/op', scorePercentiles: { '50.0': 811.9 } },
          secondaryMetrics: {
            '·gc.alloc.rate.norm': { score: norm, scoreUnit: 'B/op', scorePercentiles: { '50.0': norm } },
          },
        },
      ]);
    expect(compare('jmh', jmh(48), jmh(72)).outcome('parse:bytes')).toBe('regression');
    expect(compare('jmh', jmh(48), jmh(48)).outcome('parse:bytes')).toBe('within-budget');
  });

  it("json (perfgate's own format): counts and bytes", () => {
    const doc = (allocs: number, heap: number) =>
      JSON.stringify({
        benchmarks: [
          {
            name: 'parse',
            metrics: [
              { name: 'allocs', value: allocs, unit: 'count', direction: 'lower' },
              { name: 'heap', value: heap, unit: 'KiB', direction: 'lower' },
            ],
          },
        ],
      });
    const { outcome } = compare('json', doc(2, 1000), doc(3, 1000));
    expect(outcome('parse:allocs')).toBe('regression');
    expect(outcome('parse:heap')).toBe('within-budget');
  });

  it('google-benchmark: times and rates are noisy by nature, so identical copies are not a decision', () => {
    const gb = (ns: number) =>
      JSON.stringify({
        context: { num_cpus: 2 },
        benchmarks: [
          {
            name: 'BM_Sort/8',
            run_name: 'BM_Sort/8',
            run_type: 'iteration',
            iterations: 1000,
            real_time: ns,
            cpu_time: ns,
            time_unit: 'ns',
            bytes_per_second: 8e9 / ns,
          },
        ],
      });
    // Three metrics in the fail end's family (α/3 each): 3 files a side cannot reach it (1/C(6,3) = 0.05).
    const { c, verdict } = compare('google-benchmark', gb(100), gb(150));
    expect(verdict).toBe('error');
    expect(c.errors.join('\n')).toMatch(/At least 4 samples a side \(files for perfgate compare\) would reach it/);
    expect(compare('google-benchmark', gb(100), gb(150), 4).verdict).toBe('fail');
  });
});

describe('perfgate compare with too few files to decide', () => {
  it('two files of noisy values a side are an error naming how many would decide', () => {
    const { c, verdict } = compare('go', goOutput(48, 2, '237.4'), goOutput(48, 2, '301.9'), 2);
    expect(verdict).toBe('error');
    expect(c.errors.join('\n')).toMatch(
      /Benchmark_Ctx_Accepts:time: undecided at the last look, and 2 rounds could not/,
    );
    expect(c.errors.join('\n')).toMatch(/At least \d+ samples a side/);
  });

  it('one file a side is an error that says a comparison needs at least 2', () => {
    const { c, verdict } = compare('go', goOutput(48, 2), goOutput(72, 3), 1);
    expect(verdict).toBe('error');
    expect(c.errors[0]).toMatch(/Too few files: 1 base and 1 head; a comparison needs at least 2 per side/);
    expect(c.errors.join('\n')).toMatch(/at least \d+ per side are needed to decide it/);
  });
});
