/**
 * The change of head against base on the analysis scale, and its interval at any one-sided level.
 *
 * Values are oriented so that positive means worse: x = +log(v) for lower-is-better metrics and −log(v)
 * for higher-is-better ones (on the linear scale when some value is ≤ 0). The change θ is the location
 * shift of head against base on that scale.
 *
 * - `paired` (the default): rounds are randomized blocks — each round runs base and head once, close in
 *   time — so the within-round differences dᵢ = headᵢ − baseᵢ cancel drift that hits both sides of a
 *   round alike. θ is estimated by the Hodges–Lehmann median of the Walsh averages and bounded by
 *   inverting the Wilcoxon signed-rank test (`stats/signed-rank.ts`). Assumption: the dᵢ are
 *   symmetric about θ (true when base and head noise within a round are exchangeable) and independent
 *   from round to round, or serially correlated as an AR(1) process (see below).
 * - `two-sample`: the Hodges–Lehmann median of all head − base differences and the interval inverting
 *   the Mann–Whitney test (`stats/hodges-lehmann.ts`). Assumption: all samples independent (or AR(1)
 *   within a side, see below), head a pure shift of base. Used when the rounds cannot be paired.
 *
 * Both ends are widened by the measurement resolution (`resolution.ts`), so rounding never narrows the
 * interval below what the data can show.
 *
 * **Serial correlation within a side.** Randomizing the order within a round removes drift shared by
 * both sides, not correlation in one side's own sequence of samples (page cache, thermal state, a JIT or
 * a daemon warming differently per checkout). With AR(1) correlation ρ, a rank statistic's variance
 * grows by about V(ρ) = 1 + 2·Σₖ(1 − k/n)·ρᵏ (the variance of a mean of an AR(1) series, Box, Jenkins
 * & Reinsel, Time Series Analysis, §2.1), so a test at nominal level τ really runs at
 * 1 − Φ(z_τ / √V): at ρ = 0.5 a 5 % test is a 19 % one. The diagnostic is the lag-1 autocorrelation of
 * the centred ranks of the residuals in run order (the paired differences, from which the round effect
 * has cancelled; for two samples, each side's own sequence), bias-corrected for its estimated mean
 * (Marriott & Pope 1954: E ρ̂ ≈ ρ − (1 + 3ρ)/n). When it is positive the interval is computed at the
 * nominal tail τ' = 1 − Φ(√V·z_τ): the same rank interval, widened as the correlation requires.
 * The estimate is also pooled over a suite's undecided gated metrics (`lagOneOf` of all their residual
 * sequences, in `gate.ts`), and each end uses the larger of the two inflations: the state that carries
 * over between samples is the machine's, shared by a suite's metrics, and from m metrics the pooled
 * estimate's error is 1/√m of one metric's — which matters most for the fail end of a large family,
 * whose Holm level α/m sits far in the tail, where an underestimated V costs the most.
 */
import { pairwiseShift, smallestRankSumP } from '../stats/hodges-lehmann';
import { mannWhitneyU } from '../stats/mann-whitney';
import { normalQuantileUpper, normalSurvival } from '../stats/normal';
import { rankWithTies } from '../stats/ranks';
import { signedRankPGreater, smallestSignedRankP, walshShift } from '../stats/signed-rank';

export type Analysis = 'paired' | 'two-sample';

/** The end of the interval: `fail` is the better (lower) end that shows a regression, `pass` the worse end. */
export type End = 'fail' | 'pass';

export interface Shift {
  analysis: Analysis;
  /** Hodges–Lehmann estimate of θ (positive: head worse). */
  estimate: number;
  /** Lower end of the interval whose lower error is `tail` (one-sided). −Infinity when out of reach. */
  lowerAt(tail: number): number;
  /** Upper end of the interval whose upper error is `tail` (one-sided). +Infinity when out of reach. */
  upperAt(tail: number): number;
  /** One-sided p-value for H0: θ ≤ θ₀ against "head is worse than θ₀" (used to order metrics). */
  pWorseThan(theta0: number): number;
  /** One-sided p-value for H0: θ ≥ θ₀ against "head is better than θ₀". */
  pBetterThan(theta0: number): number;
  /**
   * The fail end as it would be without the allowance for serial correlation (resolution still added):
   * to tell a fail end the allowance alone put out of reach.
   */
  lowerIgnoringCorrelationAt(tail: number): number;
  /** The smallest and largest difference (the widest interval the data can give). */
  extremes: [number, number];
  /** Whether the fail (lower) or pass (upper) end at one-sided error `tail` can be finite with these samples. */
  reachable(tail: number, end: End): boolean;
  /** The smallest one-sided p the rank test gives with these sample sizes (2⁻ⁿ paired, 1/C(m+n, m) two-sample). */
  smallestP: number;
  /** The fewest rounds (pairs, or samples a side) at which that end at one-sided error `tail` becomes reachable. */
  roundsFor(tail: number, end: End): number;
  /** Serial correlation in run order: the estimate used and the variance inflation applied (1: none). */
  correlation: SerialCorrelation;
}

