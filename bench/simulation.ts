/**
 * Seeded simulations of the shipped procedure: the real `measure()` loop and `SequentialGate`, with
 * suite runners that draw from known distributions instead of running processes. Used by
 * `bench/gate.ts` (the long tables) and by the property tests in `__tests__/stats/` (short, seeded).
 *
 * A simulated suite has `metrics` metrics with independent noise; even-numbered ones are
 * lower-is-better, odd ones higher-is-better, and a "true change of δ" makes a metric δ worse:
 * head = (1 + δ)·base for lower-is-better, (1 − δ)·base for higher-is-better — so δ = B sits exactly on
 * the budget's edge for both kinds. `changes` gives each metric its own δ (e.g. 5 of 20 regressed).
 */
import { measure } from '../src/app/measure';
import type { SuiteRunner } from '../src/app/runners';
import type { Design } from '../src/core/gate/design';
import { SequentialGate } from '../src/core/gate/gate';
import type { Analysis, CorrelationHandling } from '../src/core/gate/shift';
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
  /**
   * Serial correlation, AR(1) with lag-1 correlation `rho`: `within` each side's own sequence of samples
   * (the per-sample noise itself), or `shared` by both sides of a round (an extra component of CV `cv`
   * on top of the independent noise).
   */
  ar?: { rho: number; kind: 'within' | 'shared' };
  /**
   * A count (unit `count`, whole numbers) instead of a time: `base` is the base value and the noise is
   * applied before rounding to whole numbers, so low noise gives identical values.
   */
  count?: { base: number };
  /** A count that takes one of two values, `low` or `high`, each half the time on each side (no change). */
  twoValued?: { low: number; high: number };
}

export interface Cell {
  metrics: number;
  /** True change as a fraction (δ); δ = budget is the least favourable null. */
  change: number;
  /** Per-metric changes (overrides `change`; cycled when shorter than `metrics`). */
  changes?: number[];
  noise: Noise;
  budget: number;
  alpha?: number;
  minRounds?: number;
  maxRounds?: number;
  /** End the time after this many rounds (a max-time cut at an unplanned round). */
  cutAfter?: number;
  analysis?: Analysis;
  serialCorrelation?: CorrelationHandling;
  design?: Design;
  /** Keep sampling after a regression to label the others (default true, as shipped). */
  completeReport?: boolean;
}

