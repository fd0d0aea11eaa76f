/**
 * Golden tests: every statistic against reference values from SciPy/NumPy, written by
 * scripts/golden-stats.py into __tests__/fixtures/stats/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hodgesLehmannInterval } from '../../src/core/stats/hodges-lehmann';
import { kendallTrend } from '../../src/core/stats/kendall';
import { mannWhitneyExactCdf, mannWhitneyU } from '../../src/core/stats/mann-whitney';
import { medianInterval } from '../../src/core/stats/median-interval';
import { normalCdf, normalQuantile, normalQuantileUpper, normalSurvival } from '../../src/core/stats/normal';
import { median, quantile, robustScale } from '../../src/core/stats/quantiles';
import { signedRankPGreater, walshShift } from '../../src/core/stats/signed-rank';

const dir = join(import.meta.dirname, '..', 'fixtures', 'stats');
// biome-ignore lint/suspicious/noExplicitAny: fixture JSON is untyped
type Json = any;
const load = (name: string): Json => JSON.parse(readFileSync(join(dir, name), 'utf8'));

/** |a − b| ≤ rel·|b| + abs. */
function close(a: number, b: number, rel = 1e-9, abs = 1e-300): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.abs(b) + abs);
}

describe('normal distribution (scipy.stats.norm)', () => {
  const f = load('normal.json');
  it('CDF and upper tail', () => {
    for (const c of f.cdf) {
      close(normalCdf(c.z), c.cdf, 1e-12);
      close(normalSurvival(c.z), c.sf, 1e-12);
    }
  });
  it('quantile', () => {
    for (const c of f.ppf) close(normalQuantile(c.p), c.z, 1e-12, 1e-15);
    for (const c of f.isf) close(normalQuantileUpper(c.q), c.z, 1e-12);
  });
});

describe('median, quantiles and MAD (numpy.quantile, scipy median_abs_deviation)', () => {
  it('match', () => {
    for (const c of load('quantiles.json')) {
      close(median(c.x), c.median, 1e-12, 1e-12);
      for (const [q, v] of Object.entries(c.quantiles)) close(quantile(c.x, Number(q)), v as number, 1e-12, 1e-12);
      close(robustScale(c.x), c.mad, 1e-12, 1e-12);
    }
  });
});

describe('Mann–Whitney U (scipy.stats.mannwhitneyu)', () => {
  const cases = load('mann-whitney.json');
  const named: [string, Json][] = cases.map((c: { x: number[]; y: number[]; method: string }) => [
    `${c.method} ${c.x.length}×${c.y.length}`,
    c,
  ]);
  it.each(named)('%s', (_name, c) => {
    const r = mannWhitneyU(c.x, c.y, c.method === 'exact' ? 'exact' : 'normal');
    expect(r.u).toBe(c.u);
    close(r.pGreater, c.pGreater, 1e-9, 1e-15);
    close(r.pLess, c.pLess, 1e-9, 1e-15);
    close(r.pTwoSided, c.pTwoSided, 1e-9, 1e-15);
  });
  it('auto picks exact without ties (≤ 50 per side) and the normal approximation with ties', () => {
    for (const c of cases) {
      const tied = new Set([...c.x, ...c.y]).size < c.x.length + c.y.length;
      const expected = !tied && c.x.length <= 50 && c.y.length <= 50 ? 'exact' : 'normal';
      expect(mannWhitneyU(c.x, c.y).method).toBe(expected);
    }
  });
  it('exact null distribution matches integer counts', () => {
    for (const d of load('mann-whitney-exact.json')) {
      d.cdf.forEach((v: number, k: number) => {
        close(mannWhitneyExactCdf(d.m, d.n, k), v, 1e-12, 1e-15);
        close(mannWhitneyExactCdf(d.n, d.m, k), v, 1e-12, 1e-15);
      });
    }
  });
});

describe('Hodges–Lehmann estimate and Mann–Whitney-inverted interval (independent Python)', () => {
  const named: [string, Json][] = load('hodges-lehmann.json').map(
    (c: { x: number[]; method: string; confidence: number }) => [`${c.method} ${c.x.length} at ${c.confidence}`, c],
  );
  it.each(named)('%s', (_name, c) => {
    const r = hodgesLehmannInterval(c.x, c.y, c.confidence);
    expect(r.method).toBe(c.method);
    close(r.estimate, c.estimate, 1e-12, 1e-15);
    close(r.low, c.low, 1e-12, 1e-15);
    close(r.high, c.high, 1e-12, 1e-15);
    expect(r.attained).toBe(true);
  });
});

describe('Wilcoxon signed-rank test (scipy.stats.wilcoxon) and the Walsh-average interval', () => {
  it('one-sided p for "centred above θ₀", exact and with the tie-corrected normal approximation', () => {
    for (const c of load('signed-rank.json')) {
      for (const [theta0, p] of Object.entries(c.p))
        close(signedRankPGreater(c.d, Number(theta0)), p as number, 1e-9, 1e-14);
    }
  });

  it('Hodges–Lehmann estimate and interval ends at separate tails (brute-force reference)', () => {
    for (const c of load('signed-rank.json')) {
      for (const i of c.interval) {
        const r = walshShift(c.d);
        close(r.estimate, i.estimate, 1e-12, 1e-15);
        if (i.low === null) expect(r.lowerAt(i.lowTail)).toBe(Number.NEGATIVE_INFINITY);
        else close(r.lowerAt(i.lowTail), i.low, 1e-12, 1e-15);
        if (i.high === null) expect(r.upperAt(i.highTail)).toBe(Number.POSITIVE_INFINITY);
        else close(r.upperAt(i.highTail), i.high, 1e-12, 1e-15);
      }
    }
  });
});

describe('binomial order-statistic interval for a median (scipy.stats.binom)', () => {
  it('matches', () => {
    for (const c of load('median-interval.json')) {
      const r = medianInterval(c.x, c.confidence);
      expect(r.low).toBe(c.low);
      expect(r.high).toBe(c.high);
      close(r.confidence, c.coverage, 1e-9);
    }
  });
});

describe('Kendall trend (scipy.stats.kendalltau, asymptotic)', () => {
  it('matches τ_b and p', () => {
    for (const c of load('kendall.json')) {
      const r = kendallTrend(c.values);
      close(r.tau, c.tau, 1e-12, 1e-15);
      close(r.p, c.p, 1e-9, 1e-15);
    }
  });
});
