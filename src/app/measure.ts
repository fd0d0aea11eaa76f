/**
 * The measurement loop: randomized interleaving of base and head in rounds, with sequential
 * looks.
 *
 * Design (see README, "How the verdict is reached"):
 * - Warm-up: each suite's untimed runs on both sides, in random order, before round 1.
 * - A round runs every still-active suite once on base and once on head. The order of all
 *   (suite, side) pairs within a round is shuffled (randomized complete blocks), so drift on the
 *   runner hits both sides alike and order is never confounded with side (no strict ABAB). A
 *   round's samples are kept only when the round completes, so base and head stay paired by round.
 * - After the rounds at which the gate plans a look, the gate analyses all samples so far; after
 *   the other rounds it decides only metrics without noise, by their values (no α spent). A suite
 *   stops once every metric it gates is decided: a suite whose metrics are all decided is never run
 *   again. Measuring stops when no suite is active, at max-rounds, or at max-time.
 * - After the verdict is known (a regression found), the other suites keep sampling until their
 *   metrics are decided, bounded by max-rounds and max-time, so that the report labels every
 *   regression, not just the first (`completeReport`, default on; the rounds this costs are
 *   reported). With `completeReport: false` measuring stops at the first look that finds one.
 * - `max-time` bounds the whole measuring phase, warm-up included: a sample still running at the
 *   deadline is stopped and its round discarded, and the gate then takes its final look with
 *   what was measured (spending all remaining α), or reports that nothing could be decided.
 * - An infrastructure failure (a suite that crashes, times out or writes no results) stops
 *   that suite and is reported as an error, never as a regression.
 * - Suites new on head (`headOnly`, decided before measuring from base's own configuration, see
 *   `base-config.ts`) run on head only: their metrics have no base samples (outcome `added`,
 *   absolute budgets apply). Every other suite runs on both sides, and a failure on either side
 *   is an error, whatever it looks like.
 * - Cancelled (`signal`), it stops at once, discards the unfinished round and concludes with the
 *   rounds completed. After every warm-up and sample, `isolation` may find that a side changed
 *   the other side's checkout: measuring then stops, and the comparison is void.
 */
import type { LookResult, SequentialGate } from '../core/gate/gate';
import { describeMetric } from '../core/metric';
import type {
  CapacityCurve,
  MetricId,
  MetricResult,
  MetricSamples,
  MetricValue,
  Side,
  Warning,
  WarningCode,
} from '../core/model';
import { mulberry32, shuffle } from '../core/random';
import type { MeasureReporter, RoundProgress } from './progress';
import { SuiteError, type SuiteRunner } from './runners';

export interface MeasureOptions {
  checkouts: Record<Side, string>;
  gate: SequentialGate;
  maxRounds: number;
  maxTimeS: number;
  seed: number;
  signal?: AbortSignal;
  /** Where progress goes (a terminal line, or log lines); none when omitted. */
  reporter?: MeasureReporter;
  /** Monotonic clock in seconds (injectable for tests). */
  now?: () => number;
  /** Replaces the max-time timer (simulations end the time at a chosen round). */
  timeUp?: AbortSignal;
  /**
   * Checks after every warm-up and sample of a side that the other side's checkout is untouched
   * (see `IsolationGuard`); an error text stops the measurement.
   */
  isolation?: (side: Side, what: string) => Promise<string | null>;
  /** Suites new on head (base's configuration lacks them): measured on head only. */
  headOnly?: ReadonlySet<string>;
  /**
   * After a regression is found, keep sampling the undecided metrics to label them (default true);
   * false stops measuring at the first look that finds a regression.
   */
  completeReport?: boolean;
}

export interface MeasureOutcome {
  look: LookResult | null;
  rounds: number;
  warnings: Warning[];
  errors: SuiteError[];
  /** Suites measured on head only because they are new on head. */
  headOnly: string[];
  durationS: number;
  /** True when `signal` stopped the measurement: `look` then covers the rounds completed before. */
  cancelled: boolean;
  /** Set when one side changed the other's checkout: the comparison is void. */
  isolationError: string | null;
  /** Capacity suites: every capacity search's steps, per metric and side. */
  curves: CapacityCurve[];
  /** The round after which the first regression was found (the verdict was known), or null. */
  verdictRound: number | null;
}

const defaultNow = () => performance.now() / 1000;

const silent: MeasureReporter = { start() {}, round() {}, notice() {}, end() {} };

/** Runs the rounds and returns the gate's final look. */
export async function measure(runners: SuiteRunner[], options: MeasureOptions): Promise<MeasureOutcome> {
  const measurement = new Measurement(runners, options);
  try {
    await measurement.run();
  } finally {
    measurement.limit.clear();
  }
  return measurement.outcome();
}

