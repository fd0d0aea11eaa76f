/**
 * Seeded simulations of what the gate spends and finds: detection at twice the budget, rounds on
 * unchanged code, and the coverage of the repeated confidence interval across looks.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../bench/simulation';
import { informationFraction, planLooks } from '../../src/core/gate/looks';
import { groupSequentialBoundaries } from '../../src/core/stats/group-sequential';
import { walshShift } from '../../src/core/stats/signed-rank';
import { mulberry32 } from './prng';

describe('power and rounds (budget 5 %, CV 6 %, max-rounds 50)', () => {
  it('detects a change of twice the budget in ≥ 95 % of runs', async () => {
    const s = await summarize({ metrics: 1, change: 0.1, noise: { cv: 0.06 }, budget: 0.05 }, 300, 31);
    console.log(`power at 2B: ${(s.failRate * 100).toFixed(1)} %, median rounds ${s.medianRounds}`);
    expect(s.failRate).toBeGreaterThanOrEqual(0.93);
    expect(s.medianRounds).toBeLessThanOrEqual(35);
  });

  it('decides an unchanged metric within 20 rounds in most runs', async () => {
    const s = await summarize({ metrics: 1, change: 0, noise: { cv: 0.06 }, budget: 0.05 }, 300, 32);
    console.log(`unchanged: median rounds ${s.medianRounds}, p90 ${s.p90Rounds}`);
    expect(s.failRate).toBe(0);
    expect(s.medianRounds).toBeLessThanOrEqual(20);
  });
});

describe('repeated confidence interval: simultaneous coverage over all looks', () => {
  it('the paired interval at each look’s spent levels covers the true change at every look with ≥ 1 − 2α', () => {
    const rng = mulberry32(41);
    const looks = planLooks(10, 50);
    const fractions = looks.map((r) => informationFraction(r, 50));
    const alpha = 0.05;
    const lowTails = groupSequentialBoundaries(alpha, fractions, { spending: 'obrien-fleming' }).nominal;
    const highTails = groupSequentialBoundaries(alpha, fractions, { spending: 'pocock' }).nominal;
    const theta = Math.log(1.04);
    const trials = 1500;
    let missed = 0;
    for (let t = 0; t < trials; t++) {
      const d = Array.from({ length: 50 }, () => theta + 0.06 * Math.SQRT2 * rng.normal());
      const miss = looks.some((n, k) => {
        const s = walshShift(d.slice(0, n));
        return s.lowerAt(lowTails[k]) > theta || s.upperAt(highTails[k]) < theta;
      });
      if (miss) missed++;
    }
    const rate = missed / trials;
    console.log(`RCI non-coverage over 9 looks: ${(rate * 100).toFixed(2)} % (nominal ≤ ${2 * alpha * 100} %)`);
    expect(rate).toBeLessThanOrEqual(2 * alpha + 2.33 * Math.sqrt((2 * alpha * (1 - 2 * alpha)) / trials));
  });
});
