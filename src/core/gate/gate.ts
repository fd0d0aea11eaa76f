/**
 * The decision procedure: a group-sequential comparison of head against base in which **the budget is
 * the null hypothesis**.
 *
 * For every gated metric, at every look, one interval decides and is shown: a repeated confidence
 * interval (Jennison & Turnbull, Group Sequential Methods, 2000, ch. 9) for the change, valid at this look
 * whatever happens at the others:
 * - its lower (better) end is the bound of a one-sided test of "the change is within budget", spent over
 *   the looks by the fail end's function and Holm-corrected across metrics (`design.ts`): a regression;
 * - its upper (worse) end is the bound of a one-sided test of "the change is beyond budget" at level α
 *   for each metric (an intersection–union claim needs no correction across metrics), spent over the
 *   looks by a function chosen for the number of gated metrics: within budget.
 *
 * Verdicts follow from the interval by eye: **regression** ⇔ the whole interval is beyond the budget;
 * **within budget** ⇔ the whole interval is inside it (**improvement** when it is also wholly better than no
 * change); otherwise the metric keeps sampling, and at the limits it is **inconclusive** (a pass with a
 * note). A metric stops early only when it is decided. The chance that a run fails while every gated
 * metric's true change is at or inside its budget is at most α, for any number of looks, metrics and
 * stopping points (the final look at an unplanned round spends all remaining α); the chance that a
 * metric beyond its budget is declared within it is at most α.
 *
 * Metrics without noise (whole-number counts that repeat exactly on each side) are decided by their
 * values as soon as each side has a few samples (`exact.ts`), between looks too, and leave both
 * families: they are not tests.
 *
 * A final look at which a gated metric stayed undecided although its interval could not have excluded
 * the budget at the level it needed (too few rounds for the rank test) is an error, not a pass.
 *
 * Absolute rules (`p99: < 200ms`) are tested the same way on the head's median, in the same families.
 * Soak growth metrics are tested once, when their soak's runs are done, in the same families (`growth.ts`).
 *
 * Assumptions, used where noted: rounds are replicates with base and head in random order within a
 * round, independent or AR(1)-correlated in run order (`shift.ts`); the information of the rank
 * statistics grows linearly with rounds; metrics and budgets are known from the first look on.
 *
 * Pure: data in, data out. No I/O.
 */
import type { BudgetRule, Change, Direction, MetricId, MetricResult, MetricSamples, Outcome, Warning } from '../model';
import { groupSequentialBoundaries, type SpendingFunction } from '../stats/group-sequential';
import { smallestRankSumP } from '../stats/hodges-lehmann';
import { normalQuantileUpper } from '../stats/normal';
import { median } from '../stats/quantiles';
import { type AbsoluteRule, type HeadMedian, headMedian } from './absolute';
import { DESIGN, type Design } from './design';
import { sampleNotes } from './diagnostics';
import { EXACT_MIN_SAMPLES, exactChange, exactVerdict } from './exact';
import { type GrowthSubject, growthResult, growthSubject, soakBudget, ungatedGrowth } from './growth';
import { type HolmStep, holmStepDown } from './holm';
import { informationFraction, planLooks } from './looks';
import { twoModesNote } from './modes';
import * as notes from './notes';
import { comparisonResolution, gridResolution } from './resolution';
import {
  type Analysis,
  type CorrelationHandling,
  type LagOne,
  lagOneOf,
  residualSequences,
  type Shift,
  shiftOf,
} from './shift';

export interface GateOptions {
  /** Family-wise level: the most a run may fail when every change is within its budget. */
  alpha: number;
  /** First look. */
  minRounds: number;
  /** Last planned look. */
  maxRounds: number;
  /** Pair samples by round (default) or compare two independent samples. */
  analysis?: Analysis;
  /** Serial correlation in run order: widen the interval for it (default), or ignore it (the bench compares). */
  serialCorrelation?: CorrelationHandling;
  /** The spending design (default `DESIGN`); the bench compares others. */
  design?: Design;
}

export interface LookResult {
  /** One per metric seen so far, in order of appearance; outcomes are provisional until decided. */
  results: MetricResult[];
  /** Gated metrics that still need samples. */
  undecided: MetricId[];
  /** Metrics decided as a regression or a breach. */
  failed: MetricId[];
  /** True when every gated metric is decided (or this was the final look). */
  done: boolean;
  /**
   * False for a check between planned looks: only metrics without noise could be decided (by their
   * values); the others keep their last look's provisional result.
   */
  planned: boolean;
  /** Geometric mean of the gated relative changes, oriented so that worse is positive (informational). */
  geomean: Change | null;
  /** Notes about the whole comparison. */
  warnings: Warning[];
  /** Gated metrics that could not be compared at the final look (or values that are not numbers): a run with any is not a pass. */
  errors: string[];
}

