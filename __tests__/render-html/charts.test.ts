import { describe, expect, it } from 'vitest';
import type { MetricResult } from '../../src/core/model';
import { chartScale, mermaidText, niceTicks, renderMetricChart } from '../../src/core/render/charts';
import { plainNumber } from '../../src/core/units';
import { expectGolden } from '../helpers/golden';
import {
  addedResult,
  HOSTILE,
  hostileReport,
  inconclusiveResult,
  longResult,
  realisticReport,
} from './fixtures/report';

function byId(id: string): MetricResult {
  const r = realisticReport().results.find((x) => x.id === id);
  if (!r) throw new Error(`fixture has no metric ${id}`);
  return r;
}

describe('renderMetricChart golden files', () => {
  const cases: [string, () => MetricResult][] = [
    ['cli-wall-regression.md', () => byId('cli:wall')],
    ['api-items-p99-improvement.md', () => byId('api/items:p99')],
    ['api-items-throughput-unchanged.md', () => byId('api/items:throughput')],
    ['micro-parse-inconclusive.md', inconclusiveResult],
    ['micro-encode-added.md', addedResult],
    ['db-insert-long-binned.md', longResult],
    ['hostile-id.md', () => hostileReport().results[0]],
  ];
  for (const [name, make] of cases) {
    it(name, () => expectGolden(`charts/${name}`, renderMetricChart(make())));
  }
});

describe('renderMetricChart shape', () => {
  const all = [...realisticReport().results, inconclusiveResult(), addedResult(), longResult()];

  it('stays small enough for a PR comment', () => {
    for (const r of all) expect(renderMetricChart(r).length, r.id).toBeLessThanOrEqual(1500);
  });

  it('names the unit on the y axis and colours base and head with the palette only', () => {
    const chart = renderMetricChart(byId('cli:wall'));
    expect(chart).toContain('y-axis "wall (ms)"');
    expect(chart).toContain('"plotColorPalette":"#4e79a7, #f28e2b"');
    expect(chart).not.toMatch(/"theme"|background/);
    expect(chart.match(/^ {4}line \[/gm)).toHaveLength(2);
    expect(renderMetricChart(byId('cli:rss'))).toContain('y-axis "rss (MB)"');
    expect(renderMetricChart(byId('api/items:throughput'))).toContain('y-axis "throughput (k/s)"');
  });

  it('draws one line per round while rounds fit, medians of consecutive rounds beyond that', () => {
    const wall = renderMetricChart(byId('cli:wall'));
    const lines = wall.match(/line \[([^\]]*)\]/g) ?? [];
    for (const l of lines) expect(l.split(',')).toHaveLength(20);
    const long = renderMetricChart(longResult());
    expect(long).toContain('x-axis "round (median of 3)" 1 --> 50');
    expect(long).toContain('<sub>🔵 base · 🟠 head · 150 rounds · higher is better</sub>');
  });

  it('leaves out an empty side and returns nothing when there is nothing to draw', () => {
    const added = renderMetricChart(addedResult());
    expect(added.match(/^ {4}line \[/gm)).toHaveLength(1);
    expect(added).toContain('"plotColorPalette":"#f28e2b"');
    expect(added).toContain('🟠 head');
    expect(added).not.toContain('🔵 base');
    expect(renderMetricChart({ ...addedResult(), head: [] })).toBe('');
    expect(renderMetricChart({ ...byId('cli:wall'), base: [Number.NaN], head: [] })).toBe('');
  });

  it('neutralises hostile ids and units: no HTML, no extra quotes, fences or directives', () => {
    for (const r of hostileReport().results) {
      const chart = renderMetricChart(r);
      expect(chart).not.toContain(HOSTILE);
      expect(chart).not.toMatch(/<(?!\/?sub>)/);
      expect(chart.match(/```/g)).toHaveLength(2);
      expect(chart.match(/%%\{/g)).toHaveLength(1);
      for (const line of chart.split('\n').filter((l) => /^ {4}(title|x-axis|y-axis)/.test(l))) {
        expect(line.match(/"/g), line).toHaveLength(2);
      }
      // The fenced block has exactly the lines we write: no injected statement lines.
      const body = chart.split('```')[1].trim().split('\n');
      expect(body.slice(2, 6).map((l) => l.trim().split(' ')[0])).toEqual([
        'xychart-beta',
        'title',
        'x-axis',
        'y-axis',
      ]);
    }
  });
});

describe('chart helpers', () => {
  it('mermaidText keeps readable ids and drops markup', () => {
    expect(mermaidText('api/items:p99')).toBe('api/items:p99');
    expect(mermaidText('a"b`c<d>{e}#f;g\nh%%{i')).toBe('a b c d e f g h% i');
    expect(mermaidText('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('plainNumber never writes an exponent', () => {
    expect(plainNumber(12.3456)).toBe('12.35');
    expect(plainNumber(0.000123456)).toBe('0.0001235');
    expect(plainNumber(123456789)).toBe('123456789');
    expect(plainNumber(-0.00001)).toBe('-0.00001');
    expect(plainNumber(0)).toBe('0');
  });

  it('niceTicks covers the range with 1-2-5 steps', () => {
    expect(niceTicks(388, 473, 10)).toMatchObject({ lo: 380, hi: 480, step: 10 });
    expect(niceTicks(0, 1, 5).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(5, 5).lo).toBeLessThan(5);
  });

  it('chartScale picks the unit of the typical value from the one table in units.ts', () => {
    expect(chartScale('s', [0.0042, 0.5, 0.004])).toMatchObject({ divisor: 1e-3, suffix: 'ms' });
    expect(chartScale('s', [1.8e-6])).toMatchObject({ divisor: 1e-6, suffix: 'µs' });
    expect(chartScale('B', [84e6])).toMatchObject({ divisor: 1e6, suffix: 'MB' });
    expect(chartScale('1/s', [11800])).toMatchObject({ divisor: 1e3, suffix: 'k/s' });
    expect(chartScale('fraction', [0.01])).toMatchObject({ divisor: 0.01, suffix: '%' });
    expect(chartScale('rows/s', [5])).toMatchObject({ divisor: 1, suffix: 'rows/s' });
    expect(chartScale('s', [Number.NaN])).toMatchObject({ divisor: 1, suffix: 's' });
  });
});
