/**
 * Error rates of the soak comparison (`core/soak.ts`) in seeded simulation: resident memory of a
 * server under constant load modelled as a level, a warm-up that levels off, garbage-collection
 * saw-teeth (1 MB, period 7–13 s), strongly autocorrelated noise (AR(1), φ = 0.9 per second,
 * stationary sd 0.46 MB) and a run-to-run drift of the slope (sd 2 kB/s). The suite defaults: a
 * three-minute run per side sampled every second, 60 s settle, 10 s blocks, two rounds, α = 5 %.
 */
import { describe, expect, it } from 'vitest';
import type { SoakSeries } from '../../src/core/model';
import { mulberry32 } from '../../src/core/random';
import { compareGrowth } from '../../src/core/soak';

const MB = 1e6;

function gauss(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

interface Shape {
  /** Bytes per second that never come back. */
  leak: number;
  /** Size and time constant (s) of a growth that levels off (a cache warming up). */
  plateau: number;
  tau: number;
}

function run(random: () => number, side: 'base' | 'head', shape: Shape, seconds = 180): SoakSeries {
  const t: number[] = [];
  const y: number[] = [];
  let ar = 0;
  const period = 7 + 6 * random();
  const drift = 2e3 * gauss(random); // ±2 kB/s run-to-run slope noise (heap sizing)
  for (let s = 0; s < seconds; s++) {
    ar = 0.9 * ar + 0.2 * MB * gauss(random);
    const sawtooth = 1 * MB * ((s % period) / period);
    const warm = 20 * MB * (1 - Math.exp(-s / 6)) + shape.plateau * (1 - Math.exp(-s / shape.tau));
    t.push(s);
    y.push(60 * MB + warm + sawtooth + ar + (shape.leak + drift) * s);
  }
  return { metric: 'api:rss-growth', side, t, y, settle: 60, block: 10, tolerance: 0 };
}

function failRate(seed: number, trials: number, head: Shape, tolerance: number, rounds = 2): number {
  const random = mulberry32(seed);
  const none = { leak: 0, plateau: 0, tau: 1 };
  let fails = 0;
  for (let i = 0; i < trials; i++) {
    const base = Array.from({ length: rounds }, () => run(random, 'base', none));
    const heads = Array.from({ length: rounds }, () => run(random, 'head', head));
    if (compareGrowth(base, heads, tolerance, 0.05).outcome === 'regression') fails++;
  }
  return fails / trials;
}

describe('soak comparison error rates (seeded simulation)', () => {
  const trials = 2000;
  const se = Math.sqrt((0.05 * 0.95) / trials);

  it('fails an unchanged head at most α of the time, even with a zero tolerance', () => {
    const rate = failRate(1, trials, { leak: 0, plateau: 0, tau: 1 }, 0);
    expect(rate).toBeLessThanOrEqual(0.05 + 3 * se);
  });

  it('does not fail a head whose cache grows by 30 MB and levels off within the settle time', () => {
    const rate = failRate(2, trials, { leak: 0, plateau: 30 * MB, tau: 8 }, 1e4);
    expect(rate).toBeLessThanOrEqual(0.05 + 3 * se);
  });

  it('catches a leak of 3 MB/min over a tolerance of 256 kB/min', () => {
    const rate = failRate(3, 500, { leak: (3 * MB) / 60, plateau: 0, tau: 1 }, 256e3 / 60);
    expect(rate).toBeGreaterThanOrEqual(0.9);
  });
});