/** Two-sided level of the descriptive interval shown for ungated metrics (never decides anything). */
const DESCRIPTIVE_TAIL = 0.025;

/** A gated metric's comparison at one look, oriented so that larger is worse. */
type Subject =
  | {
      kind: 'relative';
      shift: Shift;
      /** The budget on the oriented analysis scale. */
      limit: number;
      toChange: (estimate: number, low: number, high: number, confidence: number) => Change | null;
      baseMedian: number;
      headMedian: number;
      notes: Warning[];
    }
  | { kind: 'absolute'; head: HeadMedian; rule: AbsoluteRule; baseMedian: number | null; notes: Warning[] }
  | GrowthSubject;

/** A metric's result that needs no test: informational, decided by its values, or not comparable. */
interface Settled {
  result: MetricResult;
  gated: boolean;
  decided: boolean;
  /** Decided by its values (no test, no α): leaves both families. */
  exact?: boolean;
  error?: string;
}

interface State {
  order: number;
  budget: BudgetRule;
  decided: boolean;
  exact: boolean;
  failRejected: boolean;
  passRejected: boolean;
  gated: boolean;
  /** The pass end's spending, fixed when the metric is first tested. */
  passSpending: SpendingFunction | null;
  /** An error that stays with the metric (values that are not numbers). */
  error: string | null;
  result: MetricResult;
}

/** One end of a tested metric's interval at this look: its one-sided error and whether its test rejected. */
type End = HolmStep;

/** A tested metric's outcome at this look (before "improvement"), and why it stopped or goes on. */
interface Verdict {
  outcome: Outcome;
  stopReason: string;
}

/** A gated metric tested at this look. */
interface Active {
  m: MetricSamples;
  state: State;
  subject: Subject;
}

/** This look's nominal one-sided error for a level-`level` boundary spent by `spending`. */
type Nominal = (spending: SpendingFunction, level: number) => number;

/** +1 when larger values are worse (lower-is-better metrics), −1 otherwise. */
function worseSign(direction: Direction): 1 | -1 {
  return direction === 'lower' ? 1 : -1;
}

export class SequentialGate {
  readonly looks: number[];
  private readonly options: Required<Omit<GateOptions, 'design'>> & { design: Design };
  private readonly budgetFor: (metric: MetricSamples) => BudgetRule;
  private readonly history: number[] = [];
  private readonly states = new Map<MetricId, State>();
  private finished = false;

  constructor(options: GateOptions, budgetFor: (metric: MetricSamples) => BudgetRule) {
    if (!(options.alpha > 0 && options.alpha < 0.5)) {
      throw new RangeError(`alpha: expected a level in (0, 0.5), got ${options.alpha}`);
    }
    this.options = { analysis: 'paired', serialCorrelation: 'widen', design: DESIGN, ...options };
    this.budgetFor = budgetFor;
    this.looks = planLooks(options.minRounds, options.maxRounds);
  }

  /**
   * Analyses the samples after `rounds` completed rounds. At a planned look (or when `final`), every
   * gated metric is tested; between planned looks, only metrics without noise can be decided, by their
   * values (a check that spends no α). `final`: the limits were reached (max-rounds, or max-time at a
   * possibly unplanned round: all remaining α is spent). Decisions stick: a metric decided at look k
   * keeps the result of look k. `rounds` must grow from planned look to planned look, except that a
   * final look may redo the previous look's round count.
   */
  look(metrics: readonly MetricSamples[], rounds: number, final: boolean): LookResult {
    if (this.finished) throw new Error('SequentialGate.look: the final look was already taken');
    const isFinal = final || rounds >= this.options.maxRounds;
    const planned = isFinal || this.looks.includes(rounds);
    for (const m of metrics) this.register(m);

    if (!planned) {
      this.checkBetweenLooks(metrics);
      return this.lookResult(false, false, []);
    }

    this.recordLook(rounds, isFinal);
    const lookIndex = this.history.length;
    const where = `look ${lookIndex} (${rounds} round${rounds === 1 ? '' : 's'})`;
    const nominal = this.boundaries(isFinal);
    const errors: string[] = [];
    const active = this.subjectsAt(metrics, nominal, isFinal, errors);
    const failSteps = this.failEnd(active, nominal);
    for (const a of active) this.decide(a, failSteps.get(a)!, nominal, rounds, where, isFinal, errors);
    if (isFinal) this.finish(rounds, errors);
    return this.lookResult(true, isFinal, errors);
  }

