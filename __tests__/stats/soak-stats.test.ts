/**
 * Theil–Sen with Sen's interval against SciPy (`scripts/golden-soak.py` writes the golden values).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { theilSen } from '../../src/core/stats/theil-sen';

const golden = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'stats', name), 'utf8'));

describe('theilSen', () => {
  it.each(
    golden('theil-sen.json') as {
      x: number[];
      y: number[];
      confidence: number;
      slope: number;
      low: number;
      high: number;
    }[],
  )('matches scipy.stats.theilslopes (n = $x.length, $confidence)', (c) => {
    const r = theilSen(c.x, c.y, c.confidence);
    expect(r.slope).toBeCloseTo(c.slope, 9);
    expect(r.low).toBeCloseTo(c.low, 9);
    expect(r.high).toBeCloseTo(c.high, 9);
  });
});
