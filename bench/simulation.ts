/**
 * Seeded simulations of the shipped procedure: the real `measure()` loop and `SequentialGate`, with
 * suite runners that draw from known distributions instead of running processes. Used by
 * `bench/gate.ts` (the long tables) and by the property tests in `__tests__/stats/` (short, seeded).
 *
 * A simulated suite has `metrics` metrics with independent noise; even-numbered ones are
 * lower-is-better, odd ones higher-is-better, and a "true change of δ" makes every metric δ worse:
 * head = (1 + δ)·base for lower-is-better, (1 − δ)·base for higher-is-better — so δ = B sits exactly on
 * the budget's edge for both kinds.
 */
import { measure } from '../src/app/measure';
import type { SuiteRunner } from '../src/app/runners';
import { SequentialGate } from '../src/core/gate/gate';
import type { Analysis } from '../src/core/gate/shift';
import type { BudgetRule, MetricResult, Replicate, Side } from '../src/core/model';
import { mulberry32 } from '../src/core/random';

export interface Noise {
  /** Coefficient of variation of the log-normal noise of one sample. */
  cv: number;
  /** A share of samples (on both sides) multiplied by `factor`: contamination by interference. */
  outliers?: { share: number; factor: number };
  /** Noise shared by base and head within a round (drift of the machine), as a CV; default none. */
  roundCv?: number;
  /** Round values to this step (resolution), in units of the base value (e.g. 0.1 = steps of 10 %). */
  step?: number;
}

export interface Cell {
  metrics: number;
  /** True change as a fraction (δ); δ = budget is the least favourable null. */
  change: number;
  noise: Noise;
  budget: number;
  alpha?: number;
  minRounds?: number;
  maxRounds?: number;
  /** End the time after this many rounds (a max-time cut at an unplanned round). */
  cutAfter?: number;
  analysis?: Analysis;
}

export interface Trial {
  failed: boolean;
  rounds: number;
  results: MetricResult[];
  errors: string[];
}

function normal(uniform: () => number): number {
  let u = 0;
  while (u === 0) u = uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/** One run of the shipped loop and gate on simulated data. */
export async function simulate(cell: Cell, seed: number): Promise<Trial> {
  const uniform = mulberry32(seed);
  const sigma = Math.sqrt(Math.log1p(cell.noise.cv ** 2));
  const roundSigma = Math.sqrt(Math.log1p((cell.noise.roundCv ?? 0) ** 2));
  const minRounds = cell.minRounds ?? 10;
  const maxRounds = cell.maxRounds ?? 50;
  const budget: BudgetRule = { kind: 'relative', limit: cell.budget, source: `${cell.budget * 100}%` };
  const gate = new SequentialGate(
    { alpha: cell.alpha ?? 0.05, minRounds, maxRounds, analysis: cell.analysis ?? 'paired' },
    () => budget,
  );
  const timeUp = new AbortController();
  let calls = 0;
  let roundShift: number[] = [];
  const draw = (i: number, side: Side) => {
    let v = Math.exp(sigma * normal(uniform) + roundShift[i]);
    const o = cell.noise.outliers;
    if (o && uniform() < o.share) v *= o.factor;
    if (side === 'head') v *= i % 2 === 0 ? 1 + cell.change : 1 - cell.change;
    if (cell.noise.step) v = Math.max(cell.noise.step, Math.round(v / cell.noise.step) * cell.noise.step);
    return v;
  };
  const runner: SuiteRunner = {
    suite: { kind: 'command', name: 'sim', run: 'simulated', warmup: 0, timeout: 60 },
    async warmup() {},
    async sample(side): Promise<Replicate> {
      // Two calls per round; the drift of a round is drawn at its first call.
      if (calls % 2 === 0) {
        if (cell.cutAfter !== undefined && calls / 2 >= cell.cutAfter) timeUp.abort();
        roundShift = Array.from({ length: cell.metrics }, () => roundSigma * normal(uniform));
      }
      calls++;
      if (timeUp.signal.aborted) throw new Error('time is up');
      return {
        values: Array.from({ length: cell.metrics }, (_, i) => ({
          id: `sim:m${i}`,
          unit: 's',
          direction: i % 2 === 0 ? ('lower' as const) : ('higher' as const),
          value: draw(i, side),
        })),
        warnings: [],
      };
    },
  };
  const outcome = await measure([runner], {
    checkouts: { base: 'base', head: 'head' },
    gate,
    maxRounds,
    maxTimeS: 1e9,
    seed: seed ^ 0x5bd1e995,
    log: () => {},
    timeUp: timeUp.signal,
  });
  const results = outcome.look?.results ?? [];
  return {
    failed: results.some((r) => r.outcome === 'regression' || r.outcome === 'breach'),
    rounds: outcome.rounds,
    results,
    errors: outcome.look?.errors ?? [],
  };
}

export interface CellSummary {
  trials: number;
  failRate: number;
  medianRounds: number;
  p90Rounds: number;
  errorRate: number;
}

/** Runs `trials` seeded trials of a cell. */
export async function summarize(cell: Cell, trials: number, seed: number): Promise<CellSummary> {
  let fails = 0;
  let errors = 0;
  const rounds: number[] = [];
  for (let t = 0; t < trials; t++) {
    const r = await simulate(cell, seed * 1_000_003 + t);
    if (r.failed) fails++;
    if (r.errors.length > 0) errors++;
    rounds.push(r.rounds);
  }
  rounds.sort((a, b) => a - b);
  return {
    trials,
    failRate: fails / trials,
    medianRounds: rounds[Math.floor((trials - 1) / 2)],
    p90Rounds: rounds[Math.floor(0.9 * (trials - 1))],
    errorRate: errors / trials,
  };
}
