/**
 * The decision procedure: a group-sequential, multiplicity-corrected comparison of head against base.
 *
 * Per gated metric with a relative budget, on log values (θ = location shift of log(head) − log(base)):
 * - estimate θ by Hodges–Lehmann and report exp(θ) − 1 with the Mann–Whitney-inverted interval;
 * - test H0 "head is not worse" (θ_w ≤ 0, or with `strict` θ_w ≤ budget) by the one-sided Mann–Whitney
 *   test at each look, against the nominal level of an O'Brien–Fleming-type (Lan–DeMets) boundary;
 * - share the family-wise level across metrics by a group-sequential Holm procedure (see `holmLevels`);
 * - stop a metric early when it is significant, or when its interval's worse end is inside the budget
 *   (non-binding futility), or when its noise makes the budget undetectable.
 * θ_w is θ oriented so that positive means worse: θ for lower-is-better metrics, −θ for higher-is-better.
 *
 * Intervals: `change` is the two-sided 1 − α interval (95 % for α = 0.05; its level is in
 * `change.confidence`); its worse end decides `within-budget`. The interval at the level of the regression
 * test at that look (a repeated confidence interval, two-sided 1 − 2·alphaUsed) is in `testInterval`.
 * `pValue` ≤ `alphaUsed` ⇔ significantly worse; `pAdjusted` (plain Holm/BH over the current look) is
 * informational only.
 *
 * Assumptions (used where noted below): rounds are independent replicates with base and head run in
 * random order within a round; under "no change" base and head samples are exchangeable; the metrics and
 * their budgets are known from the first look on.
 *
 * Pure: data in, data out. No I/O.
 */
import type {
  BudgetRule,
  Change,
  Direction,
  MetricId,
  MetricResult,
  MetricSamples,
  Outcome,
  Warning,
  WarningCode,
} from './model';
import { groupSequentialBoundaries, obrienFlemingSpending } from './stats/group-sequential';
import { hodgesLehmannInterval, hodgesLehmannIntervalForTail, type ShiftInterval } from './stats/hodges-lehmann';
import { kendallTrend } from './stats/kendall';
import { mannWhitneyMinP, mannWhitneyU, rankWithTies } from './stats/mann-whitney';
import { medianBounds } from './stats/median-interval';
import { benjaminiHochbergAdjust, holmAdjust } from './stats/multiplicity';
import { normalQuantileUpper } from './stats/normal';
import { median, robustScale } from './stats/quantiles';

export interface GateOptions {
  /** Family-wise significance level, e.g. 0.05 (one-sided: the false-fail rate under no change). */
  alpha: number;
  /** Multiplicity correction across gated metrics. */
  correction: 'holm' | 'bh';
  /** Fail only when the interval's better end is beyond the budget (a test of the budget-shifted null). */
  strict: boolean;
  /** First look (default 10). */
  minRounds: number;
  /** Last planned look (default 50). */
  maxRounds: number;
}

export const DEFAULT_GATE_OPTIONS: GateOptions = {
  alpha: 0.05,
  correction: 'holm',
  strict: false,
  minRounds: 10,
  maxRounds: 50,
};

/** Most planned looks (3–5 looks capture most of the savings of sequential sampling). */
const MAX_LOOKS = 5;
/** Power at which the minimum detectable effect is computed for the noise gate. */
const NOISE_GATE_POWER = 0.8;
/** Asymptotic relative efficiency correction of Mann–Whitney/HL against the t-test under normality: √(π/3). */
const ARE_FACTOR = Math.sqrt(Math.PI / 3);
/** Per-side sample count below which noise, outliers and drift are not assessed. */
const MIN_DIAGNOSTIC_SAMPLES = 5;
/** Drift warning threshold for the Kendall trend test (per side). */
const DRIFT_P = 0.01;

/**
 * Cumulative rounds of each planned look, last = maxRounds: the first look at minRounds, then equally
 * spaced up to maxRounds, with at most 5 looks and at least minRounds between the first two.
 */
export function planLooks(minRounds: number, maxRounds: number): number[] {
  if (!Number.isInteger(minRounds) || minRounds < 1) {
    throw new RangeError(`min-rounds: expected a whole number ≥ 1, got ${minRounds}`);
  }
  if (!Number.isInteger(maxRounds) || maxRounds < minRounds) {
    throw new RangeError(`max-rounds: expected a whole number ≥ min-rounds (${minRounds}), got ${maxRounds}`);
  }
  if (maxRounds === minRounds) return [maxRounds];
  const count = Math.min(MAX_LOOKS, Math.max(2, Math.floor(maxRounds / minRounds)));
  const looks: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = Math.round(minRounds + ((maxRounds - minRounds) * i) / (count - 1));
    if (looks.length === 0 || r > looks[looks.length - 1]) looks.push(r);
  }
  return looks;
}

