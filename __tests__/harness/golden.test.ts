/**
 * Golden tests: every fixture made by a real harness (or taken from the tool's own repository,
 * see __tests__/fixtures/harness/SOURCE.md) is parsed and compared with the committed
 * `<fixture>.golden.json`. After regenerating fixtures, rewrite the goldens with
 * `UPDATE_GOLDEN=1 npx vitest run __tests__/harness` and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessParseError, harnessReplicate, parseHarnessOutput } from '../../src/adapters/harness/index';
import { FIXTURES, fixture, fixtureBytes, GOLDEN_CASES } from './fixtures';

const LINE_FORMATS = new Set<string>([
  'go',
  'libtest',
  'criterion',
  'catch2',
  'gungraun',
  'asv',
  'ruby-benchmark',
  'luau',
  'dart-benchmark-harness',
  'console-time',
]);

describe('harness parsers against tool-made fixtures (golden)', () => {
  it.each(GOLDEN_CASES)('%s %s', (format, file) => {
    // The source is the fixture's path below the fixtures folder, as the integrator would pass a
    // path relative to the checkout; criterion's estimates.json takes its name from it.
    const got = parseHarnessOutput(format, fixtureBytes(file), file);
    const goldenPath = join(FIXTURES, `${file}.golden.json`);
    const text = `${JSON.stringify(got, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, text);
    else if (!existsSync(goldenPath)) expect.fail(`${goldenPath} is missing: run with UPDATE_GOLDEN=1 and review it`);
    expect(got).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
    // Every value is finite and in a canonical or harness unit, every benchmark has metrics.
    expect(got.benchmarks.length).toBeGreaterThan(0);
    for (const b of got.benchmarks) {
      expect(b.metrics.length).toBeGreaterThan(0);
      for (const m of b.metrics) expect(Number.isFinite(m.value)).toBe(true);
    }
  });

  it.each(GOLDEN_CASES)('%s %s: truncated output is a HarnessParseError', (format, file) => {
    if (file === 'gatling/simulation.log') return; // binary: see the Gatling tests (a cut between records is undetectable)
    const text = fixture(file);
    // Cut inside the last third, in the middle of a line (never exactly at a line end).
    let cut = Math.floor(text.length * 0.7);
    while (cut > 0 && (text[cut - 1] === '\n' || text[cut] === '\n' || /\s/.test(text[cut - 1]))) cut--;
    // Line formats read each result line on its own: a cut between or at the start of result lines
    // leaves complete results and cannot be told from a shorter run. A cut inside a result line is
    // refused (see the format-specific tests).
    if (LINE_FORMATS.has(format) && !/^\s*[[{]/.test(text)) return;
    if (format === 'json') return; // covered by the format-specific tests
    expect(() => parseHarnessOutput(format, text.slice(0, cut), file)).toThrow(HarnessParseError);
  });

  it.each(GOLDEN_CASES)('%s %s: empty output is a HarnessParseError', (format, file) => {
    for (const empty of ['', '  \n\n'])
      expect(() => parseHarnessOutput(format, empty, file)).toThrow(/the output is empty; expected/);
  });
});

describe('harnessReplicate', () => {
  it('turns one invocation into SUITE/BENCHMARK:METRIC values with the parser warnings', () => {
    const r = harnessReplicate('micro', 'go', fixture('go/count3-benchmem.txt'), 'stdout of go test');
    const ids = r.values.map((v) => v.id);
    expect(ids).toContain('micro/BenchmarkSort:time');
    expect(ids).toContain('micro/BenchmarkJoin:throughput');
    expect(ids).toContain('micro/BenchmarkItoa/n=123456789:digits/op');
    expect(r.values.find((v) => v.id === 'micro/BenchmarkSort:allocs')).toEqual({
      id: 'micro/BenchmarkSort:allocs',
      unit: 'count',
      direction: 'lower',
      value: 2,
    });
    expect(r.warnings).toEqual([]);
  });

  it('passes warnings through', () => {
    const r = harnessReplicate('gb', 'google-benchmark', fixture('google-benchmark/single.json'), 'gb.json');
    expect(r.warnings.join('\n')).toMatch(/user counters "strings"/);
  });
});