/** One measurement's state: the suites still running, the samples kept, what the looks found. */
class Measurement {
  readonly limit: TimeLimit;
  private readonly now: () => number;
  private readonly reporter: MeasureReporter;
  private readonly started: number;
  private readonly random: () => number;
  private readonly samples = new KeptSamples();
  private readonly warnings = new Map<string, Warning>();
  private readonly errors: SuiteError[] = [];
  private readonly failed = new Set<string>();
  private readonly sides: SuiteSides;
  private readonly completeReport: boolean;
  private active: SuiteRunner[];
  private look: LookResult | null = null;
  private rounds = 0;
  private concluded = false;
  private verdictRound: number | null = null;
  private isolationError: string | null = null;

  constructor(
    private readonly runners: SuiteRunner[],
    private readonly options: MeasureOptions,
  ) {
    this.now = options.now ?? defaultNow;
    this.reporter = options.reporter ?? silent;
    this.started = this.now();
    this.random = mulberry32(options.seed);
    this.sides = new SuiteSides(options.headOnly ?? new Set<string>());
    this.active = runners;
    this.completeReport = options.completeReport ?? true;
    this.limit = new TimeLimit(options.maxTimeS, options.timeUp, options.signal);
  }

  /** Warm-up, the rounds with their looks, then the final look unless a look already concluded. */
  async run(): Promise<void> {
    this.reporter.start({ suites: this.runners.length, seed: this.options.seed });
    await this.warmUp();
    await this.runRounds();
    this.conclude();
    this.reporter.end({ ...this.progress(true), look: { final: true, done: true } });
  }

  outcome(): MeasureOutcome {
    return {
      look: this.look,
      rounds: this.rounds,
      warnings: [...this.warnings.values()],
      errors: this.errors,
      headOnly: this.runners.filter((r) => this.sides.isHeadOnly(r)).map((r) => r.suite.name),
      durationS: this.now() - this.started,
      cancelled: this.cancelled(),
      isolationError: this.isolationError,
      curves: this.samples.curves(),
      verdictRound: this.verdictRound,
    };
  }

  /** Each suite's untimed runs on its sides, in random order, before round 1. */
  private async warmUp(): Promise<void> {
    for (const [runner, side] of shuffle(this.sides.pairs(this.runners), this.random)) {
      if (!this.runs(runner, side) || this.stopped()) continue;
      const { checkouts } = this.options;
      await this.attempt(runner, side, 'warm-up', () => runner.warmup(side, checkouts[side], this.limit.signal));
    }
  }

  /** Rounds until no suite is active, max-rounds, or a stop (time, cancellation, isolation). */
  private async runRounds(): Promise<void> {
    this.active = this.runners.filter((r) => !this.failed.has(r.suite.name));
    while (this.active.length > 0 && this.rounds < this.options.maxRounds && !this.stopped()) {
      const staged = await this.runRound();
      if (this.stopped()) break; // the unfinished round is discarded
      this.samples.keep(staged, this.failed);
      this.rounds++;
      this.active = this.active.filter((r) => !this.failed.has(r.suite.name) && !this.capped(r));
      if (this.rounds >= this.options.maxRounds) {
        this.reporter.round(this.progress());
        continue;
      }
      if (this.lookAfterRound()) break;
    }
  }

  /** One round, staged: its samples count only if the round completes. */
  private async runRound(): Promise<StagedSample[]> {
    const staged: StagedSample[] = [];
    for (const [runner, side] of shuffle(this.sides.pairs(this.active), this.random)) {
      if (!this.runs(runner, side) || this.stopped()) continue;
      await this.attempt(runner, side, 'sample', async () => {
        const replicate = await runner.sample(side, this.options.checkouts[side], this.limit.signal);
        for (const w of replicate.warnings) this.warn('replicate', `${runner.suite.name} (${side}): ${w}`);
        staged.push({
          runner,
          side,
          values: replicate.values,
          curves: replicate.curves ?? [],
        });
      });
    }
    return staged;
  }

  /** The look after a completed round, and which suites go on; true when measuring stops here. */
  private lookAfterRound(): boolean {
    // Every round: a planned look tests every metric; between looks only metrics without noise are
    // decided, by their values.
    const checked = this.options.gate.look(this.samples.metrics(), this.rounds, false);
    this.look = checked;
    this.active = stillOpen(this.active, checked, (id) => this.samples.suiteOf(id));
    if (checked.failed.length > 0 && this.verdictRound === null) this.verdictFound(checked);
    const done = checked.done || this.active.length === 0;
    if (checked.planned) this.reporter.round({ ...this.progress(), look: { final: false, done } });
    else this.reporter.round(this.progress());
    if (done) {
      // Stopped between planned looks with metrics still open (a soak suite's runs are done, or
      // complete-report: false): the final look below decides them, spending the remaining α.
      this.concluded = checked.done || checked.planned;
    }
    return done;
  }

