/**
 * The words of the gate's notes and errors, in one place: each says what happened and what to do.
 * The numbers they quote are on the scale the reader uses (percent changes, the metric's own unit).
 */
import type { BudgetRule, MetricId, Unit, Warning } from '../model';
import { normalQuantileUpper } from '../stats/normal';
import { formatSignedPercent, formatValue } from '../units';
import type { Resolution } from './resolution';

function percent(fraction: number): string {
  const v = Math.abs(fraction * 100);
  return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)} %`;
}

/** An oriented log-scale change as the percent change a reader expects (positive is worse). */
function worse(theta: number): string {
  return formatSignedPercent(Math.expm1(theta));
}

export function beforeFirstLook(rounds: number, minRounds: number): string {
  return (
    `Only ${rounds} round${rounds === 1 ? '' : 's'} ran before the time limit, fewer than min-rounds (${minRounds}): ` +
    'there is not enough evidence to pass or fail the gated metrics. Raise max-time, make the suites faster, or lower min-rounds.'
  );
}

export function tooFewSamples(metric: MetricId, base: number, head: number, needed: number): string {
  return `${metric}: only ${base} base and ${head} head sample${head === 1 ? '' : 's'}; at least ${needed} per side are needed to decide it (2 to compare at all). Check that the suite produces this metric on both sides, and run more rounds (or give perfgate compare more files).`;
}

/** A value handed to the gate that is not a finite number (NaN, ±Infinity): an error, never a scale switch. */
export function notANumber(metric: MetricId, side: 'base' | 'head', index: number, value: unknown): string {
  return `${metric}: ${side} sample ${index + 1} is ${String(value)}; the gate compares finite numbers only. Fix the suite or harness that reported it.`;
}

/** A metric decided by its values: identical on each side of a whole-number count. */
export function exactValues(metric: MetricId, samples: number, rounded: boolean): Warning {
  return {
    code: 'exact',
    metric,
    text:
      `Every sample had the same value on each side (${samples} a side): a count without noise, decided by its values${rounded ? ' up to the rounding step of each side' : ''}, without a statistical test.` +
      ' This assumes the count is deterministic (bytes, allocations, instructions of the same code); if it can vary, gate a time instead.',
  };
}

/** Serial correlation in run order, diagnosed on the residuals after the round effect. */
export function serialCorrelation(
  metric: MetricId,
  c: { lagOne: number; inflation: { fail: number; pass: number }; z: number; metrics?: number },
  paired: boolean,
): Warning | null {
  // The diagnostic: a one-sided test of no lag-1 correlation at 1 % (ρ̂·√n > 2.33).
  if (!(c.z > 2.33)) return null;
  const factor = Math.sqrt(Math.max(c.inflation.fail, c.inflation.pass));
  const widened = factor > 1 ? `, so the interval is widened up to ×${factor.toFixed(2)} (as for an AR(1) series)` : '';
  return {
    code: 'serial-correlation',
    metric,
    text:
      `Consecutive ${paired ? 'rounds' : 'samples of a side'} are correlated (lag-1 autocorrelation ${c.lagOne.toFixed(2)} in run order${paired ? ', after the round effect' : ''}${c.metrics ? `, pooled over ${c.metrics} metrics of the suite` : ''})${widened}: ` +
      "samples are not independent. A state that carries over between one side's samples (page cache, thermal state, a JIT or daemon warming per checkout) does this: a longer warm-up or samples that start from the same state remove it.",
  };
}

/**
 * A gated metric undecided at the final look although no data could have decided it: the level it
 * needed is below the smallest p the rank test gives with this many rounds (2⁻ⁿ paired, 1/C(2n, n)
 * for two samples of n).
 */
export function undecidable(metric: MetricId, rounds: number, tail: number, needed: number, paired: boolean): string {
  return (
    `${metric}: undecided at the last look, and ${rounds} round${rounds === 1 ? '' : 's'} could not have decided it: ` +
    `it needed a one-sided level of ${tail.toPrecision(2)}, below the smallest p the ${paired ? 'paired' : 'two-sample'} rank test gives with ${rounds} ` +
    `${paired ? 'rounds' : 'samples a side'}. At least ${needed} ${paired ? 'rounds' : 'samples a side (files for perfgate compare)'} would reach it: raise max-rounds or max-time, or gate fewer metrics.`
  );
}

/**
 * A gated metric undecided at the final look whose fail end, beyond the budget without the widening for
 * serial correlation, that widening put out of reach: with this many rounds no data could have shown it.
 */
export function undecidableUnderCorrelation(
  metric: MetricId,
  rounds: number,
  lagOne: number,
  metrics: number | undefined,
  needed: number,
  paired: boolean,
): string {
  const unit = paired ? 'rounds' : 'samples a side';
  return (
    `${metric}: beyond the budget if its ${unit} were independent, undecided once serial correlation is allowed for: ` +
    `the interval allows for serial correlation in run order (lag-1 autocorrelation estimated at ${lagOne.toFixed(2)}${metrics ? `, pooled over ${metrics} metrics of the suite` : ''}, plus a margin for the noise of an estimate from so few ${unit}), ` +
    `which puts its fail end beyond what ${rounds} ${unit} can reach at the level it needed, so ${rounds} ${unit} could not have shown a regression. ` +
    `About ${Math.max(needed, rounds + 1)} ${unit} would: raise max-rounds or max-time, gate fewer metrics, or remove the state that carries over between samples (a longer warm-up).`
  );
}

export function newOnHead(metric: MetricId): Warning {
  return {
    code: 'new-on-head',
    metric,
    text: 'Only measured on head (new): its absolute rule is checked on head alone.',
  };
}

export function linearScale(metric: MetricId): Warning {
  return {
    code: 'linear-scale',
    metric,
    text: 'Some values are ≤ 0 and cannot be logged: the change is computed on the linear scale (a shift relative to the base median).',
  };
}

export function zeroBase(metric: MetricId): Warning {
  return {
    code: 'zero-base',
    metric,
    text: 'The base median is 0, so a relative change is undefined; the interval is on the linear scale.',
  };
}

export function coarseResolution(
  metric: MetricId,
  resolution: Resolution,
  unit: Unit,
  widen: number,
  budget: number,
  logScale: boolean,
): Warning {
  const stepShare = logScale ? percent(Math.expm1(widen)) : null;
  if (resolution.source === 'grid')
    return {
      code: 'resolution',
      metric,
      text:
        `The capacity search steps its rate by ${percent(Math.expm1(widen))}, coarse next to the ${percent(budget)} budget: ` +
        'the interval is widened by one step on each side. Set a finer capacity `resolution` (each halving adds about one load step).',
    };
  const step = resolution.step;
  return {
    code: 'resolution',
    metric,
    text:
      `The values move in steps of ${formatValue(step, unit)}${stepShare ? ` (${stepShare} of the smallest value)` : ''}, ` +
      `coarse next to the ${percent(budget)} budget: the interval is widened by one step on each side, so ties alone cannot show this metric within budget. ` +
      'Get a finer resolution: more iterations per sample, a finer timer, or a total over many operations.',
  };
}

/**
 * A look whose one-sided level `tail` is below the smallest p the rank test can give with this many
 * rounds. With n pairs the signed-rank test's smallest one-sided p is 2^-n (every difference on one
 * side), so a paired look needs at least ⌈log2(1/tail)⌉ rounds (`needed`, computed by the test).
 */
export function intervalOutOfReach(metric: MetricId, rounds: number, tail: number, needed: number): Warning {
  return {
    code: 'interval-level',
    metric,
    text:
      `After ${rounds} rounds the data cannot yet reach the confidence this look requires (a one-sided level of ${tail.toPrecision(2)}, shared across the gated metrics); an open end shows the most extreme difference measured.` +
      (needed > rounds ? ` This look needs at least ${needed} rounds for that level.` : ''),
  };
}

export function absoluteUndecided(metric: MetricId): Warning {
  return {
    code: 'inconclusive',
    metric,
    text: "The interval of the head's median straddles the bound: neither kept nor broken with the required confidence. More rounds would decide it.",
  };
}

/**
 * Final-look note of an inconclusive relative metric: which budget would have decided it, and roughly how
 * many rounds would at this noise (the interval narrows like 1/√rounds).
 */
export function inconclusive(
  metric: MetricId,
  budget: BudgetRule,
  estimate: number,
  low: number,
  high: number,
  limit: number,
  rounds: number,
): Warning | null {
  if (budget.kind !== 'relative' || !Number.isFinite(low) || !Number.isFinite(high)) return null;
  const towardsPass = estimate < limit;
  const half = towardsPass ? high - estimate : estimate - low;
  const gap = Math.abs(limit - estimate);
  const needed = gap > 0 ? Math.ceil(rounds * (half / gap) ** 2) : null;
  const decidingBudget = towardsPass ? worse(high) : null;
  return {
    code: 'inconclusive',
    metric,
    text:
      `Inconclusive after ${rounds} rounds: the interval straddles the ${percent(budget.limit)} budget. ` +
      (decidingBudget ? `A budget of ${decidingBudget.replace('+', '')} would have passed it; ` : '') +
      (needed
        ? `about ${needed} rounds would likely decide it at this noise (max-rounds).`
        : 'the estimate sits on the budget.'),
  };
}

/**
 * Mid-run note: at this noise even an unchanged metric is unlikely to be shown within budget by
 * max-rounds. Projects the pass-side half-width to the last look (∝ z/√rounds).
 */
export function tooNoisy(
  metric: MetricId,
  budget: BudgetRule,
  estimate: number,
  high: number,
  limit: number,
  rounds: number,
  maxRounds: number,
  tail: number,
  alpha: number,
): Warning | null {
  if (budget.kind !== 'relative' || !Number.isFinite(high) || !Number.isFinite(limit) || limit <= 0) return null;
  const half = high - estimate;
  const zNow = normalQuantileUpperSafe(tail);
  const zLast = normalQuantileUpperSafe(alpha);
  const halfAtMax = half * (zLast / zNow) * Math.sqrt(rounds / maxRounds);
  if (halfAtMax <= limit) return null;
  const needed = Math.ceil(maxRounds * (halfAtMax / limit) ** 2);
  return {
    code: 'too-noisy',
    metric,
    text:
      `Noisy for a ${percent(budget.limit)} budget: by max-rounds (${maxRounds}) the interval will still be about ±${percent(Math.expm1(halfAtMax))} wide, ` +
      `so even an unchanged metric may end inconclusive; about ${needed} rounds, a budget near ${percent(Math.expm1(halfAtMax))}, or less noise (longer samples, a quieter runner) would decide it.`,
  };
}

function normalQuantileUpperSafe(q: number): number {
  return normalQuantileUpper(Math.min(0.49, Math.max(1e-300, q)));
}
