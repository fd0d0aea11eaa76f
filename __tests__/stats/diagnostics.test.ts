/** Notes that mean something: calibrated on clean data, and still firing on real interference. */
import { describe, expect, it } from 'vitest';
import { sampleNotes } from '../../src/core/gate/diagnostics';
import { mulberry32 } from './prng';

function rate(n: number, trials: number, seed: number, contaminate: number, code: string, cv = 0.06): number {
  const rng = mulberry32(seed);
  const sigma = Math.sqrt(Math.log1p(cv * cv));
  let fired = 0;
  for (let t = 0; t < trials; t++) {
    const base = Array.from({ length: n }, () => sigma * rng.normal());
    const head = Array.from({ length: n }, () => sigma * rng.normal());
    for (let i = 0; i < Math.round(contaminate * n); i++) head[i] += Math.log(1.5);
    if (sampleNotes('m', base, head).some((w) => w.code === code)) fired++;
  }
  return fired / trials;
}

describe('outlier note', () => {
  it.each([10, 20, 30, 50])('fires on at most 5 percent of clean log-normal metrics at n = %i', (n) => {
    const r = rate(n, 2000, n, 0, 'outliers');
    console.log(`outlier note on clean data, n = ${n}: ${(r * 100).toFixed(1)} %`);
    expect(r).toBeLessThanOrEqual(0.05);
  });
  it.each([
    [10, 0.8],
    [20, 0.95],
    [50, 0.95],
  ])('fires when a tenth of one side is 1.5× slower (CV 6 percent, n = %i)', (n, least) => {
    const r = rate(n, 1000, 100 + n, 0.1, 'outliers');
    console.log(`outlier note with 10 % contamination, n = ${n}: ${(r * 100).toFixed(1)} %`);
    expect(r).toBeGreaterThanOrEqual(least);
  });
});

describe('drift note', () => {
  it('fires on ≤ 3 % of clean metrics', () => {
    expect(rate(30, 1500, 7, 0, 'drift')).toBeLessThanOrEqual(0.03);
  });
});