export interface Trial {
  failed: boolean;
  rounds: number;
  results: MetricResult[];
  errors: string[];
  /** Round at which the verdict (a regression) was known, or null. */
  verdictRound: number | null;
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
    {
      alpha: cell.alpha ?? 0.05,
      minRounds,
      maxRounds,
      analysis: cell.analysis ?? 'paired',
      ...(cell.serialCorrelation ? { serialCorrelation: cell.serialCorrelation } : {}),
      ...(cell.design ? { design: cell.design } : {}),
    },
    () => budget,
  );
  const timeUp = new AbortController();
  const ar = cell.noise.ar;
  const innovation = ar ? Math.sqrt(1 - ar.rho ** 2) : 1;
  const k = cell.metrics;
  const changeOf = (i: number) => (cell.changes ? cell.changes[i % cell.changes.length] : cell.change);
  // AR(1) states: per side and metric (within), or per metric (shared); started from the stationary law.
  const within: Record<Side, number[]> = {
    base: Array.from({ length: k }, () => sigma * normal(uniform)),
    head: Array.from({ length: k }, () => sigma * normal(uniform)),
  };
  const shared = Array.from({ length: k }, () => sigma * normal(uniform));
  let calls = 0;
  let roundShift: number[] = [];
  const draw = (i: number, side: Side) => {
    if (cell.noise.twoValued) {
      const { low, high } = cell.noise.twoValued;
      return uniform() < 0.5 ? low : high;
    }
    let e: number;
    if (ar?.kind === 'within') {
      within[side][i] = ar.rho * within[side][i] + innovation * sigma * normal(uniform);
      e = within[side][i];
    } else e = sigma * normal(uniform);
    let v = Math.exp(e + roundShift[i]);
    const o = cell.noise.outliers;
    if (o && uniform() < o.share) v *= o.factor;
    const delta = changeOf(i);
    if (side === 'head') v *= counting || i % 2 === 0 ? 1 + delta : 1 - delta;
    if (cell.noise.count) return Math.max(1, Math.round(v * cell.noise.count.base));
    if (cell.noise.step) v = Math.max(cell.noise.step, Math.round(v / cell.noise.step) * cell.noise.step);
    return v;
  };
  const counting = cell.noise.count !== undefined || cell.noise.twoValued !== undefined;
  const runner: SuiteRunner = {
    suite: { kind: 'command', name: 'sim', run: 'simulated', warmup: 0, timeout: 60 },
    async warmup() {},
    async sample(side): Promise<Replicate> {
      // Two calls per round; the drift of a round is drawn at its first call.
      if (calls % 2 === 0) {
        if (cell.cutAfter !== undefined && calls / 2 >= cell.cutAfter) timeUp.abort();
        roundShift = Array.from({ length: k }, (_, i) => {
          if (ar?.kind === 'shared') {
            shared[i] = ar.rho * shared[i] + innovation * sigma * normal(uniform);
            return shared[i] + roundSigma * normal(uniform);
          }
          return roundSigma * normal(uniform);
        });
      }
      calls++;
      if (timeUp.signal.aborted) throw new Error('time is up');
      return {
        values: Array.from({ length: k }, (_, i) => ({
          id: `sim:m${i}`,
          unit: counting ? 'count' : 's',
          direction: counting || i % 2 === 0 ? ('lower' as const) : ('higher' as const),
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
    timeUp: timeUp.signal,
    completeReport: cell.completeReport ?? true,
  });
  const results = outcome.look?.results ?? [];
  return {
    failed: results.some((r) => r.outcome === 'regression' || r.outcome === 'breach'),
    rounds: outcome.rounds,
    results,
    errors: outcome.look?.errors ?? [],
    verdictRound: outcome.verdictRound,
  };
}

export interface CellSummary {
  trials: number;
  failRate: number;
  medianRounds: number;
  p90Rounds: number;
  errorRate: number;
  /** Share of runs that end green: no regression and no error. */
  passRate: number;
  /** Share of runs in which every gated metric was decided (none inconclusive). */
  allDecided: number;
  /** Share of metrics labelled regression, and within budget (or improvement), over all runs. */
  labelledRegression: number;
  labelledWithin: number;
  /** Median rounds at which the verdict (a regression) was known, among failing runs. */
  medianVerdictRound: number | null;
  /** Runs whose every metric with δ > 0 of the cell's `changes` was labelled regression. */
  allRegressedLabelled: number;
  /** Share of metrics with δ = 0 (of `changes`) labelled within budget. */
  unchangedWithin: number;
  /** Sorted rounds of every trial (for other quantiles). */
  rounds: number[];
}

const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];

/** Runs `trials` seeded trials of a cell. */
export async function summarize(cell: Cell, trials: number, seed: number): Promise<CellSummary> {
  let fails = 0;
  let errors = 0;
  let passes = 0;
  let allDecided = 0;
  let regressionLabels = 0;
  let withinLabels = 0;
  let allRegressed = 0;
  let unchangedWithin = 0;
  let unchangedCount = 0;
  const rounds: number[] = [];
  const verdicts: number[] = [];
  const changeOf = (i: number) => (cell.changes ? cell.changes[i % cell.changes.length] : cell.change);
  for (let t = 0; t < trials; t++) {
    const r = await simulate(cell, seed * 1_000_003 + t);
    if (r.failed) fails++;
    if (r.errors.length > 0) errors++;
    if (!r.failed && r.errors.length === 0) passes++;
    if (r.results.every((x) => x.outcome !== 'inconclusive')) allDecided++;
    regressionLabels += r.results.filter((x) => x.outcome === 'regression').length;
    withinLabels += r.results.filter((x) => x.outcome === 'within-budget' || x.outcome === 'improvement').length;
    const byIndex = r.results.map((x) => ({ x, i: Number(x.id.slice('sim:m'.length)) }));
    if (byIndex.filter(({ i }) => changeOf(i) > 0).every(({ x }) => x.outcome === 'regression')) allRegressed++;
    for (const { x, i } of byIndex)
      if (changeOf(i) === 0) {
        unchangedCount++;
        if (x.outcome === 'within-budget' || x.outcome === 'improvement') unchangedWithin++;
      }
    rounds.push(r.rounds);
    if (r.verdictRound !== null) verdicts.push(r.verdictRound);
  }
  rounds.sort((a, b) => a - b);
  verdicts.sort((a, b) => a - b);
  const metricCount = trials * cell.metrics;
  return {
    trials,
    failRate: fails / trials,
    medianRounds: quantile(rounds, 0.5),
    p90Rounds: quantile(rounds, 0.9),
    errorRate: errors / trials,
    passRate: passes / trials,
    allDecided: allDecided / trials,
    labelledRegression: regressionLabels / metricCount,
    labelledWithin: withinLabels / metricCount,
    medianVerdictRound: verdicts.length ? quantile(verdicts, 0.5) : null,
    allRegressedLabelled: allRegressed / trials,
    unchangedWithin: unchangedCount ? unchangedWithin / unchangedCount : Number.NaN,
    rounds,
  };
}