/**
 * A metric result with one optional field added by the engine (not part of the shared contract).
 */
export interface GateMetricResult extends MetricResult {
  /**
   * The repeated confidence interval at the level of the regression test at this look (two-sided
   * 1 − 2·alphaUsed; Jennison & Turnbull 2000, ch. 9): for non-strict gates, head is significantly worse
   * ⇔ its better end is above 0 (below 0 for higher-is-better). `change` itself is the fixed 1 − α interval
   * whose worse end decides `within-budget`. Absent for metrics without a relative budget.
   */
  testInterval?: Change;
}

export interface LookResult {
  /** One per metric seen so far (see model.ts); the outcome is provisional until decided. */
  results: GateMetricResult[];
  /** Gated metrics that still need samples. */
  undecided: MetricId[];
  /** True when every gated metric is decided (or this was the final look). */
  done: boolean;
  /** Geometric-mean change over gated ratio metrics, with an interval (informational). */
  geomean: Change | null;
  /**
   * Suite-level warnings so far (addition to the contract; cumulative over looks), e.g. a first look too
   * small for the number of gated metrics.
   */
  warnings: Warning[];
}

/** What one look computed for a relatively budgeted metric, on the analysis scale. */
interface Analysis {
  scale: 'log' | 'linear';
  direction: Direction;
  baseMedian: number;
  headMedian: number;
  change: Change | null;
  /** HL estimate oriented so that positive is worse. */
  estimateW: number;
  /** Worse end of the reported interval, oriented so that positive is worse. */
  worseEndW: number;
  /** Better end of the reported interval, oriented so that positive is worse. */
  betterEndW: number;
  /** The budget on the same oriented scale (Infinity: can never be exceeded). */
  budgetW: number;
  /** One-sided Mann–Whitney p for the regression null (budget-shifted with `strict`). */
  pWorse: number;
  /** One-sided Mann–Whitney p for "head better". */
  pBetter: number;
  /** Robust SD of the pooled within-side residuals (analysis scale), when there are enough samples. */
  noiseSd: number | null;
  warnings: Warning[];
  /** Samples on the analysis scale (log or linear). */
  xb: number[];
  xh: number[];
}

interface MetricState {
  order: number;
  decided: boolean;
  /** H0 of the regression test rejected at some look (sticks: closed testing). */
  rejected: boolean;
  lastP: number | null;
  /** Sequential level and adjusted p at the look where the regression null was rejected. */
  rejectedAt: { level: number; adjusted: number | null } | null;
  result: GateMetricResult;
  gatedRelative: boolean;
}

function pct(x: number): string {
  const v = x * 100;
  const digits = Math.abs(v) >= 10 ? 1 : 2;
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)} %`;
}

function plainPct(x: number): string {
  const v = Math.abs(x * 100);
  return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)} %`;
}