  /** Between planned looks: only metrics without noise can be decided, by their values. */
  private checkBetweenLooks(metrics: readonly MetricSamples[]): void {
    for (const m of metrics) {
      const state = this.states.get(m.id)!;
      if (state.decided) continue;
      // Reported, never gated: described with the samples so far (the run may end at this round).
      if (state.budget.kind === 'off' && m.base.length > 0 && m.head.length > 0) {
        this.settle(state, { result: this.ungated(m, state.budget), gated: false, decided: false });
        continue;
      }
      const settled = this.valuesOnly(m, state.budget, false);
      if (settled) this.settle(state, settled);
    }
  }

  /**
   * Each undecided metric's comparison at this look: the gated metrics to test, with their pass end's
   * spending fixed; informational metrics get their result directly (and their errors at the final look).
   */
  private subjectsAt(
    metrics: readonly MetricSamples[],
    nominal: Nominal,
    isFinal: boolean,
    errors: string[],
  ): Active[] {
    const pooled = this.pooledCorrelation(metrics);
    const active: Active[] = [];
    for (const m of metrics) {
      const state = this.states.get(m.id)!;
      if (state.decided) continue;
      const subject =
        this.valuesOnly(m, state.budget, isFinal) ??
        this.subjectOf(m, state.budget, nominal, isFinal, pooled.get(m.suite) ?? null);
      if ('kind' in subject) {
        active.push({ m, state, subject });
        continue;
      }
      this.settle(state, subject);
      if (isFinal && subject.error) errors.push(subject.error);
    }
    const gatedCount = [...this.states.values()].filter((s) => s.gated && !s.error).length;
    for (const a of active) a.state.passSpending ??= this.options.design.pass(gatedCount);
    return active;
  }

  /**
   * The fail end: Holm across the gated metrics that can still fail. Metrics decided by their values
   * and values that are not numbers are not tests; metrics declared within budget are decided and
   * can no longer fail. Both leave the family (measured in `npm run bench:gate`: mixed suites).
   */
  private failEnd(active: Active[], nominal: Nominal): Map<Active, HolmStep> {
    const { alpha, design } = this.options;
    const family = [...this.states.values()].filter(
      (s) => s.gated && !s.exact && !s.error && !s.failRejected && !s.passRejected,
    );
    return holmStepDown(
      active.map((a) => ({ item: a, p: pBeyond(a.subject) })),
      family.length,
      alpha,
      // A growth subject is tested once, at its full level (a single-look boundary: growth.ts).
      (level, a) => (a.subject.kind === 'growth' ? level : nominal(design.fail, level)),
      (a, tail) => beyondAt(a.subject, tail),
    );
  }

  /** A tested metric's decision at this look, given its fail end's; the pass end is tested here. */
  private decide(
    a: Active,
    fail: End,
    nominal: Nominal,
    rounds: number,
    where: string,
    isFinal: boolean,
    errors: string[],
  ): void {
    const { alpha } = this.options;
    // The pass end: each metric at level α (an intersection–union claim).
    const passTail = a.subject.kind === 'growth' ? alpha : nominal(a.state.passSpending!, alpha);
    const pass = { tail: passTail, rejected: !fail.rejected && withinAt(a.subject, passTail) };
    a.state.failRejected ||= fail.rejected;
    a.state.passRejected ||= pass.rejected;
    a.state.decided = fail.rejected || pass.rejected || isFinal || a.subject.kind === 'growth';
    a.state.result = this.resultOf(a.m, a.state.budget, a.subject, fail, pass, rounds, where, isFinal);
    if (isFinal && !fail.rejected && !pass.rejected && a.subject.kind !== 'growth') {
      const unreachable = outOfReach(a.m.id, a.subject, fail.tail, pass.tail, rounds);
      if (unreachable) errors.push(unreachable);
    }
  }

  /** After the final look: no more looks, and every gated metric is decided (tested or not). */
  private finish(rounds: number, errors: string[]): void {
    this.finished = true;
    if (rounds < this.options.minRounds && [...this.states.values()].some((s) => s.gated && !s.decided))
      errors.push(notes.beforeFirstLook(rounds, this.options.minRounds));
    // Not tested at all: decided by nothing (a metric every look skipped is not a pass).
    for (const s of this.states.values()) if (s.gated && !s.decided) s.decided = true;
  }

  private lookResult(planned: boolean, isFinal: boolean, errors: string[]): LookResult {
    const results = [...this.states.values()].sort((x, y) => x.order - y.order).map((s) => s.result);
    const undecided = isFinal
      ? []
      : [...this.states.entries()].filter(([, s]) => s.gated && !s.decided).map(([id]) => id);
    const stuck = [...this.states.values()].flatMap((s) => (s.error ? [s.error] : []));
    return {
      results,
      undecided,
      failed: results.filter((r) => r.outcome === 'regression' || r.outcome === 'breach').map((r) => r.id),
      done: isFinal || undecided.length === 0,
      planned,
      geomean: geomeanChange(results),
      warnings: [],
      errors: [...stuck, ...errors.filter((e) => !stuck.includes(e))],
    };
  }

