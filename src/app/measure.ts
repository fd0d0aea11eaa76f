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
  const now = options.now ?? defaultNow;
  const reporter = options.reporter ?? silent;
  const started = now();
  const random = mulberry32(options.seed);
  const samples = new Map<MetricId, MetricSamples>();
  const warnings = new Map<string, Warning>();
  const warn = (code: WarningCode, text: string) => warnings.set(text, { code, text });
  const errors: SuiteError[] = [];
  const curves = new Map<string, CapacityCurve>();
  const failed = new Set<string>();
  const headOnly = options.headOnly ?? new Set<string>();
  let active = runners;
  // Soak suites stop after their own number of rounds, whatever the looks say.
  const capped = (r: SuiteRunner) => r.maxRounds !== undefined && rounds >= r.maxRounds;
  let look: LookResult | null = null;
  let rounds = 0;
  let concluded = false;
  let verdictRound: number | null = null;
  const completeReport = options.completeReport ?? true;

  // The deadline stops a running sample; the loop then discards that round.
  const deadline = new AbortController();
  // setTimeout holds at most 2³¹ − 1 ms (24.8 days); a longer max-time means no limit in practice.
  const limitMs = options.maxTimeS * 1000;
  const timer =
    options.timeUp || limitMs > 2 ** 31 - 1 ? undefined : setTimeout(() => deadline.abort(), Math.max(0, limitMs));
  timer?.unref?.();
  const timeUp = options.timeUp ?? deadline.signal;
  const signal = options.signal ? AbortSignal.any([options.signal, timeUp]) : timeUp;
  const outOfTime = () => timeUp.aborted;
  const cancelled = () => options.signal?.aborted === true;
  let isolationError: string | null = null;
  /** Nothing more is run: time is up, the run was cancelled, or the sides are no longer apart. */
  const stopped = () => outOfTime() || cancelled() || isolationError !== null;

  const fail = (runner: SuiteRunner, error: SuiteError) => {
    errors.push(error);
    failed.add(runner.suite.name);
    reporter.notice(`✖ ${error.message}${error.outputTail ? `\n${indent(error.outputTail)}` : ''}`);
  };

  /** Runs one warm-up or sample; false when it failed or was stopped. */
  const attempt = async (
    runner: SuiteRunner,
    side: Side,
    kind: string,
    work: () => Promise<void>,
  ): Promise<boolean> => {
    const ok = await tryRun(runner, work);
    if (options.isolation && !cancelled()) {
      isolationError = await options.isolation(side, `suite "${runner.suite.name}" (${kind})`);
      if (isolationError) reporter.notice(`✖ ${isolationError}`);
    }
    return ok;
  };

  const tryRun = async (runner: SuiteRunner, work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
    } catch (error) {
      if (outOfTime() || cancelled()) return false; // stopped on purpose, not a failure of the suite
      if (!(error instanceof SuiteError)) throw error;
      fail(runner, error);
      return false;
    }
    return true;
  };

  /** The sides a suite runs on: head only when it is new on head. */
  const sidesOf = (runner: SuiteRunner): Side[] => (headOnly.has(runner.suite.name) ? ['head'] : ['base', 'head']);
  const pairs = (list: SuiteRunner[]) => list.flatMap((r) => sidesOf(r).map((side) => [r, side] as const));
  const runs = (runner: SuiteRunner, side: Side) => !failed.has(runner.suite.name) && sidesOf(runner).includes(side);

  const progress = (final = false): RoundProgress => {
    const elapsedS = now() - started;
    const perRound = rounds > 0 ? elapsedS / rounds : 0;
    const counts = look ? lookCounts(look, final) : { gated: samples.size, open: samples.size, failing: 0 };
    return {
      round: rounds,
      maxRounds: options.maxRounds,
      suites: active.length,
      metrics: counts.gated,
      decided: counts.gated - counts.open,
      failing: counts.failing,
      elapsedS,
      remainingS: Math.max(0, Math.min(options.maxTimeS - elapsedS, perRound * (options.maxRounds - rounds))),
      nextLook: options.gate.looks.find((l) => l > rounds) ?? null,
    };
  };

  try {
    reporter.start({ suites: runners.length, seed: options.seed });
    for (const [runner, side] of shuffle(pairs(runners), random)) {
      if (!runs(runner, side) || stopped()) continue;
      await attempt(runner, side, 'warm-up', () => runner.warmup(side, options.checkouts[side], signal));
    }

    active = runners.filter((r) => !failed.has(r.suite.name));
    while (active.length > 0 && rounds < options.maxRounds && !stopped()) {
      // One round, staged: its samples count only if the round completes.
      const staged: {
        runner: SuiteRunner;
        side: Side;
        values: MetricValue[];
        curves: CapacityCurve[];
      }[] = [];
      for (const [runner, side] of shuffle(pairs(active), random)) {
        if (!runs(runner, side) || stopped()) continue;
        await attempt(runner, side, 'sample', async () => {
          const replicate = await runner.sample(side, options.checkouts[side], signal);
          for (const w of replicate.warnings) warn('replicate', `${runner.suite.name} (${side}): ${w}`);
          staged.push({
            runner,
            side,
            values: replicate.values,
            curves: replicate.curves ?? [],
          });
        });
      }
      if (stopped()) break; // the unfinished round is discarded
      for (const { runner, side, values, curves: steps } of staged) {
        if (failed.has(runner.suite.name)) continue; // a suite that failed mid-round loses the round
        for (const c of steps) {
          const key = `${c.metric}\u0000${c.side}`;
          const seen = curves.get(key);
          if (seen) seen.steps.push(...c.steps);
          else curves.set(key, { ...c, steps: [...c.steps] });
        }
        for (const v of values) {
          let s = samples.get(v.id);
          if (!s) {
            s = { ...describeMetric(runner.suite.name, v), base: [], head: [] };
            samples.set(v.id, s);
          }
          s[side].push(v.value);
        }
      }
      rounds++;
      active = active.filter((r) => !failed.has(r.suite.name) && !capped(r));
      if (rounds >= options.maxRounds) {
        reporter.round(progress());
        continue;
      }
      // Every round: a planned look tests every metric; between looks only metrics without noise are
      // decided, by their values.
      const checked = options.gate.look([...samples.values()], rounds, false);
      look = checked;
      const suiteOf = (id: MetricId) => samples.get(id)?.suite;
      const open = new Set(checked.undecided.map(suiteOf));
      if (checked.planned) active = active.filter((r) => open.has(r.suite.name));
      else {
        // Between looks a suite stops only when it gates something and all of it is decided.
        const gating = new Set(checked.results.filter(isGated).map((r) => r.suite));
        active = active.filter((r) => open.has(r.suite.name) || !gating.has(r.suite.name));
      }
      if (checked.failed.length > 0 && verdictRound === null) {
        verdictRound = rounds;
        const stop = !completeReport || active.length === 0;
        reporter.notice(
          `◆ Round ${rounds}: ${checked.failed.length} metric${checked.failed.length === 1 ? '' : 's'} beyond budget (${checked.failed.slice(0, 3).join(', ')}${checked.failed.length > 3 ? ', …' : ''}): the run will fail. ` +
            (stop
              ? completeReport
                ? 'Every other metric is decided.'
                : 'Stopping here (complete-report: false).'
              : `Measuring on until the other ${checked.undecided.length} gated metric${checked.undecided.length === 1 ? ' is' : 's are'} decided (complete-report: true).`),
        );
        if (!completeReport) active = [];
      }
      const done = checked.done || active.length === 0;
      if (checked.planned) reporter.round({ ...progress(), look: { final: false, done } });
      else reporter.round(progress());
      if (done) {
        // Stopped between planned looks with metrics still open (a soak suite's runs are done, or
        // complete-report: false): the final look below decides them, spending the remaining α.
        concluded = checked.done || checked.planned;
        break;
      }
    }
    if (!concluded && rounds > 0) {
      if (outOfTime())
        warn(
          'max-time',
          `Stopped after ${rounds} round${rounds === 1 ? '' : 's'}: max-time (${options.maxTimeS} s, warm-up included) ran out; the last look decided with what was measured.`,
        );
      look = options.gate.look([...samples.values()], rounds, true);
      reporter.round({ ...progress(true), look: { final: true, done: true } });
    } else if (rounds === 0 && outOfTime()) {
      warn('max-time', `max-time (${options.maxTimeS} s) ran out before the first round completed.`);
    }
    reporter.end({ ...progress(true), look: { final: true, done: true } });
  } finally {
    clearTimeout(timer);
  }
  return {
    look,
    rounds,
    warnings: [...warnings.values()],
    errors,
    headOnly: runners.filter((r) => headOnly.has(r.suite.name)).map((r) => r.suite.name),
    durationS: now() - started,
    cancelled: cancelled(),
    isolationError,
    curves: [...curves.values()],
    verdictRound,
  };
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
