/**
 * Capacity curves in both reports: a folded latency-vs-rate table in the comment, an SVG chart in
 * the HTML report with one mark per load step, and hostile metric names escaped.
 */
import { describe, expect, it } from 'vitest';
import type { CapacityCurve, ComparisonReport } from '../../src/core/model';
import { renderHtmlReport } from '../../src/core/render/html';
import { renderMarkdown } from '../../src/core/render/markdown';
import { buildResult, HOSTILE, realisticReport } from './fixtures/report';

function withCapacity(metric: string): ComparisonReport {
  const report = realisticReport();
  const capacity = {
    ...buildResult(
      {
        id: metric,
        suite: 'api',
        unit: '1/s',
        direction: 'higher',
        level: 1000,
        shift: -0.23,
        cv: 0.03,
        budget: { kind: 'relative', limit: 0.1, source: '10%' },
        outcome: 'regression',
        pValue: 0.001,
        stopReason: 'beyond budget',
      },
      11,
      8,
    ),
  };
  const steps = (side: 'base' | 'head', cap: number): CapacityCurve => ({
    metric,
    side,
    slo: 'p99 < 50ms',
    bound: 0.05,
    errorBound: 0.01,
    steps: [0.8, 0.9, 1, 1.04, 1.08].map((f) => ({
      rate: Math.round(cap * f),
      achieved: Math.round(cap * f),
      latency: 0.01 + (f > 1 ? 0.08 : 0.02 * f),
      errors: 0,
      holds: f <= 1,
    })),
  });
  return { ...report, results: [capacity, ...report.results], curves: [steps('base', 1000), steps('head', 770)] };
}

describe('capacity curves', () => {
  it('are a folded table in the comment, with both capacities', () => {
    const md = renderMarkdown(withCapacity('api/items:capacity'));
    expect(md).toMatch(
      /<details><summary><code>api\/items:capacity<\/code>: latency vs rate \(capacity base .*\/s, head .*\/s\)<\/summary>/,
    );
    expect(md).toMatch(/\| rate \| base p99 \| head p99 \|/);
    expect(md).toContain('✓');
    expect(md).toContain('✗');
  });

  it('are an SVG chart in the HTML report with one mark per load step', () => {
    const html = renderHtmlReport(withCapacity('api/items:capacity'));
    const svg = /<svg data-chart="capacity" data-metric="api\/items:capacity" data-points="(\d+)"/.exec(html);
    expect(svg?.[1]).toBe('10');
    expect(html).toContain('Latency vs rate of <code>api/items:capacity</code>');
  });

  it('escape hostile metric names', () => {
    const id = `api/${HOSTILE}:capacity`;
    const html = renderHtmlReport(withCapacity(id));
    expect(html).not.toContain(HOSTILE);
    // In markdown a name is shown only inside code spans, where GitHub renders it as text.
    expect(renderMarkdown(withCapacity(id)).replace(/`[^`\n]*`/g, '')).not.toContain(HOSTILE);
  });
});