  private settle(state: State, settled: Settled): void {
    state.result = settled.result;
    state.gated = settled.gated;
    if (settled.decided) state.decided = true;
    if (settled.exact) state.exact = true;
  }

  /** Appends this look to the history (a final look at the previous look's round count replaces it). */
  private recordLook(rounds: number, isFinal: boolean): void {
    let previous = this.history.at(-1) ?? 0;
    if (isFinal && rounds === previous && previous > 0) {
      // Limits reached right after a look: redo it as the final one, spending all remaining α on the same
      // data. Valid: a test at the larger final level rejects whenever the earlier one did.
      this.history.pop();
      previous = this.history.at(-1) ?? 0;
    }
    if (!Number.isInteger(rounds) || rounds <= previous) {
      throw new RangeError(
        `SequentialGate.look: rounds must be a whole number above the previous look (${previous}), got ${rounds}`,
      );
    }
    this.history.push(rounds);
  }

  /** This look's nominal one-sided error for a level-`level` boundary spent by `spending`. */
  private boundaries(isFinal: boolean): Nominal {
    const fractions = this.history.map((r) => informationFraction(r, this.options.maxRounds));
    return (spending, level) =>
      groupSequentialBoundaries(level, fractions, { spending, spendAllAtLast: isFinal }).nominal[fractions.length - 1];
  }

  private register(m: MetricSamples): void {
    const known = this.states.get(m.id);
    if (!known) {
      const budget = soakBudget(m.soak, this.budgetFor(m), m.unit);
      this.states.set(m.id, {
        order: this.states.size,
        budget,
        decided: false,
        exact: false,
        failRejected: false,
        passRejected: false,
        gated: budget.kind !== 'off',
        passSpending: null,
        error: null,
        result: blank(m, budget),
      });
    }
    const state = this.states.get(m.id)!;
    if (state.error) return;
    const bad = firstNonFinite(m);
    if (bad) {
      state.error = notes.notANumber(m.id, bad.side, bad.index, bad.value);
      state.decided = true;
      state.result = {
        ...blank(m, state.budget),
        outcome: 'inconclusive',
        rounds: Math.min(m.base.length, m.head.length),
        stopReason: 'a value is not a finite number',
      };
    }
  }

  /**
   * A result that needs no test: a metric whose values decide it (identical values on each side of a
   * whole-number count, or every value 0). Null when the values alone do not decide.
   */
  private valuesOnly(m: MetricSamples, budget: BudgetRule, final: boolean): Settled | null {
    if (budget.kind !== 'relative') return null;
    const n = Math.min(m.base.length, m.head.length);
    const minSamples = final ? EXACT_MIN_SAMPLES.final : EXACT_MIN_SAMPLES.interim;
    if (n >= minSamples && [...m.base, ...m.head].every((v) => v === 0)) {
      return {
        result: {
          ...blank(m, budget),
          baseMedian: 0,
          headMedian: 0,
          change: { estimate: 0, low: 0, high: 0, confidence: 1 },
          outcome: 'within-budget',
          rounds: n,
          stopReason: 'every value is 0 on both sides',
        },
        gated: true,
        decided: true,
        exact: true,
      };
    }
    const exact = exactChange(m.base, m.head, m.unit, minSamples);
    if (!exact) return null;
    const outcome = exactVerdict(exact, m.direction, budget.limit);
    if (!outcome) return null;
    const result: MetricResult = {
      ...blank(m, budget),
      baseMedian: exact.base,
      headMedian: exact.head,
      change: { estimate: exact.estimate, low: exact.low, high: exact.high, confidence: 1 },
      outcome,
      rounds: n,
      stopReason: `${outcome === 'regression' ? 'beyond' : 'within'} budget by its values at round ${n} (identical on each side)`,
    };
    result.warnings.push(notes.exactValues(m.id, n, exact.steps.base > 0 || exact.steps.head > 0));
    return { result, gated: true, decided: true, exact: true };
  }

