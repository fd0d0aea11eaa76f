/**
 * One-sided group-sequential boundaries with Lan–DeMets alpha spending (Lan & DeMets 1983) of
 * O'Brien–Fleming type (O'Brien & Fleming 1979), Pocock type (Pocock 1977) or the Hwang–Shih–DeCani
 * family (Hwang, Shih & DeCani 1990), computed exactly for arbitrary information fractions by
 * recursive numerical integration (Armitage, McPherson & Rowe 1969; Jennison & Turnbull,
 * Group Sequential Methods, 2000, ch. 19).
 *
 * Model (the "canonical joint distribution", Jennison & Turnbull §3.1): the standardised statistics
 * Z_1…Z_K at information fractions t_1 < … < t_K are jointly normal with Cov(Z_j, Z_k) = √(t_j/t_k),
 * i.e. S_k = Z_k·√t_k is Brownian motion observed at t_k. Under H0 the drift is 0. Rank statistics
 * such as Mann–Whitney's computed on nested samples have this structure asymptotically.
 * Boundaries are upper-only (one-sided, efficacy); any futility stopping is non-binding, so ignoring it
 * here keeps the type I error at most α.
 */
import { normalPdf, normalQuantileUpper, normalSurvival } from './normal';

/**
 * Lan–DeMets O'Brien–Fleming-type spending function for a one-sided level α:
 * α(t) = 2 − 2·Φ(z_{1−α/2} / √t), with α(0) = 0 and α(1) = α. Spends almost nothing early.
 */
export function obrienFlemingSpending(alpha: number, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return 2 * normalSurvival(normalQuantileUpper(alpha / 2) / Math.sqrt(t));
}

/**
 * Lan–DeMets Pocock-type spending function (Lan & DeMets 1983; Jennison & Turnbull 2000 §7.2):
 * α(t) = α·ln(1 + (e − 1)·t). Spends evenly, so early looks can decide.
 */
export function pocockSpending(alpha: number, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return alpha * Math.log1p((Math.E - 1) * t);
}

/**
 * Hwang–Shih–DeCani spending function (Hwang, Shih & DeCani 1990; Jennison & Turnbull 2000 §7.3):
 * α(t) = α·(1 − e^(−γt)) / (1 − e^(−γ)), and α·t for γ = 0. One parameter moves the spending from
 * late (γ = −4 is close to O'Brien–Fleming) through even (γ = 1 is close to Pocock) to early (γ > 1).
 */
export function hwangShihDeCaniSpending(alpha: number, t: number, gamma: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  if (Math.abs(gamma) < 1e-9) return alpha * t;
  return (alpha * -Math.expm1(-gamma * t)) / -Math.expm1(-gamma);
}

/**
 * An alpha-spending function: the cumulative error allowed by information fraction t. A Hwang–Shih–DeCani
 * function is written `{ hsd: γ }`; with `delay: d` its clock starts at information d, α(t) = α_γ((t − d)/(1 − d))
 * (nothing spent up to d: a first look whose variance estimate rests on few rounds gets little α).
 * Any non-decreasing function fixed before the data keeps the level (Lan & DeMets 1983).
 */
export type SpendingFunction = 'obrien-fleming' | 'pocock' | { hsd: number; delay?: number };

/** The cumulative error a spending function allows at information fraction t. */
export function spentAt(spending: SpendingFunction, alpha: number, t: number): number {
  if (spending === 'obrien-fleming') return obrienFlemingSpending(alpha, t);
  if (spending === 'pocock') return pocockSpending(alpha, t);
  const d = spending.delay ?? 0;
  return hwangShihDeCaniSpending(alpha, t >= 1 ? 1 : Math.max(0, (t - d) / (1 - d)), spending.hsd);
}

function spendingKey(spending: SpendingFunction): string {
  return typeof spending === 'string' ? spending : `hsd(${spending.hsd},${spending.delay ?? 0})`;
}

export interface GroupSequentialBoundaries {
  /** Information fractions of the looks. */
  fractions: number[];
  /** Upper critical values on the Z scale (Infinity when a look spends nothing). */
  z: number[];
  /** Nominal one-sided significance level of each look: 1 − Φ(z_k). */
  nominal: number[];
  /** Cumulative alpha spent up to and including each look. */
  cumulative: number[];
}

export interface BoundaryOptions {
  /** The spending function (default O'Brien–Fleming type). */
  spending?: SpendingFunction;
  /**
   * Spend all remaining alpha at the last look even when its information fraction is below 1
   * (the analysis was stopped early by a time limit). Default false.
   */
  spendAllAtLast?: boolean;
}

/** Grid points per standard deviation of the narrowest relevant increment (Simpson's rule). */
const POINTS_PER_SD = 32;
/** Lower truncation of the continuation region, in standard deviations of S_k under H0. */
const LOWER_SDS = 10;
/** Kernel truncation in standard deviations of an increment. */
const KERNEL_SDS = 9;

interface Grid {
  start: number;
  step: number;
  /** Simpson-weighted density values w_i·f(s_i). */
  weighted: Float64Array;
}

function simpsonWeights(count: number, step: number): Float64Array {
  const w = new Float64Array(count);
  for (let i = 0; i < count; i++) w[i] = ((i === 0 || i === count - 1 ? 1 : i % 2 === 1 ? 4 : 2) * step) / 3;
  return w;
}