export interface SerialCorrelation {
  /** Lag-1 autocorrelation of the centred ranks in run order (raw estimate). */
  lagOne: number;
  /** Values per sequence it was estimated from. */
  n: number;
  /** Variance inflation V applied to the rank statistic at each end (1: none). */
  inflation: { fail: number; pass: number };
  /** One-sided z of the raw estimate against no correlation (ρ̂·√n): the diagnostic. */
  z: number;
  /** Set when the estimate shown is the suite's, pooled over this many gated metrics. */
  metrics?: number;
}

/** How serial correlation is handled: widened (the default) or ignored (the bench measures both). */
export type CorrelationHandling = 'widen' | 'ignore';

/** A lag-1 autocorrelation estimate and what it rests on. */
export interface LagOne {
  /** Lag-1 autocorrelation of the centred ranks, pooled over the sequences (raw, not bias-corrected). */
  lagOne: number;
  /** Values per sequence (the mean length). */
  n: number;
  /** Values over all sequences: the estimate's standard error is about 1/√total. */
  total: number;
  /** Sequences pooled (the metrics of a suite, or the two sides of a two-sample comparison). */
  sequences: number;
  /** Set when pooled over a suite's metrics: how many. */
  metrics?: number;
}

const NO_CORRELATION: SerialCorrelation = { lagOne: 0, n: 0, inflation: { fail: 1, pass: 1 }, z: 0 };

/**
 * Fewest values a sequence needs before its autocorrelation is estimated: below 10 the estimate's
 * standard error (≈ 1/√n) is above 0.3, and the margin alone would put a short run's levels out of
 * reach. The default first look is at 10 rounds.
 */
const MIN_FOR_CORRELATION = 10;

/**
 * The sequences in run order whose serial correlation matters for this comparison, the residuals after
 * the round effect: the per-round differences when paired, each side's own samples otherwise.
 */
export function residualSequences(base: readonly number[], head: readonly number[], analysis: Analysis): number[][] {
  if (isPaired(base, head, analysis)) return [head.map((h, i) => h - base[i])];
  return [[...base], [...head]];
}

function isPaired(base: readonly number[], head: readonly number[], analysis: Analysis): boolean {
  return analysis === 'paired' && base.length === head.length && base.length >= 2;
}

/**
 * The shift of `head` against `base` (both already oriented, in run order), paired by round when
 * `paired` is asked for and both sides have the same number of samples. `widen` is added to both ends
 * (resolution). `pooled`: the serial correlation estimated over every gated metric of the suite
 * (`lagOneOf` of their `residualSequences`); each end then allows for the larger of the metric's own
 * correlation and the suite's.
 */
export function shiftOf(
  base: readonly number[],
  head: readonly number[],
  analysis: Analysis,
  widen = 0,
  correlation: CorrelationHandling = 'widen',
  pooled: LagOne | null = null,
): Shift {
  const sequences = residualSequences(base, head, analysis);
  const serial = correlation === 'widen' ? serialCorrelation(lagOneOf(sequences), pooled) : NO_CORRELATION;
  if (isPaired(base, head, analysis)) return pairedShift(sequences[0], widen, serial);
  return twoSampleShift(base, head, widen, serial);
}

/** Centred ranks (average ranks for ties) of a sequence. */
function centredRanks(x: readonly number[]): number[] {
  const mean = (x.length + 1) / 2;
  return Array.from(rankWithTies(x).ranks, (r) => r - mean);
}

/**
 * AR(1) variance inflation of the mean of n values with lag-1 autocorrelation ρ ≥ 0:
 * 1 + 2·Σ_{k=1}^{n−1} (1 − k/n)·ρᵏ.
 */