  /**
   * The comparison a metric gets at this look: a Subject for gated metrics that can be tested, else its
   * (informational or final) result.
   */
  private subjectOf(
    m: MetricSamples,
    budget: BudgetRule,
    nominal: Nominal,
    isFinal: boolean,
    pooled: LagOne | null,
  ): Subject | Settled {
    const hasBase = m.base.length > 0;
    const hasHead = m.head.length > 0;
    if (!hasHead || (!hasBase && budget.kind !== 'absolute')) {
      const outcome: Outcome = hasBase ? 'removed' : 'added';
      return {
        result: {
          ...blank(m, budget),
          baseMedian: hasBase ? median(m.base) : null,
          headMedian: hasHead ? median(m.head) : null,
          outcome,
          rounds: Math.max(m.base.length, m.head.length),
          stopReason: hasBase ? 'only measured on base' : 'only measured on head',
        },
        gated: false,
        decided: false,
      };
    }
    if (budget.kind === 'off') {
      const result = this.ungated(m, budget);
      return { result: m.soak?.role === 'growth' ? ungatedGrowth(m, result) : result, gated: false, decided: false };
    }
    if (budget.kind === 'growth') {
      const g = growthSubject(m, budget, isFinal);
      if ('kind' in g) return g;
      const rounds = Math.min(m.base.length, m.head.length);
      return { result: { ...blank(m, budget), rounds, ...g.result }, gated: true, decided: g.decided, error: g.error };
    }
    if (budget.kind === 'absolute') {
      const widen = comparisonResolution([], m.head, m.unit).head?.step ?? 0;
      const rule = { op: budget.op, bound: budget.bound };
      return {
        kind: 'absolute',
        head: headMedian(m.head, rule, widen),
        rule,
        baseMedian: hasBase ? median(m.base) : null,
        notes: hasBase ? [] : [notes.newOnHead(m.id)],
      };
    }
    if (m.base.length < 2 || m.head.length < 2) {
      return {
        result: {
          ...blank(m, budget),
          baseMedian: median(m.base),
          headMedian: median(m.head),
          outcome: 'inconclusive',
          rounds: Math.min(m.base.length, m.head.length),
          stopReason: 'too few samples',
        },
        gated: true,
        decided: false,
        error: notes.tooFewSamples(m.id, m.base.length, m.head.length, this.samplesNeeded(nominal)),
      };
    }
    if ([...m.base, ...m.head].every((v) => v === 0)) {
      return {
        result: {
          ...blank(m, budget),
          baseMedian: 0,
          headMedian: 0,
          change: { estimate: 0, low: 0, high: 0, confidence: 1 },
          outcome: 'within-budget',
          rounds: Math.min(m.base.length, m.head.length),
          stopReason: 'every value is 0 on both sides',
        },
        gated: true,
        decided: true,
        exact: true,
      };
    }
    return this.relativeSubject(m, budget, pooled);
  }

  /**
   * Samples a side the rank test needs to reach this look's levels: the pass end's (level α) and the
   * fail end's first Holm step (α over the gated metrics that are tested).
   */
  private samplesNeeded(nominal: Nominal): number {
    const { alpha, design } = this.options;
    const tested = [...this.states.values()].filter((s) => s.gated && !s.exact && !s.error).length;
    const tail = Math.min(nominal(design.pass(tested), alpha), nominal(design.fail, alpha / Math.max(1, tested)));
    if (this.options.analysis === 'paired') return Math.max(2, Math.ceil(Math.log2(1 / tail) - 1e-9));
    let n = 2;
    while (smallestRankSumP(n, n) > tail * (1 + 1e-12)) n++;
    return n;
  }

  /**
   * The serial correlation of each suite, pooled over its undecided gated metrics that go to the rank test
   * (their residuals in run order, `shift.ts`): the machine's state that carries over from sample to sample is
   * shared by a suite's metrics, and pooled it is estimated from m times the values.
   */
  private pooledCorrelation(metrics: readonly MetricSamples[]): Map<string, LagOne> {
    const bySuite = new Map<string, { sequences: number[][]; metrics: number }>();
    if (this.options.serialCorrelation !== 'widen') return new Map();
    for (const m of metrics) {
      const state = this.states.get(m.id)!;
      // Undecided metrics only: a decided metric's result keeps the samples it was decided on, and report
      // mode's replay has those alone (its suite may have gone on sampling).
      if (state.decided || state.budget.kind !== 'relative' || state.exact || state.error) continue;
      if (m.base.length < 2 || m.head.length < 2) continue;
      const { xb, xh } = oriented(m);
      const suite = bySuite.get(m.suite) ?? { sequences: [], metrics: 0 };
      suite.sequences.push(...residualSequences(xb, xh, this.options.analysis));
      suite.metrics++;
      bySuite.set(m.suite, suite);
    }
    const pooled = new Map<string, LagOne>();
    for (const [suite, { sequences, metrics: count }] of bySuite) {
      const estimate = lagOneOf(sequences);
      if (estimate) pooled.set(suite, { ...estimate, metrics: count });
    }
    return pooled;
  }