  /** The first look that finds a regression: says so, and stops unless the report is to be complete. */
  private verdictFound(checked: LookResult): void {
    const { rounds, completeReport } = this;
    this.verdictRound = rounds;
    const stop = !completeReport || this.active.length === 0;
    this.reporter.notice(
      `◆ Round ${rounds}: ${checked.failed.length} metric${checked.failed.length === 1 ? '' : 's'} beyond budget (${checked.failed.slice(0, 3).join(', ')}${checked.failed.length > 3 ? ', …' : ''}): the run will fail. ` +
        (stop
          ? completeReport
            ? 'Every other metric is decided.'
            : 'Stopping here (complete-report: false).'
          : `Measuring on until the other ${checked.undecided.length} gated metric${checked.undecided.length === 1 ? ' is' : 's are'} decided (complete-report: true).`),
    );
    if (!completeReport) this.active = [];
  }

  /** The final look, unless a look already concluded; the max-time warnings. */
  private conclude(): void {
    const { rounds, options } = this;
    if (!this.concluded && rounds > 0) {
      if (this.limit.outOfTime())
        this.warn(
          'max-time',
          `Stopped after ${rounds} round${rounds === 1 ? '' : 's'}: max-time (${options.maxTimeS} s, warm-up included) ran out; the last look decided with what was measured.`,
        );
      this.look = options.gate.look(this.samples.metrics(), rounds, true);
      this.reporter.round({ ...this.progress(true), look: { final: true, done: true } });
    } else if (rounds === 0 && this.limit.outOfTime()) {
      this.warn('max-time', `max-time (${options.maxTimeS} s) ran out before the first round completed.`);
    }
  }

  /** Runs one warm-up or sample; false when it failed or was stopped. */
  private async attempt(runner: SuiteRunner, side: Side, kind: string, work: () => Promise<void>): Promise<boolean> {
    const ok = await this.tryRun(runner, work);
    if (this.options.isolation && !this.cancelled()) {
      this.isolationError = await this.options.isolation(side, `suite "${runner.suite.name}" (${kind})`);
      if (this.isolationError) this.reporter.notice(`✖ ${this.isolationError}`);
    }
    return ok;
  }

  private async tryRun(runner: SuiteRunner, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
    } catch (error) {
      if (this.limit.outOfTime() || this.cancelled()) return false; // stopped on purpose, not a failure of the suite
      if (!(error instanceof SuiteError)) throw error;
      this.fail(runner, error);
      return false;
    }
    return true;
  }

  private fail(runner: SuiteRunner, error: SuiteError): void {
    this.errors.push(error);
    this.failed.add(runner.suite.name);
    this.reporter.notice(`✖ ${error.message}${error.outputTail ? `\n${indent(error.outputTail)}` : ''}`);
  }

  private warn(code: WarningCode, text: string): void {
    this.warnings.set(text, { code, text });
  }

  /** Whether a suite still runs on a side: it has not failed, and it runs there at all. */
  private runs(runner: SuiteRunner, side: Side): boolean {
    return !this.failed.has(runner.suite.name) && this.sides.of(runner).includes(side);
  }

  /** Soak suites stop after their own number of rounds, whatever the looks say. */
  private capped(runner: SuiteRunner): boolean {
    return runner.maxRounds !== undefined && this.rounds >= runner.maxRounds;
  }

  private cancelled(): boolean {
    return this.options.signal?.aborted === true;
  }

  /** Nothing more is run: time is up, the run was cancelled, or the sides are no longer apart. */
  private stopped(): boolean {
    return this.limit.outOfTime() || this.cancelled() || this.isolationError !== null;
  }

  private progress(final = false): RoundProgress {
    const { rounds, options, look, samples } = this;
    const elapsedS = this.now() - this.started;
    const perRound = rounds > 0 ? elapsedS / rounds : 0;
    const counts = look ? lookCounts(look, final) : { gated: samples.size, open: samples.size, failing: 0 };
    return {
      round: rounds,
      maxRounds: options.maxRounds,
      suites: this.active.length,
      metrics: counts.gated,
      decided: counts.gated - counts.open,
      failing: counts.failing,
      elapsedS,
      remainingS: Math.max(0, Math.min(options.maxTimeS - elapsedS, perRound * (options.maxRounds - rounds))),
      nextLook: options.gate.looks.find((l) => l > rounds) ?? null,
    };
  }
}