function gridFor(lower: number, upper: number, step: number): { start: number; step: number; count: number } {
  let intervals = Math.max(2, Math.ceil((upper - lower) / step));
  if (intervals % 2 === 1) intervals++;
  intervals = Math.min(intervals, 40000);
  return { start: lower, step: (upper - lower) / intervals, count: intervals + 1 };
}

const cache = new Map<string, GroupSequentialBoundaries>();

/**
 * Upper boundaries for a one-sided level-α test at the given cumulative information fractions
 * (strictly increasing, in (0, 1]), spending alpha by `options.spending`.
 */
export function groupSequentialBoundaries(
  alpha: number,
  fractions: readonly number[],
  options: BoundaryOptions = {},
): GroupSequentialBoundaries {
  if (!(alpha > 0 && alpha < 1))
    throw new RangeError(`groupSequentialBoundaries: expected alpha in (0, 1), got ${alpha}`);
  if (fractions.length === 0) throw new RangeError('groupSequentialBoundaries: expected at least one look');
  fractions.forEach((t, i) => {
    if (!(t > 0 && t <= 1) || (i > 0 && !(t > fractions[i - 1]))) {
      throw new RangeError(
        `groupSequentialBoundaries: information fractions must increase strictly within (0, 1]; got ${fractions.join(', ')}`,
      );
    }
  });
  const spendAll = options.spendAllAtLast === true;
  const spending = options.spending ?? 'obrien-fleming';
  const key = `${spendingKey(spending)}|${alpha}|${fractions.join(',')}|${spendAll}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const K = fractions.length;
  const spendAt = (k: number) => (spendAll && k === K - 1 ? alpha : spentAt(spending, alpha, fractions[k]));
  const cumulative = fractions.map((_, k) => spendAt(k));
  const z: number[] = [];
  const increments = fractions.map((t, k) => (k === 0 ? t : t - fractions[k - 1]));

  // Look 1: Z_1 ~ N(0, 1).
  const first = cumulative[0];
  z.push(first > 0 ? normalQuantileUpper(first) : Number.POSITIVE_INFINITY);

  let grid: Grid | null = null;
  if (K > 1) {
    const t1 = fractions[0];
    const sd = Math.sqrt(t1);
    const upper = Number.isFinite(z[0]) ? z[0] * sd : LOWER_SDS * sd;
    const step = Math.min(Math.sqrt(increments[0]), Math.sqrt(increments[1])) / POINTS_PER_SD;
    const g = gridFor(-LOWER_SDS * sd, upper, step);
    const w = simpsonWeights(g.count, g.step);
    const weighted = new Float64Array(g.count);
    for (let i = 0; i < g.count; i++) {
      const s = g.start + i * g.step;
      weighted[i] = (w[i] * normalPdf(s / sd)) / sd;
    }
    grid = { start: g.start, step: g.step, weighted };
  }

  for (let k = 1; k < K; k++) {
    const prev = grid!;
    const tk = fractions[k];
    const sdInc = Math.sqrt(increments[k]);
    const sqrtT = Math.sqrt(tk);
    const target = cumulative[k] - cumulative[k - 1];
    // Probability of first crossing at look k for critical value c.
    const crossing = (c: number): number => {
      const b = c * sqrtT;
      let sum = 0;
      for (let i = 0; i < prev.weighted.length; i++) {
        const s = prev.start + i * prev.step;
        sum += prev.weighted[i] * normalSurvival((b - s) / sdInc);
      }
      return sum;
    };
    let c: number;
    if (target <= 0) {
      c = Number.POSITIVE_INFINITY;
    } else {
      let lo = -LOWER_SDS;
      let hi = 40;
      for (let it = 0; it < 80; it++) {
        const mid = (lo + hi) / 2;
        if (crossing(mid) > target) lo = mid;
        else hi = mid;
        if (hi - lo < 1e-10) break;
      }
      c = (lo + hi) / 2;
    }
    z.push(c);
    if (k === K - 1) break;
    // Sub-density of S_k on the continuation region (−∞, c·√t_k), by convolution with N(0, Δ_k).
    const sd = sqrtT;
    const upper = Number.isFinite(c) ? c * sqrtT : LOWER_SDS * sd;
    const step = Math.min(sdInc, Math.sqrt(increments[k + 1])) / POINTS_PER_SD;
    const g = gridFor(-LOWER_SDS * sd, upper, step);
    const w = simpsonWeights(g.count, g.step);
    const weighted = new Float64Array(g.count);
    const reach = KERNEL_SDS * sdInc;
    for (let j = 0; j < g.count; j++) {
      const sNew = g.start + j * g.step;
      const iLo = Math.max(0, Math.ceil((sNew - reach - prev.start) / prev.step));
      const iHi = Math.min(prev.weighted.length - 1, Math.floor((sNew + reach - prev.start) / prev.step));
      let sum = 0;
      for (let i = iLo; i <= iHi; i++) {
        const s = prev.start + i * prev.step;
        sum += prev.weighted[i] * normalPdf((sNew - s) / sdInc);
      }
      weighted[j] = (w[j] * sum) / sdInc;
    }
    grid = { start: g.start, step: g.step, weighted };
  }

  const result: GroupSequentialBoundaries = {
    fractions: [...fractions],
    z,
    nominal: z.map((c) => (Number.isFinite(c) ? normalSurvival(c) : 0)),
    cumulative,
  };
  cache.set(key, result);
  return result;
}