  private relativeSubject(
    m: MetricSamples,
    budget: BudgetRule & { kind: 'relative' },
    pooled: LagOne | null = null,
  ): Subject {
    const s = worseSign(m.direction);
    const { xb, xh, logScale } = oriented(m);
    const baseMedian = median(m.base);
    const headMedian = median(m.head);
    const metricNotes: Warning[] = [];
    // Each side's own step, never the gap between the sides (`resolution.ts`).
    const resolution =
      m.grid !== undefined
        ? gridResolution(m.grid, [...m.base, ...m.head])
        : comparisonResolution(m.base, m.head, m.unit).widest;
    let limit: number;
    let widen: number;
    let toChange: (e: number, l: number, h: number, c: number) => Change | null;
    if (logScale) {
      // Lower-is-better: head ≤ (1 + B)·base. Higher-is-better: head ≥ (1 − B)·base.
      limit =
        s === 1 ? Math.log1p(budget.limit) : budget.limit >= 1 ? Number.POSITIVE_INFINITY : -Math.log1p(-budget.limit);
      widen = resolution?.relative ?? 0;
      toChange = (e, l, h, c) =>
        s === 1
          ? { estimate: Math.expm1(e), low: Math.expm1(l), high: Math.expm1(h), confidence: c }
          : { estimate: Math.expm1(-e), low: Math.expm1(-h), high: Math.expm1(-l), confidence: c };
    } else {
      // Some value ≤ 0: a shift on the linear scale, relative to the base median (treated as known).
      limit = budget.limit * Math.abs(baseMedian);
      widen = resolution?.step ?? 0;
      metricNotes.push(notes.linearScale(m.id));
      const d = Math.abs(baseMedian);
      toChange = (e, l, h, c) =>
        d === 0
          ? null
          : s === 1
            ? { estimate: e / d, low: l / d, high: h / d, confidence: c }
            : { estimate: -e / d, low: -h / d, high: -l / d, confidence: c };
      if (d === 0) metricNotes.push(notes.zeroBase(m.id));
    }
    if (resolution && Number.isFinite(limit) && widen >= limit / 5) {
      metricNotes.push(notes.coarseResolution(m.id, resolution, m.unit, widen, budget.limit, logScale));
    }
    metricNotes.push(...sampleNotes(m.id, xb, xh));
    const shift = shiftOf(xb, xh, this.options.analysis, widen, this.options.serialCorrelation, pooled);
    const correlationNote = notes.serialCorrelation(m.id, shift.correlation, shift.analysis === 'paired');
    if (correlationNote) metricNotes.push(correlationNote);
    const modes = twoModesNote(m.id, m.base, m.head, m.unit);
    if (modes) metricNotes.push(modes);
    return { kind: 'relative', shift, limit, toChange, baseMedian, headMedian, notes: metricNotes };
  }

  private ungated(m: MetricSamples, budget: BudgetRule): MetricResult {
    const result: MetricResult = {
      ...blank(m, budget),
      baseMedian: median(m.base),
      headMedian: median(m.head),
      outcome: 'ungated',
      rounds: Math.min(m.base.length, m.head.length),
      stopReason: 'budget off',
    };
    if (m.base.length < 2 || m.head.length < 2) return result;
    const subject = this.relativeSubject(m, { kind: 'relative', limit: 0, source: budget.source });
    if (subject.kind !== 'relative') return result;
    const { shift } = subject;
    result.change = subject.toChange(
      shift.estimate,
      finite(shift.lowerAt(DESCRIPTIVE_TAIL), shift.extremes[0]),
      finite(shift.upperAt(DESCRIPTIVE_TAIL), shift.extremes[1]),
      1 - 2 * DESCRIPTIVE_TAIL,
    );
    result.pValue = shift.pWorseThan(0);
    result.warnings = subject.notes.filter((w) => w.code !== 'resolution');
    return result;
  }

  private resultOf(
    m: MetricSamples,
    budget: BudgetRule,
    subject: Subject,
    fail: End,
    pass: End,
    rounds: number,
    where: string,
    isFinal: boolean,
  ): MetricResult {
    const base = { ...blank(m, budget), rounds, warnings: [...subject.notes] };
    if (subject.kind === 'growth') return growthResult(m, base, subject, fail, pass, where);
    const verdict = this.verdictOf(subject, fail, pass, rounds, where, isFinal);
    if (subject.kind === 'absolute') return absoluteResult(m, base, subject, fail, pass, verdict, isFinal);
    return this.relativeResult(m, budget, base, subject, fail, pass, verdict, rounds, isFinal);
  }

