/**
 * Theil–Sen with Sen's interval and Wilcoxon's signed-rank test against SciPy
 * (`scripts/golden-soak.py` writes the golden values).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signedRankUpperP, walshBounds } from '../../src/core/stats/signed-rank';
import { theilSen } from '../../src/core/stats/theil-sen';

const golden = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'stats', name), 'utf8'));

describe('theilSen', () => {
  it.each(golden('theil-sen.json') as { x: number[]; y: number[]; confidence: number; slope: number; low: number; high: number }[])(
    'matches scipy.stats.theilslopes (n = $x.length, $confidence)',
    (c) => {
      const r = theilSen(c.x, c.y, c.confidence);
      expect(r.slope).toBeCloseTo(c.slope, 9);
      expect(r.low).toBeCloseTo(c.low, 9);
      expect(r.high).toBeCloseTo(c.high, 9);
    },
  );
});

describe('signed-rank', () => {
  it.each(golden('signed-rank.json') as { d: number[]; p: number; bounds: [number, number] | null; hl: number | null }[])(
    'matches scipy.stats.wilcoxon (n = $d.length)',
    (c) => {
      expect(signedRankUpperP(c.d)).toBeCloseTo(c.p, 10);
      if (c.bounds) {
        const b = walshBounds(c.d, 0.05);
        expect(b.lower).toBeCloseTo(c.bounds[0], 12);
        expect(b.upper).toBeCloseTo(c.bounds[1], 12);
        expect(b.estimate).toBeCloseTo(c.hl as number, 12);
      }
    },
  );
});
