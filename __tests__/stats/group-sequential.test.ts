import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  groupSequentialBoundaries,
  hwangShihDeCaniSpending,
  obrienFlemingSpending,
} from '../../src/core/stats/group-sequential';
import { mulberry32 } from './prng';

/** Fraction of simulated Brownian paths (S_k = Z_k·√t_k) that first cross the boundary at each look. */
function simulateCrossings(z: number[], fractions: number[], sims: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const counts = new Array(z.length).fill(0);
  for (let s = 0; s < sims; s++) {
    let sum = 0;
    let prevT = 0;
    for (let k = 0; k < z.length; k++) {
      sum += rng.normal() * Math.sqrt(fractions[k] - prevT);
      prevT = fractions[k];
      if (sum / Math.sqrt(fractions[k]) >= z[k]) {
        counts[k]++;
        break;
      }
    }
  }
  return counts.map((c) => c / sims);
}

/** Binomial margin: 4.5 standard errors (two-sided miss rate ≈ 7e-6 per check). */
const margin = (p: number, n: number) => 4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-6;

describe('Lan–DeMets O’Brien–Fleming-type boundaries', () => {
  it('spending function: α(0) = 0, α(1) = α, increasing', () => {
    expect(obrienFlemingSpending(0.05, 0)).toBe(0);
    expect(obrienFlemingSpending(0.05, 1)).toBe(0.05);
    let prev = 0;
    for (let t = 0.05; t <= 1; t += 0.05) {
      const a = obrienFlemingSpending(0.05, t);
      expect(a).toBeGreaterThan(prev);
      prev = a;
    }
  });

  it('reproduces the published K = 5 equally spaced one-sided 0.025 boundaries', () => {
    // Jennison & Turnbull (2000) Table / gsDesign / rpact: 4.877, 3.357, 2.680, 2.290, 2.031.
    const b = groupSequentialBoundaries(0.025, [0.2, 0.4, 0.6, 0.8, 1]);
    [4.877, 3.357, 2.68, 2.29, 2.031].forEach((v, i) => {
      expect(Math.abs(b.z[i] - v)).toBeLessThan(6e-4);
    });
  });

  it('reproduces the published K = 2 one-sided 0.025 boundaries (2.963, 1.969)', () => {
    const b = groupSequentialBoundaries(0.025, [0.5, 1]);
    expect(Math.abs(b.z[0] - 2.963)).toBeLessThan(6e-4);
    expect(Math.abs(b.z[1] - 1.969)).toBeLessThan(6e-4);
  });

  it('first look is the plain normal quantile of the spent alpha', () => {
    const b = groupSequentialBoundaries(0.05, [0.3, 1]);
    expect(b.nominal[0]).toBeCloseTo(obrienFlemingSpending(0.05, 0.3), 15);
  });

  it('nominal levels increase with alpha (needed by the Holm argument)', () => {
    const fr = [0.2, 0.4, 0.6, 0.8, 1];
    const lo = groupSequentialBoundaries(0.01, fr).nominal;
    const hi = groupSequentialBoundaries(0.02, fr).nominal;
    lo.forEach((v, i) => {
      expect(hi[i]).toBeGreaterThan(v);
    });
  });

  it('Monte Carlo: per-look crossing probabilities equal the spending increments (equal spacing)', () => {
    const fr = [0.2, 0.4, 0.6, 0.8, 1];
    const b = groupSequentialBoundaries(0.05, fr);
    const sims = 200_000;
    const got = simulateCrossings(b.z, fr, sims, 7);
    const want = b.cumulative.map((c, k) => c - (k === 0 ? 0 : b.cumulative[k - 1]));
    got.forEach((g, k) => {
      expect(Math.abs(g - want[k])).toBeLessThan(margin(want[k], sims));
    });
    const total = got.reduce((a, x) => a + x, 0);
    expect(Math.abs(total - 0.05)).toBeLessThan(margin(0.05, sims));
  });

  it('Monte Carlo: irregular looks with all remaining alpha spent at an early final look', () => {
    const fr = [0.13, 0.37, 0.41, 0.66];
    const b = groupSequentialBoundaries(0.1, fr, { spendAllAtLast: true });
    expect(b.cumulative[3]).toBe(0.1);
    const sims = 200_000;
    const got = simulateCrossings(b.z, fr, sims, 11);
    const total = got.reduce((a, x) => a + x, 0);
    expect(Math.abs(total - 0.1)).toBeLessThan(margin(0.1, sims));
  });

  it('rejects invalid fractions with a message naming the input', () => {
    expect(() => groupSequentialBoundaries(0.05, [0.5, 0.4])).toThrow(/increase strictly/);
    expect(() => groupSequentialBoundaries(1.5, [1])).toThrow(/alpha/);
  });
});

describe('Hwang–Shih–DeCani spending', () => {
  it('α(0) = 0, α(1) = α, linear at γ = 0; a delayed clock spends nothing before its start', () => {
    expect(hwangShihDeCaniSpending(0.05, 0, 2)).toBe(0);
    expect(hwangShihDeCaniSpending(0.05, 1, -4)).toBe(0.05);
    expect(hwangShihDeCaniSpending(0.05, 0.3, 0)).toBeCloseTo(0.015, 15);
    const b = groupSequentialBoundaries(0.05, [0.1, 0.5, 1], { spending: { hsd: 2, delay: 0.1 } });
    expect(b.z[0]).toBe(Number.POSITIVE_INFINITY);
    expect(b.cumulative[2]).toBe(0.05);
  });

  it('boundaries agree with an independent computation (SciPy multivariate normal, scripts/golden-stats.py)', () => {
    const cases = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'fixtures', 'stats', 'hsd-boundaries.json'), 'utf8'),
    );
    for (const c of cases as { alpha: number; fractions: number[]; gamma: number; delay: number; z: number[] }[]) {
      const b = groupSequentialBoundaries(c.alpha, c.fractions, { spending: { hsd: c.gamma, delay: c.delay } });
      c.z.forEach((z, k) => {
        expect(Math.abs(b.z[k] - z), `γ ${c.gamma} look ${k + 1}`).toBeLessThan(1e-3);
      });
    }
  });
});