  /** A tested metric's outcome at this look from the ends' tests, and why it stopped (or goes on). */
  private verdictOf(subject: Subject, fail: End, pass: End, rounds: number, where: string, isFinal: boolean): Verdict {
    if (fail.rejected) {
      return {
        outcome: subject.kind === 'relative' ? 'regression' : 'breach',
        stopReason: `beyond budget at ${where}`,
      };
    }
    if (pass.rejected) return { outcome: 'within-budget', stopReason: `within budget at ${where}` };
    return {
      outcome: 'inconclusive',
      stopReason: isFinal
        ? rounds >= this.options.maxRounds
          ? `undecided at max-rounds (${rounds})`
          : `undecided when the time limit stopped sampling (${rounds} rounds)`
        : `undecided at ${where}`,
    };
  }

  /** A relative metric's result: the change's interval, "improvement" when wholly better, and why it is undecided. */
  private relativeResult(
    m: MetricSamples,
    budget: BudgetRule,
    base: MetricResult,
    subject: Subject & { kind: 'relative' },
    fail: End,
    pass: End,
    verdict: Verdict,
    rounds: number,
    isFinal: boolean,
  ): MetricResult {
    const confidence = 1 - fail.tail - pass.tail;
    const { shift, limit } = subject;
    const lowW = shift.lowerAt(fail.tail);
    const highW = shift.upperAt(pass.tail);
    let { outcome } = verdict;
    if (outcome === 'within-budget' && highW < 0) outcome = 'improvement';
    if (!Number.isFinite(lowW) || !Number.isFinite(highW)) {
      const [tail, end] = Number.isFinite(lowW) ? [pass.tail, 'pass' as const] : [fail.tail, 'fail' as const];
      base.warnings.push(notes.intervalOutOfReach(m.id, rounds, tail, shift.roundsFor(tail, end)));
    }
    const change = subject.toChange(
      shift.estimate,
      finite(lowW, shift.extremes[0]),
      finite(highW, shift.extremes[1]),
      confidence,
    );
    const result: MetricResult = {
      ...base,
      baseMedian: subject.baseMedian,
      headMedian: subject.headMedian,
      change,
      pValue: shift.pWorseThan(0),
      outcome,
      stopReason: verdict.stopReason,
    };
    if (outcome === 'inconclusive') {
      const note = isFinal
        ? notes.inconclusive(m.id, budget, shift.estimate, lowW, highW, limit, rounds)
        : notes.tooNoisy(
            m.id,
            budget,
            shift.estimate,
            highW,
            limit,
            rounds,
            this.options.maxRounds,
            pass.tail,
            this.options.alpha,
          );
      if (note) result.warnings.push(note);
    }
    return result;
  }
}

/** An absolute rule's result: the head median's interval, and a note when it is undecided at the end. */
function absoluteResult(
  m: MetricSamples,
  base: MetricResult,
  subject: Subject & { kind: 'absolute' },
  fail: End,
  pass: End,
  verdict: Verdict,
  isFinal: boolean,
): MetricResult {
  const confidence = 1 - fail.tail - pass.tail;
  const h = subject.head;
  const low = finite(h.lowerAt(h.upperIsWorse ? fail.tail : pass.tail), -Infinity);
  const high = finite(h.upperAt(h.upperIsWorse ? pass.tail : fail.tail), Infinity);
  const result: MetricResult = {
    ...base,
    baseMedian: subject.baseMedian,
    headMedian: h.median,
    headInterval: { estimate: h.median, low, high, confidence },
    outcome: verdict.outcome,
    stopReason: verdict.stopReason,
  };
  if (verdict.outcome === 'inconclusive' && isFinal) result.warnings.push(notes.absoluteUndecided(m.id));
  return result;
}

/**
 * A metric's samples on the analysis scale, oriented so that larger is worse: ±log of the values, or
 * the values themselves when some value is ≤ 0 (the linear scale).
 */
function oriented(m: MetricSamples): { xb: number[]; xh: number[]; logScale: boolean } {
  const s = worseSign(m.direction);
  const logScale = m.base.every((v) => v > 0) && m.head.every((v) => v > 0);
  const f = logScale ? (v: number) => s * Math.log(v) : (v: number) => s * v;
  return { xb: m.base.map(f), xh: m.head.map(f), logScale };
}

/** The first value of a metric that is not a finite number, or null. */
function firstNonFinite(m: MetricSamples): { side: 'base' | 'head'; index: number; value: number } | null {
  for (const side of ['base', 'head'] as const) {
    const index = m[side].findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (index >= 0) return { side, index, value: m[side][index] };
  }
  return null;
}

/**
 * The error for a metric left undecided at the final look whose interval could not have excluded the
 * budget: an end at the level it needed cannot be finite with this many rounds, whatever the data (the
 * rank test's smallest p is above the level). Null when both ends could. A fail end put out of reach by
 * the widening for serial correlation (which depends on the data's estimate) is an error when, without
 * that widening, the fail end is beyond the budget: the data show a regression on independent samples
 * that this many rounds cannot show once correlation is allowed for, and a regression never ends green
 * (no evidence, no pass). Otherwise the metric stays inconclusive, with a note saying how many rounds
 * would reach that end.
 */
