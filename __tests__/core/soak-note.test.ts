/** The soak note says why a bound is infinite, instead of leaving a clear leak as a silent "inconclusive". */
import { describe, expect, it } from 'vitest';
import type { MetricResult, SoakSeries } from '../../src/core/model';
import { applySoak } from '../../src/core/soak';

/** A run of `blocks` one-second blocks after a 2 s settle: a straight line plus a slow wave (correlated blocks). */
function run(side: 'base' | 'head', slope: number, blocks: number, phase: number): SoakSeries {
  const t = Array.from({ length: (blocks + 2) * 4 }, (_, i) => i / 4);
  const y = t.map((s) => 1e8 + slope * s + 2e5 * Math.sin(s / 3 + phase));
  return { metric: 'api:rss-growth', side, t, y, settle: 2, block: 1, tolerance: 1e4 };
}

const result = {
  id: 'api:rss-growth',
  suite: 'api',
  name: 'rss-growth',
  unit: 'B/s',
  direction: 'lower',
  base: [],
  head: [],
  baseMedian: null,
  headMedian: null,
  change: null,
  pValue: null,
  budget: { kind: 'relative', limit: 0.05, source: '5%' },
  outcome: 'inconclusive',
  rounds: 0,
  warnings: [],
} as unknown as MetricResult;

describe('applySoak', () => {
  it('names the cause of an infinite bound (too few blocks for the autocorrelation) and what to change', () => {
    const series = [run('base', 0, 3, 0), run('base', 0, 3, 1), run('head', 5e5, 3, 2), run('head', 5e5, 3, 3)];
    const [r] = applySoak(
      [result],
      series,
      0.05,
      () => false,
      (v) => `${Math.round(v)} B/s`,
    );
    expect(r.outcome).toBe('inconclusive');
    const note = r.warnings.find((w) => w.code === 'soak')!.text;
    expect(note).toContain('An infinite bound: too few blocks after the settle time');
    expect(note).toContain('lengthen duration or add rounds');
  });
});
