/** A seeded simulator of whole sequential comparisons, for the error-control and power tests. */
import { type GateOptions, SequentialGate } from '../../src/core/engine';
import type { BudgetRule, Direction, MetricResult } from '../../src/core/model';
import type { Rng } from './prng';

export type Noise = 'lognormal' | 'log-laplace' | 'log-t3';

export interface MetricSpec {
  /** True ratio head/base − 1 (in the metric's own units, e.g. +0.05 = head 5 % larger). */
  effect: number;
  /** Scale of the log noise (≈ CV for small values). */
  cv: number;
  noise: Noise;
  direction?: Direction;
}

/** One log-noise draw with robust scale ≈ 1 (MAD-consistent) for every family. */
export function logNoise(rng: Rng, noise: Noise): number {
  switch (noise) {
    case 'lognormal':
      return rng.normal();
    case 'log-laplace':
      // Laplace(0, b) has MAD = b·ln 2; scale so that 1.4826·MAD = 1.
      return rng.laplace() / (1.4826 * Math.LN2);
    case 'log-t3':
      // t3 has MAD ≈ 0.7649; scale so that 1.4826·MAD = 1.
      return rng.studentT(3) / (1.4826 * 0.7649);
  }
}

export interface TrialOutcome {
  results: MetricResult[];
  rounds: number;
  /** Samples of each metric up to maxRounds (for applying other rules to the same data). */
  samples: { base: number[]; head: number[] }[];
}

/**
 * Runs one comparison: draws all maxRounds rounds up front (so other rules can use the same samples),
 * then feeds the gate the prefix at each planned look until it is done.
 */
export function runTrial(
  rng: Rng,
  options: GateOptions,
  specs: MetricSpec[],
  budget: BudgetRule,
  baseValue = 0.1,
): TrialOutcome {
  const samples = specs.map((spec) => {
    const base: number[] = [];
    const head: number[] = [];
    for (let i = 0; i < options.maxRounds; i++) {
      base.push(baseValue * Math.exp(spec.cv * logNoise(rng, spec.noise)));
      head.push(baseValue * (1 + spec.effect) * Math.exp(spec.cv * logNoise(rng, spec.noise)));
    }
    return { base, head };
  });
  const gate = new SequentialGate(options, () => budget);
  let last: MetricResult[] = [];
  let rounds = 0;
  for (const look of gate.looks) {
    const res = gate.look(
      specs.map((spec, i) => ({
        id: `s:m${i}`,
        suite: 's',
        name: `m${i}`,
        unit: 's',
        direction: spec.direction ?? 'lower',
        base: samples[i].base.slice(0, look),
        head: samples[i].head.slice(0, look),
      })),
      look,
      look === options.maxRounds,
    );
    last = res.results;
    rounds = look;
    if (res.done) break;
  }
  return { results: last, rounds, samples };
}

/** Upper one-sided binomial tolerance: p + z·√(p(1−p)/n). */
export function upperTolerance(p: number, n: number, z = 2.33): number {
  return p + z * Math.sqrt((p * (1 - p)) / n);
}
