/**
 * Student's t distribution against SciPy (`scripts/golden-soak.py` writes the golden values).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { studentTQuantileUpper, studentTSurvival } from '../../src/core/stats/student-t';

const golden = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'stats', name), 'utf8'));

describe("Student's t", () => {
  const t = golden('student-t.json') as {
    sf: { t: number; df: number; sf: number }[];
    isf: { q: number; df: number; t: number }[];
  };
  it('upper tail matches scipy.stats.t.sf to 1e-11 relative', () => {
    for (const c of t.sf) {
      const got = studentTSurvival(c.t, c.df);
      expect(Math.abs(got - c.sf), `t = ${c.t}, df = ${c.df}: ${got} vs ${c.sf}`).toBeLessThanOrEqual(
        1e-11 * c.sf + 1e-300,
      );
    }
  });
  it('quantile matches scipy.stats.t.isf to 1e-10 relative', () => {
    for (const c of t.isf) {
      const got = studentTQuantileUpper(c.q, c.df);
      expect(Math.abs(got - c.t), `q = ${c.q}, df = ${c.df}: ${got} vs ${c.t}`).toBeLessThanOrEqual(
        1e-10 * Math.abs(c.t) + 1e-12,
      );
    }
  });
});