export function ar1Inflation(rho: number, n: number): number {
  if (rho === 0 || !Number.isFinite(rho) || n < 2) return 1;
  let sum = 0;
  let power = 1;
  for (let k = 1; k < n; k++) {
    power *= rho;
    sum += (1 - k / n) * power;
    if (Math.abs(power) < 1e-12) break;
  }
  return 1 + 2 * sum;
}

/** How one end of the interval turns an estimate into a variance inflation. */
export interface CorrelationRule {
  /** Standard errors (1/√total) added to the bias-corrected estimate. */
  margin: number;
  /** Applied only when the raw estimate's z (ρ̂·√total) exceeds this. */
  above: number;
}

/**
 * How each end of the interval uses the estimate (chosen with `npm run bench:gate` as judge). The ρ used
 * is the bias-corrected estimate plus a margin of `margin` standard errors (about 1/√total), applied
 * when the raw estimate's z (ρ̂·√total) exceeds `above`:
 * - the fail end must keep its error ≤ α at the budget's edge for ρ up to 0.5, and at 10–50 rounds the
 *   estimate is noisy: the bare estimate still fails ~8 % at ρ = 0.5 (its low draws under-correct), so
 *   the fail end always adds a margin. It widens, never narrows.
 * - the pass end decides how many rounds an unchanged metric costs, so it widens only when the
 *   diagnostic finds the correlation (z > 1.645), by the bare bias-corrected estimate.
 */
export const CORRELATION_RULES: { fail: CorrelationRule; pass: CorrelationRule } = {
  fail: { margin: 0.75, above: Number.NEGATIVE_INFINITY },
  pass: { margin: 0, above: 1.645 },
};

/**
 * The largest correlation the widening uses: validity is promised up to ρ = 0.5, and a noisy estimate far
 * above it (0.9 from 20 rounds of independent samples happens) would otherwise make the interval
 * unreachable for no reason. Beyond it, the note says the samples are correlated.
 */
const MAX_RHO = 0.6;

/** The variance inflation one end uses for an estimate (bias-corrected per sequence, margin over all values). */
function inflationFor(e: LagOne, rule: CorrelationRule): number {
  if (!(e.lagOne * Math.sqrt(e.total) > rule.above)) return 1;
  const corrected = e.lagOne + (1 + 3 * e.lagOne) / e.n;
  const used = Math.min(MAX_RHO, Math.max(0, corrected + rule.margin / Math.sqrt(e.total)));
  return ar1Inflation(used, e.n);
}

/**
 * Lag-1 autocorrelation of the centred ranks of each sequence in run order, pooled over the sequences
 * (Σ of lag products over Σ of squares); null when no sequence is long enough.
 */
export function lagOneOf(sequences: readonly (readonly number[])[]): LagOne | null {
  let cross = 0;
  let square = 0;
  let total = 0;
  let count = 0;
  for (const s of sequences) {
    if (s.length < MIN_FOR_CORRELATION) continue;
    const r = centredRanks(s);
    for (let i = 0; i < r.length; i++) {
      square += r[i] * r[i];
      if (i + 1 < r.length) cross += r[i] * r[i + 1];
    }
    total += r.length;
    count++;
  }
  if (total === 0 || square === 0) return null;
  return { lagOne: cross / square, n: Math.round(total / count), total, sequences: count };
}

/**
 * The variance inflation each end of the interval applies for a metric's own estimate and, when given,
 * its suite's pooled one: the larger of the two at each end (the suite's is far less noisy when the
 * correlation comes from the machine, which every metric of a suite shares; the metric's own still
 * covers a correlation of its own).
 */
export function serialCorrelation(
  own: LagOne | null,
  pooled: LagOne | null = null,
  rules: typeof CORRELATION_RULES = CORRELATION_RULES,
): SerialCorrelation {
  const estimates = [own, pooled].filter((e): e is LagOne => e !== null);
  if (estimates.length === 0) return NO_CORRELATION;
  const inflation = (rule: CorrelationRule) => Math.max(...estimates.map((e) => inflationFor(e, rule)));
  // The one reported: the one with the stronger evidence.
  const shown = estimates.reduce((a, b) => (b.lagOne * Math.sqrt(b.total) > a.lagOne * Math.sqrt(a.total) ? b : a));
  return {
    lagOne: shown.lagOne,
    n: shown.n,
    inflation: { fail: inflation(rules.fail), pass: inflation(rules.pass) },
    z: shown.lagOne * Math.sqrt(shown.total),
    ...(shown === pooled && (pooled.metrics ?? 0) > 1 ? { metrics: pooled.metrics } : {}),
  };
}