function outOfReach(id: MetricId, s: Subject, failTail: number, passTail: number, rounds: number): string | null {
  if (s.kind === 'growth') return null; // decided when tested (growth.ts)
  const tail = Math.min(failTail, passTail);
  if (s.kind === 'relative') {
    const paired = s.shift.analysis === 'paired';
    if (tail < s.shift.smallestP * (1 - 1e-12))
      return notes.undecidable(id, rounds, tail, roundsToReach(tail, paired), paired);
    if (s.shift.reachable(failTail, 'fail') || !(s.shift.lowerIgnoringCorrelationAt(failTail) > s.limit)) return null;
    const c = s.shift.correlation;
    return notes.undecidableUnderCorrelation(
      id,
      rounds,
      c.lagOne,
      c.metrics,
      s.shift.roundsFor(failTail, 'fail'),
      paired,
    );
  }
  if (Number.isFinite(s.head.lowerAt(tail))) return null;
  return notes.undecidable(id, rounds, tail, roundsToReach(tail, true), true);
}

/** The fewest rounds (paired) or samples a side (two-sample) whose smallest rank-test p reaches `tail`. */
function roundsToReach(tail: number, paired: boolean): number {
  if (paired) return Math.max(1, Math.ceil(Math.log2(1 / tail) - 1e-9));
  let n = 1;
  while (smallestRankSumP(n, n) > tail * (1 + 1e-12) && n < 10_000) n++;
  return n;
}

/** The value, or `fallback` when it is not finite (results hold finite numbers only). */
function finite(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}

/** Evidence that the subject is beyond its budget (smaller first), to order the fail-side Holm steps. */
function pBeyond(s: Subject): number {
  if (s.kind === 'growth') return s.test.pBeyond;
  return s.kind === 'relative' ? s.shift.pWorseThan(s.limit) : s.head.pBreaks;
}

/** The fail-side test: the interval's better end (at one-sided error `tail`) is beyond the budget. */
function beyondAt(s: Subject, tail: number): boolean {
  if (s.kind === 'growth') return s.test.lowerAt(tail) > s.test.tolerance;
  if (s.kind === 'relative') return s.shift.lowerAt(tail) > s.limit;
  const betterEnd = s.head.upperIsWorse ? s.head.lowerAt(tail) : s.head.upperAt(tail);
  return Number.isFinite(betterEnd) && s.head.breaks(betterEnd);
}

/** The pass-side test: the interval's worse end (at one-sided error `tail`) is inside the budget. */
function withinAt(s: Subject, tail: number): boolean {
  if (s.kind === 'growth') return s.test.upperAt(tail) <= s.test.tolerance;
  if (s.kind === 'relative') return s.shift.upperAt(tail) < s.limit;
  const worseEnd = s.head.upperIsWorse ? s.head.upperAt(tail) : s.head.lowerAt(tail);
  return Number.isFinite(worseEnd) && !s.head.breaks(worseEnd);
}

function blank(m: MetricSamples, budget: BudgetRule): MetricResult {
  const { base, head, ...facts } = m;
  return {
    ...facts,
    base: [...base],
    head: [...head],
    budget,
    baseMedian: null,
    headMedian: null,
    change: null,
    pValue: null,
    outcome: 'inconclusive',
    rounds: 0,
    stopReason: 'not analysed yet',
    warnings: [],
  };
}

/**
 * Geometric mean of the gated relative changes, each oriented so that worse is positive (a throughput that
 * halves counts like a time that doubles), with a 95 % interval from each metric's interval
 * (mean of logs ± 1.96·√(Σ se²)/k). Assumption: metrics are independent. Informational only.
 */
export function geomeanChange(results: readonly MetricResult[]): Change | null {
  const logs: { est: number; se: number }[] = [];
  for (const r of results) {
    if (r.budget.kind !== 'relative' || r.change === null || r.warnings.some((w) => w.code === 'linear-scale'))
      continue;
    const c = r.change;
    if (!(c.low > -1 && c.estimate > -1 && c.high > -1 && Number.isFinite(c.high) && c.confidence > 0)) continue;
    const s = worseSign(r.direction);
    const z = normalQuantileUpper((1 - c.confidence) / 2);
    const se = (Math.log1p(c.high) - Math.log1p(c.low)) / (2 * z);
    if (!Number.isFinite(se)) continue;
    logs.push({ est: s * Math.log1p(c.estimate), se });
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