function fmtP(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

function note(code: WarningCode, metric: MetricId | undefined, text: string): Warning {
  return metric === undefined ? { code, text } : { code, metric, text };
}

/** Orientation: +1 when larger is worse (lower-is-better metrics), −1 otherwise. */
function worseSign(direction: Direction): 1 | -1 {
  return direction === 'lower' ? 1 : -1;
}

export class SequentialGate {
  readonly looks: number[];
  private readonly options: GateOptions;
  private readonly budgetFor: (metric: MetricSamples) => BudgetRule;
  /** Rounds at each look actually analysed. */
  private readonly history: number[] = [];
  private readonly states = new Map<MetricId, MetricState>();
  private readonly suiteWarnings: Warning[] = [];
  private finished = false;

  constructor(options: GateOptions, budgetFor: (metric: MetricSamples) => BudgetRule) {
    if (!(options.alpha > 0 && options.alpha < 0.5)) {
      throw new RangeError(`alpha: expected a level in (0, 0.5), got ${options.alpha}`);
    }
    if (options.correction !== 'holm' && options.correction !== 'bh') {
      throw new RangeError(`correction: expected "holm" or "bh", got ${String(options.correction)}`);
    }
    this.options = { ...options };
    this.budgetFor = budgetFor;
    this.looks = planLooks(options.minRounds, options.maxRounds);
  }

  /** Two-sided level of every reported interval: 1 − α (its worse end decides `within-budget`). */
  get reportConfidence(): number {
    return 1 - this.options.alpha;
  }

  /**
   * Analyse the samples after `rounds` completed rounds. `final` = limits reached (max-rounds or
   * max-time, possibly at an unplanned round count: spend all remaining alpha). Decisions made at earlier
   * looks stick (a metric decided at look k keeps the result computed at look k).
   * `rounds` must grow from look to look; the one exception is a final look at the same round count as
   * the previous (non-final) look, which redoes that look as the final one.
   */
  look(metrics: MetricSamples[], rounds: number, final: boolean): LookResult {
    if (this.finished) throw new Error('SequentialGate.look: the final look was already taken');
    let previous = this.history.length > 0 ? this.history[this.history.length - 1] : 0;
    if (final && rounds === previous && previous > 0) {
      // Limits reached right after a look: redo that look as the final one (spending all remaining alpha on
      // the same data). Valid: a test at the larger final level rejects whenever the earlier one did.
      this.history.pop();
      previous = this.history.length > 0 ? this.history[this.history.length - 1] : 0;
    }
    if (!Number.isInteger(rounds) || rounds <= previous) {
      throw new RangeError(
        `SequentialGate.look: rounds must be a whole number above the previous look (${previous}), got ${rounds}`,
      );
    }
    const { alpha, maxRounds } = this.options;
    const isFinal = final || rounds >= maxRounds;
    this.history.push(rounds);
    const lookIndex = this.history.length; // 1-based
    // Information fraction = rounds / planned maximum (Lan–DeMets). Assumption: the information of
    // Mann–Whitney grows linearly in the number of rounds (equal allocation, as samples come in pairs).
    const fractions = this.history.map((r) => Math.min(1, r / maxRounds));
    const nominalAt = (level: number): number =>
      groupSequentialBoundaries(level, fractions, { spendAllAtLast: isFinal }).nominal[fractions.length - 1];

    // Register metrics and the gated family (relative budgets, both sides present).
    for (const m of metrics) {
      if (!this.states.has(m.id)) {
        const budget = this.budgetFor(m);
        this.states.set(m.id, {
          order: this.states.size,
          decided: false,
          rejected: false,
          lastP: null,
          rejectedAt: null,
          result: this.emptyResult(m, budget),
          gatedRelative: budget.kind === 'relative',
        });
      }
    }
    if (lookIndex === 1) this.checkFirstLook();

    const family = [...this.states.values()].filter((s) => s.gatedRelative);
    const r = family.filter((s) => !s.rejected).length;

    const active: { m: MetricSamples; state: MetricState; a: Analysis; budget: BudgetRule & { kind: 'relative' } }[] =
      [];
    for (const m of metrics) {
      const state = this.states.get(m.id)!;
      if (state.decided) continue;
      const budget = this.budgetFor(m);
      const stop = `at look ${lookIndex} (${rounds} rounds)`;
      if (m.base.length === 0 || m.head.length === 0) {
        state.result = this.oneSided(m, budget, rounds);
        state.gatedRelative = false;
        continue;
      }
      if (budget.kind === 'off') {
        state.result = this.ungated(m, budget, rounds);
        continue;
      }
      if (budget.kind === 'absolute') {
        state.result = this.absolute(m, budget, rounds, nominalAt(alpha), isFinal, stop, state);
        continue;
      }
      const a = this.analyse(m, budget);
      if (a === null) {
        state.result = this.tooFew(m, budget, rounds, isFinal);
        if (isFinal) state.decided = true;
        continue;
      }
      active.push({ m, state, a, budget });
    }

    // Group-sequential Holm (or BH) across the not-yet-rejected gated metrics.
    //
    // Argument (Holm 1979 closed testing; Maurer & Bretz 2013 for group-sequential tests): for any set J of
    // true nulls, the intersection test "some i ∈ J crosses its level-α/|J| group-sequential boundary at
    // some look" has size ≤ Σ_{i∈J} α/|J| = α by the union bound, whatever the dependence between metrics,
    // because each marginal boundary sequence has size α/|J| over all looks (non-binding futility only
    // removes chances to cross). At look k with r metrics not rejected, step j tests the j-th smallest p
    // against the nominal level for α/(r − j + 1). Every J containing that metric and no metric rejected
    // earlier has |J| ≤ r − j + 1, hence a level at least as large (the nominal level increases with α),
    // so J is rejected too; J containing an earlier rejection was rejected then. So each rejection is a
    // closed-testing rejection and the family-wise false-fail rate is ≤ α over all looks.
    // Metrics stopped earlier (within budget, too noisy, improvement) stay in r with no new data (p = 1):
    // recycling their alpha would need binding futility. Their hypotheses are never dropped.
    const candidates = active.filter((x) => !x.state.rejected).sort((x, y) => x.a.pWorse - y.a.pWorse);
    const levels = candidates.map((_, j) =>
      this.options.correction === 'holm'
        ? nominalAt(alpha / (r - j))
        : // Benjamini–Hochberg analogue: step j at level α·j/r (step-up). Controls FDR under independence;
          // under the global null it coincides with family-wise control (FDR = FWER).
          nominalAt((alpha * (j + 1)) / r),
    );
    let rejectCount = 0;
    if (this.options.correction === 'holm') {
      while (rejectCount < candidates.length && candidates[rejectCount].a.pWorse <= levels[rejectCount]) rejectCount++;
    } else {
      for (let j = candidates.length - 1; j >= 0; j--) {
        if (candidates[j].a.pWorse <= levels[j]) {
          rejectCount = j + 1;
          break;
        }
      }
    }
    const alphaUsed = new Map<MetricState, number>();
    candidates.forEach((c, j) => {
      alphaUsed.set(c.state, levels[j]);
      if (j < rejectCount) c.state.rejected = true;
    });
    for (const x of active) {
      if (x.state.rejected && !alphaUsed.has(x.state) && x.state.rejectedAt) {
        alphaUsed.set(x.state, x.state.rejectedAt.level);
      }
    }

    // Adjusted p-values (informational: the decision uses the sequential levels in alphaUsed).
    const adjustPool = family
      .filter((s) => !s.rejected || candidates.some((c) => c.state === s))
      .map((s) => {
        const act = active.find((x) => x.state === s);
        return { s, p: act ? act.a.pWorse : (s.lastP ?? 1) };
      });
    const adjusted = (this.options.correction === 'holm' ? holmAdjust : benjaminiHochbergAdjust)(
      adjustPool.map((x) => x.p),
    );
    const adjustedOf = new Map<MetricState, number>();
    adjustPool.forEach((x, i) => {
      adjustedOf.set(x.s, adjusted[i]);
    });
    candidates.slice(0, rejectCount).forEach((c, j) => {
      c.state.rejectedAt = { level: levels[j], adjusted: adjustedOf.get(c.state) ?? null };
    });
    for (const x of active) {
      if (x.state.rejectedAt && !adjustedOf.has(x.state)) adjustedOf.set(x.state, x.state.rejectedAt.adjusted ?? 1);
    }

    // Level for improvements: the first Holm step (Bonferroni over the r not-yet-rejected metrics).
    const improvementLevel = r > 0 ? nominalAt(alpha / r) : nominalAt(alpha);
    const improvementStopLevel = groupSequentialBoundaries(r > 0 ? alpha / r : alpha, fractions, {
      spendAllAtLast: true,
    }).nominal[fractions.length - 1];
    const plannedFinalLevel =
      r > 0
        ? groupSequentialBoundaries(
            alpha / r,
            this.looks.map((l) => l / maxRounds),
          ).nominal[this.looks.length - 1]
        : alpha;

    for (const { m, state, a, budget } of active) {
      state.lastP = a.pWorse;
      const stop = `at look ${lookIndex} (${rounds} rounds)`;
      const warnings = [...a.warnings];
      const beyond = a.estimateW > a.budgetW;
      const level = alphaUsed.get(state) ?? null;
      const noise = this.noiseGate(a, budget, plannedFinalLevel);
      let outcome: Outcome = 'unchanged';
      let stopReason = `undecided ${stop}`;
      let decided = false;
      if (state.rejected && (this.options.strict || beyond)) {
        outcome = 'regression';
        stopReason = `significant ${stop}`;
        decided = true;
      } else if (a.estimateW < 0 && a.pBetter <= improvementLevel) {
        outcome = 'improvement';
        stopReason = `significant ${stop}`;
        decided = true;
      } else if (a.worseEndW < a.budgetW) {
        decided = true;
        // Sampling of this metric stops here, so this is its last analysis: the improvement label may spend
        // all its remaining alpha now. Improvements never fail the gate; the stopping time depends on the data,
        // so this label is a descriptive aid outside the family-wise guarantee (which covers false fails).
        if (a.estimateW < 0 && a.pBetter <= improvementStopLevel) {
          outcome = 'improvement';
          stopReason = `significant ${stop}`;
        } else {
          outcome = 'within-budget';
          stopReason = `within budget ${stop}`;
        }
      } else if (noise.tooNoisy && !beyond) {
        outcome = 'too-noisy';
        stopReason = `too noisy for the budget ${stop}`;
        decided = true;
      } else if (isFinal) {
        decided = true;
        stopReason = rounds >= maxRounds ? 'max rounds reached' : `time limit reached (${rounds} rounds)`;
        if (beyond) outcome = noise.tooNoisy ? 'too-noisy' : 'inconclusive';
        else outcome = 'unchanged';
      }
      // The noise warning explains a too-noisy outcome or a still-open metric; a decided metric does not need it.
      if (noise.warning && (outcome === 'too-noisy' || !decided)) warnings.push(note('too-noisy', m.id, noise.warning));
      if (state.rejected && !this.options.strict && !beyond && (decided || isFinal)) {
        warnings.push(
          note(
            'within-budget-significant',
            m.id,
            `Head is significantly worse (${pct(a.change?.estimate ?? 0)}) but the estimate is within the budget of ${plainPct(budget.limit)}; it does not fail the gate.`,
          ),
        );
      }
      state.decided = decided;
      state.result = {
        ...this.base(m, budget),
        baseMedian: a.baseMedian,
        headMedian: a.headMedian,
        change: a.change,
        pValue: a.pWorse,
        pAdjusted: adjustedOf.get(state) ?? null,
        alphaUsed: level,
        outcome,
        rounds,
        stopReason,
        warnings,
      };
      const testInterval = level !== null && level > 0 && level < 0.5 ? this.changeAtTail(a, level) : null;
      if (testInterval) state.result.testInterval = testInterval;
    }

    if (isFinal) this.finished = true;
    const results = [...this.states.values()].sort((x, y) => x.order - y.order).map((s) => s.result);
    const undecided = [...this.states.entries()]
      .filter(([, s]) => !s.decided && isGatedOutcomeOpen(s.result))
      .map(([id]) => id);
    return {
      results,
      undecided: isFinal ? [] : undecided,
      done: isFinal || undecided.length === 0,
      geomean: geomeanChange(results),
      warnings: [...this.suiteWarnings],
    };
  }

  /** Warn when the smallest attainable exact p at the first look cannot pass the first Holm step. */
  private checkFirstLook(): void {
    const gated = [...this.states.values()].filter((s) => s.gatedRelative).length;
    if (gated === 0) return;
    const { alpha, maxRounds } = this.options;
    const first = this.looks[0];
    const levelAt = (n: number) => obrienFlemingSpending(alpha / gated, Math.min(1, n / maxRounds));
    if (mannWhitneyMinP(first, first) <= levelAt(first)) return;
    let needed = first;
    while (needed < 1000 && mannWhitneyMinP(needed, needed) > levelAt(needed)) needed++;
    // With O'Brien–Fleming spending the first look is mostly a futility look ("within budget")
    // by design; that is only worth a warning when the second look cannot reject either.
    if (this.looks.length > 1 && needed <= this.looks[1]) return;
    const remedy =
      needed > maxRounds
        ? `raise max-rounds to at least ${needed} (and min-rounds with it), or gate fewer metrics`
        : `set min-rounds to ${needed} to make the first look count`;
    this.suiteWarnings.push(
      note(
        'first-look',
        undefined,
        `With ${gated} gated metric${gated === 1 ? '' : 's'}, the first look (${first} rounds) cannot declare a regression: ` +
          `the smallest attainable p-value (${fmtP(mannWhitneyMinP(first, first))}) is above its sequential Holm level ` +
          `(${fmtP(levelAt(first))}). Regressions become detectable from about ${needed} rounds; ${remedy}.`,
      ),
    );
  }

  private base(m: MetricSamples, budget: BudgetRule) {
    const { base, head, ...facts } = m;
    return { ...facts, base: [...base], head: [...head], budget };
  }

  private emptyResult(m: MetricSamples, budget: BudgetRule): MetricResult {
    return {
      ...this.base(m, budget),
      baseMedian: null,
      headMedian: null,
      change: null,
      pValue: null,
      pAdjusted: null,
      alphaUsed: null,
      outcome: 'unchanged',
      rounds: 0,
      stopReason: 'not analysed yet',
      warnings: [],
    };
  }

  private oneSided(m: MetricSamples, budget: BudgetRule, rounds: number): MetricResult {
    const added = m.base.length === 0 && m.head.length > 0;
    const removed = m.head.length === 0 && m.base.length > 0;
    return {
      ...this.emptyResult(m, budget),
      baseMedian: m.base.length > 0 ? median(m.base) : null,
      headMedian: m.head.length > 0 ? median(m.head) : null,
      outcome: added ? 'added' : removed ? 'removed' : 'unchanged',
      rounds,
      stopReason: added ? 'only measured on head' : removed ? 'only measured on base' : 'no samples',
      warnings:
        added || removed
          ? []
          : [note('no-samples', m.id, 'No samples on either side; check that the suite produces this metric.')],
    };
  }

  private tooFew(m: MetricSamples, budget: BudgetRule, rounds: number, isFinal: boolean): MetricResult {
    const allZero = m.base.every((v) => v === 0) && m.head.every((v) => v === 0);
    return {
      ...this.emptyResult(m, budget),
      baseMedian: median(m.base),
      headMedian: median(m.head),
      outcome: 'unchanged',
      rounds,
      stopReason: allZero ? 'all values are zero' : isFinal ? 'too few samples' : 'undecided: too few samples',
      warnings: allZero
        ? []
        : [
            note(
              'too-few-samples',
              m.id,
              `Only ${m.base.length} base and ${m.head.length} head samples: at least 2 per side are needed to compare; run more rounds.`,
            ),
          ],
    };
  }

  private ungated(m: MetricSamples, budget: BudgetRule, rounds: number): MetricResult {
    const a = this.analyse(m, { kind: 'relative', limit: 0, source: budget.source });
    return {
      ...this.emptyResult(m, budget),
      baseMedian: median(m.base),
      headMedian: median(m.head),
      change: a?.change ?? null,
      pValue: a ? mannWhitneyWorseP(m, 0, a.scale) : null,
      outcome: 'ungated',
      rounds,
      stopReason: 'budget off',
      warnings: a?.warnings ?? [],
    };
  }

  /**
   * Absolute rule: a bound on the head median. Early `breach` when the one-sided median bound on the
   * better side still breaks the rule at the sequential level `level` (one metric, O'Brien–Fleming spending
   * over looks; absolute rules are not part of the Holm family). Early pass when the worse-side bound
   * (tail α/2, as the reported intervals) keeps it. At the final look the point median decides.
   * Assumption: head samples are i.i.d. (order-statistic interval for a median).
   */
  private absolute(
    m: MetricSamples,
    budget: BudgetRule & { kind: 'absolute' },
    rounds: number,
    level: number,
    isFinal: boolean,
    stop: string,
    state: MetricState,
  ): MetricResult {
    const headMedian = median(m.head);
    const ok = (v: number) =>
      budget.op === '<'
        ? v < budget.bound
        : budget.op === '<='
          ? v <= budget.bound
          : budget.op === '>'
            ? v > budget.bound
            : v >= budget.bound;
    const upperIsWorse = budget.op === '<' || budget.op === '<=';
    const strictBounds = medianBounds(m.head, level);
    const passBounds = medianBounds(m.head, this.options.alpha / 2);
    const betterEnd = upperIsWorse ? strictBounds.lower : strictBounds.upper;
    const worseEnd = upperIsWorse ? passBounds.upper : passBounds.lower;
    const a = this.analyse(m, { kind: 'relative', limit: 0, source: budget.source });
    let outcome: Outcome = 'unchanged';
    let stopReason = `undecided ${stop}`;
    let decided = false;
    if (Number.isFinite(betterEnd) && !ok(betterEnd)) {
      outcome = 'breach';
      stopReason = `bound broken ${stop}`;
      decided = true;
    } else if (Number.isFinite(worseEnd) && ok(worseEnd)) {
      outcome = 'within-budget';
      stopReason = `within bound ${stop}`;
      decided = true;
    } else if (isFinal) {
      decided = true;
      outcome = ok(headMedian) ? 'unchanged' : 'breach';
      stopReason =
        (rounds >= this.options.maxRounds ? 'max rounds reached' : `time limit reached (${rounds} rounds)`) +
        (ok(headMedian) ? '' : ': head median breaks the bound');
    }
    state.decided = decided;
    return {
      ...this.emptyResult(m, budget),
      baseMedian: median(m.base),
      headMedian,
      change: a?.change ?? null,
      pValue: a ? mannWhitneyWorseP(m, 0, a.scale) : null,
      alphaUsed: level,
      outcome,
      rounds,
      stopReason,
      warnings: a?.warnings ?? [],
    };
  }

  /** The change with its interval at another level, given as the error of each side. */
  private changeAtTail(a: Analysis, tail: number): Change | null {
    return toChange(hodgesLehmannIntervalForTail(a.xb, a.xh, tail), a.scale, a.baseMedian);
  }

  /**
   * Noise gate: minimum detectable effect at max-rounds, MDE = (z_{1−a} + z_{power})·σ·√(2/N)·√(π/3), with
   * σ the robust SD of the pooled residuals, a the planned final nominal level of the first Holm step and
   * √(π/3) the Mann–Whitney efficiency loss under normality (research notes §11.10). Assumption: the noise
   * is roughly constant over the run, and σ from the current samples is representative.
   */
  private noiseGate(
    a: Analysis,
    budget: BudgetRule & { kind: 'relative' },
    finalLevel: number,
  ): { tooNoisy: boolean; warning: string | null } {
    if (a.noiseSd === null || !(a.budgetW > 0) || !Number.isFinite(a.budgetW))
      return { tooNoisy: false, warning: null };
    const { maxRounds } = this.options;
    const zSum = normalQuantileUpper(finalLevel) + normalQuantileUpper(1 - NOISE_GATE_POWER);
    const spread = zSum * a.noiseSd * ARE_FACTOR;
    const mdeW = spread * Math.sqrt(2 / maxRounds);
    if (mdeW <= a.budgetW) return { tooNoisy: false, warning: null };
    const needed = Math.ceil(2 * (spread / a.budgetW) ** 2);
    // The detectable worsening as a fraction, in the metric's own direction.
    const relDetectable =
      a.scale === 'linear'
        ? mdeW / Math.abs(a.baseMedian || 1)
        : budgetDirection(a) === 'lower'
          ? Math.expm1(mdeW)
          : -Math.expm1(-mdeW);
    const noiseText =
      a.scale === 'log' ? `robust CV ≈ ${plainPct(a.noiseSd)}` : `robust SD ≈ ${a.noiseSd.toPrecision(3)}`;
    return {
      tooNoisy: true,
      warning:
        `Too noisy for a ${plainPct(budget.limit)} budget: with ${noiseText}, about ${plainPct(relDetectable)} is detectable ` +
        `within max-rounds ${maxRounds} (${Math.round(NOISE_GATE_POWER * 100)} % power); ${plainPct(budget.limit)} would need about ` +
        `${needed} rounds. Raise max-rounds, widen the budget, or reduce noise (longer samples, a quieter runner).`,
    };
  }

  /**
   * Per-metric statistics at this look; null when there are too few samples to compare (< 2 per side)
   * or all values are zero on both sides.
   */
  private analyse(m: MetricSamples, budget: BudgetRule & { kind: 'relative' }): Analysis | null {
    if (m.base.length < 2 || m.head.length < 2) return null;
    const all = [...m.base, ...m.head];
    if (all.every((v) => v === 0)) return null;
    const warnings: Warning[] = [];
    const s = worseSign(m.direction);
    const logScale = all.every((v) => v > 0);
    const baseMedian = median(m.base);
    const headMedian = median(m.head);
    let xb: number[];
    let xh: number[];
    let budgetW: number;
    if (logScale) {
      xb = m.base.map(Math.log);
      xh = m.head.map(Math.log);
      budgetW =
        s === 1 ? Math.log1p(budget.limit) : budget.limit >= 1 ? Number.POSITIVE_INFINITY : -Math.log1p(-budget.limit);
    } else {
      xb = [...m.base];
      xh = [...m.head];
      // Linear fallback: the shift relative to the base median (treated as known).
      budgetW = budget.limit * Math.abs(baseMedian);
      warnings.push(
        note(
          'linear-scale',
          m.id,
          'Some values are ≤ 0 and cannot be logged: the change is computed on the linear scale (a shift relative to the base median).',
        ),
      );
    }
    const hl = hodgesLehmannInterval(xb, xh, this.reportConfidence);
    const change = toChange(hl, logScale ? 'log' : 'linear', baseMedian);
    if (change === null) {
      warnings.push(
        note('zero-base', m.id, 'The base median is 0, so a relative change is undefined; only the test decides.'),
      );
    }
    if (!hl.attained) {
      warnings.push(
        note(
          'interval-level',
          m.id,
          `Too few samples for a ${plainPct(this.reportConfidence)} interval (${m.base.length} base, ${m.head.length} head); ` +
            `the interval shown covers only ${plainPct(hl.confidence)}. Run more rounds.`,
        ),
      );
    }
    const estimateW = s * hl.estimate;
    const worseEndW = s === 1 ? hl.high : -hl.low;
    const betterEndW = s === 1 ? hl.low : -hl.high;
    const shift = this.options.strict ? budgetW : 0;
    const pWorse = Number.isFinite(shift)
      ? mannWhitneyU(
          xh.map((v) => s * v - shift),
          xb.map((v) => s * v),
        ).pGreater
      : 1;
    const pBetter = mannWhitneyU(
      xh.map((v) => s * v),
      xb.map((v) => s * v),
    ).pLess;

    // Diagnostics (warnings are data).
    const { tieSizes } = rankWithTies(all);
    const tied = tieSizes.reduce((acc, t) => acc + t, 0);
    if (tied / all.length > 0.5) {
      warnings.push(
        note(
          'resolution',
          m.id,
          `${Math.round((100 * tied) / all.length)} % of the values are tied: the measurement resolution may be too coarse for this metric; ` +
            'p-values use the tie-corrected normal approximation.',
        ),
      );
    }
    let noiseSd: number | null = null;
    if (m.base.length >= MIN_DIAGNOSTIC_SAMPLES && m.head.length >= MIN_DIAGNOSTIC_SAMPLES) {
      const mb = median(xb);
      const mh = median(xh);
      noiseSd = robustScale([...xb.map((v) => v - mb), ...xh.map((v) => v - mh)]);
      for (const [side, values, med] of [
        ['base', xb, mb],
        ['head', xh, mh],
      ] as const) {
        const sd = noiseSd;
        if (sd > 0) {
          const outliers = values.filter((v) => Math.abs(v - med) > 3 * sd).length;
          if (outliers > 0) {
            warnings.push(
              note(
                'outliers',
                m.id,
                `${outliers} of ${values.length} ${side} samples lie more than 3 robust SD from the median (kept: rank statistics are robust to them); check for interference during the run.`,
              ),
            );
          }
        }
        if (values.length >= 8) {
          const trend = kendallTrend(values);
          if (trend.p < DRIFT_P) {
            warnings.push(
              note(
                'drift',
                m.id,
                `The ${side} samples drift over the rounds (Kendall τ = ${trend.tau.toFixed(2)}, p = ${fmtP(trend.p)}): the machine changed state during the run. ` +
                  'Interleaving keeps the comparison fair, but consider a longer warm-up or a quieter runner.',
              ),
            );
          }
        }
      }
    }
    return {
      scale: logScale ? 'log' : 'linear',
      direction: m.direction,
      baseMedian,
      headMedian,
      change,
      estimateW,
      worseEndW,
      betterEndW,
      budgetW,
      pWorse,
      pBetter,
      noiseSd,
      warnings,
      xb,
      xh,
    };
  }
}

/** An HL shift interval on the analysis scale as a change of head/base − 1 (null: base median 0 on a linear scale). */
function toChange(hl: ShiftInterval, scale: 'log' | 'linear', baseMedian: number): Change | null {
  if (scale === 'log') {
    return {
      estimate: Math.expm1(hl.estimate),
      low: Math.expm1(hl.low),
      high: Math.expm1(hl.high),
      confidence: hl.confidence,
    };
  }
  if (baseMedian === 0) return null;
  const d = Math.abs(baseMedian);
  return { estimate: hl.estimate / d, low: hl.low / d, high: hl.high / d, confidence: hl.confidence };
}

function budgetDirection(a: Analysis): Direction {
  return a.direction;
}

function mannWhitneyWorseP(m: MetricSamples, shift: number, scale: 'log' | 'linear'): number {
  const s = worseSign(m.direction);
  const f = scale === 'log' ? Math.log : (v: number) => v;
  return mannWhitneyU(
    m.head.map((v) => s * f(v) - shift),
    m.base.map((v) => s * f(v)),
  ).pGreater;
}

/** A result still open for a gated metric (relative or absolute budget, both sides present). */
function isGatedOutcomeOpen(r: MetricResult): boolean {
  if (r.budget.kind === 'off') return false;
  return r.outcome !== 'added' && r.outcome !== 'removed' && r.stopReason !== 'all values are zero';
}

/**
 * Geometric mean of head/base over gated ratio metrics (relative budgets, log scale) with a 95 % interval:
 * the mean of the log estimates ± 1.96·√(Σ se²)/k, each se recovered from the metric's reported interval
 * (half-width / z of its level). Assumption: metrics are independent; informational only.
 */
export function geomeanChange(results: readonly MetricResult[]): Change | null {
  const logs: { est: number; se: number }[] = [];
  for (const r of results) {
    if (r.budget.kind !== 'relative' || r.change === null) continue;
    const c = r.change;
    if (!(c.low > -1 && c.estimate > -1 && Number.isFinite(c.high))) continue;
    if (r.warnings.some((w) => w.code === 'linear-scale')) continue;
    const z = normalQuantileUpper((1 - c.confidence) / 2);
    logs.push({ est: Math.log1p(c.estimate), se: (Math.log1p(c.high) - Math.log1p(c.low)) / (2 * z) });
  }
  if (logs.length === 0) return null;
  const k = logs.length;
  const mean = logs.reduce((a, x) => a + x.est, 0) / k;
  const se = Math.sqrt(logs.reduce((a, x) => a + x.se * x.se, 0)) / k;
  const z = normalQuantileUpper(0.025);
  return {
    estimate: Math.expm1(mean),
    low: Math.expm1(mean - z * se),
    high: Math.expm1(mean + z * se),
    confidence: 0.95,
  };
}