/** The nominal one-sided tail that keeps error `tail` when the statistic's variance is `inflation` times larger. */
function inflatedTail(tail: number, inflation: number): number {
  if (inflation === 1 || !(tail > 0 && tail < 0.5)) return tail;
  return normalSurvival(Math.sqrt(inflation) * normalQuantileUpper(tail));
}

/**
 * The fail end's nominal tail for error `tail` after n rounds whose samples show no serial correlation
 * (ρ̂ = 0): the widening that the bias correction and the margin for the estimate's noise impose on
 * their own. A schedule whose last look cannot reach it could not fail a regression on independent samples.
 */
export function failTailWithoutCorrelation(tail: number, n: number): number {
  return inflatedTail(tail, serialCorrelation({ lagOne: 0, n, total: n, sequences: 1 }).inflation.fail);
}

/** A p-value recomputed for a statistic whose variance is `inflation` times larger than assumed. */
function deflatedP(p: number, inflation: number): number {
  if (inflation === 1 || !(p > 0 && p < 0.5)) return p;
  return normalSurvival(normalQuantileUpper(p) / Math.sqrt(inflation));
}

/** Adds the resolution to both ends (∓Infinity stay open) and the correlation to the tails. */
function widened(
  bounds: { estimate: number; lowerAt(t: number): number; upperAt(t: number): number; extremes: [number, number] },
  widen: number,
  inflation: { fail: number; pass: number },
) {
  // Oriented so that larger is worse: the lower end is the fail end's, the upper end the pass end's.
  return {
    estimate: bounds.estimate,
    lowerAt: (tail: number) => bounds.lowerAt(inflatedTail(tail, inflation.fail)) - widen,
    lowerIgnoringCorrelationAt: (tail: number) => bounds.lowerAt(tail) - widen,
    upperAt: (tail: number) => bounds.upperAt(inflatedTail(tail, inflation.pass)) + widen,
    extremes: [bounds.extremes[0] - widen, bounds.extremes[1] + widen] as [number, number],
  };
}

function pairedShift(d: number[], widen: number, correlation: SerialCorrelation): Shift {
  const n = d.length;
  const v = correlation.inflation;
  return {
    analysis: 'paired',
    ...widened(walshShift(d), widen, v),
    // Ordering only: the signed-rank p of the data moved by the widening towards the null.
    pWorseThan: (theta0) => deflatedP(signedRankPGreater(d, theta0 + widen), v.fail),
    pBetterThan: (theta0) =>
      deflatedP(
        signedRankPGreater(
          d.map((x) => -x),
          -theta0 + widen,
        ),
        v.pass,
      ),
    reachable: (tail, end) => inflatedTail(tail, v[end]) >= smallestSignedRankP(n) * (1 - 1e-12),
    smallestP: smallestSignedRankP(n),
    roundsFor: (tail, end) => Math.max(1, Math.ceil(Math.log2(1 / inflatedTail(tail, v[end])) - 1e-9)),
    correlation,
  };
}

function twoSampleShift(
  base: readonly number[],
  head: readonly number[],
  widen: number,
  correlation: SerialCorrelation,
): Shift {
  const v = correlation.inflation;
  return {
    analysis: 'two-sample',
    ...widened(pairwiseShift(base, head), widen, v),
    pWorseThan: (theta0) =>
      deflatedP(
        mannWhitneyU(
          head.map((x) => x - theta0 - widen),
          base,
        ).pGreater,
        v.fail,
      ),
    pBetterThan: (theta0) =>
      deflatedP(
        mannWhitneyU(
          head.map((x) => x - theta0 + widen),
          base,
        ).pLess,
        v.pass,
      ),
    reachable: (tail, end) => inflatedTail(tail, v[end]) >= smallestRankSumP(base.length, head.length) * (1 - 1e-12),
    smallestP: smallestRankSumP(base.length, head.length),
    roundsFor: (tail, end) => {
      const t = inflatedTail(tail, v[end]);
      let n = 1;
      while (smallestRankSumP(n, n) > t * (1 + 1e-12) && n < 10_000) n++;
      return n;
    },
    correlation,
  };
}