/** max-time, as a signal: the deadline's own timer, or the `timeUp` a simulation passes. */
class TimeLimit {
  readonly timeUp: AbortSignal;
  /** Stops a running warm-up or sample: time is up, or the run was cancelled. */
  readonly signal: AbortSignal;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(maxTimeS: number, timeUp: AbortSignal | undefined, cancel: AbortSignal | undefined) {
    // The deadline stops a running sample; the loop then discards that round.
    const deadline = new AbortController();
    // setTimeout holds at most 2³¹ − 1 ms (24.8 days); a longer max-time means no limit in practice.
    const limitMs = maxTimeS * 1000;
    this.timer = timeUp || limitMs > 2 ** 31 - 1 ? undefined : setTimeout(() => deadline.abort(), Math.max(0, limitMs));
    this.timer?.unref?.();
    this.timeUp = timeUp ?? deadline.signal;
    this.signal = cancel ? AbortSignal.any([cancel, this.timeUp]) : this.timeUp;
  }

  outOfTime(): boolean {
    return this.timeUp.aborted;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** New-on-head handling: the sides a suite runs on, head only when it is new on head. */
class SuiteSides {
  constructor(private readonly headOnly: ReadonlySet<string>) {}

  isHeadOnly(runner: SuiteRunner): boolean {
    return this.headOnly.has(runner.suite.name);
  }

  of(runner: SuiteRunner): Side[] {
    return this.isHeadOnly(runner) ? ['head'] : ['base', 'head'];
  }

  /** Every (suite, side) pair a round (or the warm-up) runs. */
  pairs(list: SuiteRunner[]): (readonly [SuiteRunner, Side])[] {
    return list.flatMap((r) => this.of(r).map((side) => [r, side] as const));
  }
}

/** A sample of a round not yet complete. */
interface StagedSample {
  runner: SuiteRunner;
  side: Side;
  values: MetricValue[];
  curves: CapacityCurve[];
}

/** The samples of the completed rounds: each metric's values per side, and each capacity search's steps. */
class KeptSamples {
  private readonly byMetric = new Map<MetricId, MetricSamples>();
  private readonly curvesByKey = new Map<string, CapacityCurve>();

  get size(): number {
    return this.byMetric.size;
  }

  /** Keeps a completed round's samples. */
  keep(round: StagedSample[], failed: ReadonlySet<string>): void {
    for (const { runner, side, values, curves } of round) {
      if (failed.has(runner.suite.name)) continue; // a suite that failed mid-round loses the round
      for (const c of curves) {
        const key = `${c.metric}\u0000${c.side}`;
        const seen = this.curvesByKey.get(key);
        if (seen) seen.steps.push(...c.steps);
        else this.curvesByKey.set(key, { ...c, steps: [...c.steps] });
      }
      for (const v of values) {
        let s = this.byMetric.get(v.id);
        if (!s) {
          s = { ...describeMetric(runner.suite.name, v), base: [], head: [] };
          this.byMetric.set(v.id, s);
        }
        s[side].push(v.value);
      }
    }
  }

  metrics(): MetricSamples[] {
    return [...this.byMetric.values()];
  }

  suiteOf(id: MetricId): string | undefined {
    return this.byMetric.get(id)?.suite;
  }

  curves(): CapacityCurve[] {
    return [...this.curvesByKey.values()];
  }
}

/**
 * The suites to run on after a look: after a planned look, those with a metric still undecided;
 * between looks, also those that gate nothing.
 */
function stillOpen(
  active: SuiteRunner[],
  checked: LookResult,
  suiteOf: (id: MetricId) => string | undefined,
): SuiteRunner[] {
  const open = new Set(checked.undecided.map(suiteOf));
  if (checked.planned) return active.filter((r) => open.has(r.suite.name));
  // Between looks a suite stops only when it gates something and all of it is decided.
  const gating = new Set(checked.results.filter(isGated).map((r) => r.suite));
  return active.filter((r) => open.has(r.suite.name) || !gating.has(r.suite.name));
}

/** A gated metric as the report's headline counts it (measured on both sides, or on head with an absolute rule). */
function isGated(r: MetricResult): boolean {
  return r.budget.kind !== 'off' && r.outcome !== 'added' && r.outcome !== 'removed';
}

/** What a look decided, counted as the report's headline counts it. */
function lookCounts(look: LookResult, final: boolean): { gated: number; open: number; failing: number } {
  const gated = look.results.filter(isGated);
  const open = final ? gated.filter((r) => r.outcome === 'inconclusive').length : look.undecided.length;
  return { gated: gated.length, open, failing: look.failed.length };
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
