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
 * - After the rounds at which the gate plans a look, the gate analyses all samples so far. A
 *   suite stops once every metric it gates is decided, or once one of them is a regression (the
 *   run's verdict can no longer become a pass). Measuring stops when no suite is active, at
 *   max-rounds, or at max-time.
 * - `max-time` bounds the whole measuring phase, warm-up included: a sample still running at the
 *   deadline is stopped and its round discarded, and the gate then takes its final look with
 *   what was measured (spending all remaining α), or reports that nothing could be decided.
 * - An infrastructure failure (a suite that crashes, times out or writes no results) stops
 *   that suite and is reported as an error, never as a regression.
 * - A suite new on head (a PR that adds its benchmark): its first run on base fails the way a
 *   missing benchmark fails (an error exit, no output, no working directory — not a timeout or
 *   a signal), its first run on head succeeds, and a second base run fails again. It is then
 *   measured on head only (its metrics have no base samples: outcome `added`, absolute budgets
 *   apply) and a warning keeps base's error. Any other pattern — base fails after having run,
 *   head fails, the retry passes — is an error as before, so a broken base is never mistaken for
 *   a new benchmark.
 * - Cancelled (`signal`), it stops at once, discards the unfinished round and concludes with the
 *   rounds completed. After every warm-up and sample, `isolation` may find that a side changed
 *   the other side's checkout: measuring then stops, and the comparison is void.
 */
import type { LookResult, SequentialGate } from '../core/gate/gate';
import { describeMetric } from '../core/metric';
import type { CapacityCurve, MetricId, MetricSamples, MetricValue, Side, Warning, WarningCode } from '../core/model';
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
}

const defaultNow = () => performance.now() / 1000;

const silent: MeasureReporter = { start() {}, round() {}, notice() {}, end() {} };

/** Per-suite state of the first contact with each side (see "new on head" above). */
interface Contact {
  /** A side has completed at least one real run (a warm-up run or a sample). */
  ran: Record<Side, boolean>;
  /** Base's first run failed like a missing benchmark; waiting for head's first run to decide. */
  pendingBase: SuiteError | null;
  headOnly: boolean;
}

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
  const contact = new Map<string, Contact>(
    runners.map((r) => [r.suite.name, { ran: { base: false, head: false }, pendingBase: null, headOnly: false }]),
  );
  let active = runners;
  // Soak suites stop after their own number of rounds, whatever the looks say.
  const capped = (r: SuiteRunner) => r.maxRounds !== undefined && rounds >= r.maxRounds;
  let look: LookResult | null = null;
  let rounds = 0;
  let concluded = false;

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

  /** Head ran and base's first run had failed: a second base run decides between new and broken. */
  const decideNewOnHead = async (runner: SuiteRunner, c: Contact) => {
    const first = c.pendingBase!;
    try {
      await runner.sample('base', options.checkouts.base, signal);
    } catch (error) {
      if (outOfTime() || cancelled()) return; // undecided: reported as an error at the end
      if (!(error instanceof SuiteError)) throw error;
      c.pendingBase = null;
      c.headOnly = true;
      const name = runner.suite.name;
      const why = first.message.replace(/^suite "[^"]*" on base: /, '');
      const line = keyLine(first.outputTail);
      warn(
        'new-on-head',
        `Suite "${name}" is new on head: on base ${why}${line ? ` (${line})` : ''}, on head it runs, so it is measured ` +
          'on head only (absolute budgets apply). If the benchmark also exists on base, fix it there: nothing was compared.',
      );
      reporter.notice(
        `◆ suite "${name}" is new on head (on base ${why}); measuring it on head only` +
          (first.outputTail ? `\n${indent(first.outputTail)}` : ''),
      );
      return;
    }
    // Base ran on the second try: the first failure was not a missing benchmark. Report it.
    c.pendingBase = null;
    fail(runner, first);
  };

  /** Runs one warm-up or sample; false when it failed or was stopped. `real`: a run actually happened. */
  const attempt = async (
    runner: SuiteRunner,
    side: Side,
    kind: string,
    work: () => Promise<void>,
    real = true,
  ): Promise<boolean> => {
    const ok = await tryRun(runner, side, work, real);
    if (options.isolation && !cancelled()) {
      isolationError = await options.isolation(side, `suite "${runner.suite.name}" (${kind})`);
      if (isolationError) reporter.notice(`✖ ${isolationError}`);
    }
    return ok;
  };

  const tryRun = async (
    runner: SuiteRunner,
    side: Side,
    work: () => Promise<void>,
    real: boolean,
  ): Promise<boolean> => {
    const c = contact.get(runner.suite.name)!;
    try {
      await work();
    } catch (error) {
      if (outOfTime() || cancelled()) return false; // stopped on purpose, not a failure of the suite
      if (!(error instanceof SuiteError)) throw error;
      if (side === 'base' && !c.ran.base && error.couldBeMissing && !c.pendingBase) {
        c.pendingBase = error;
        if (c.ran.head) await decideNewOnHead(runner, c);
        return false;
      }
      if (side === 'head' && c.pendingBase) {
        errors.push(c.pendingBase); // both sides fail: nothing new about it, report both
        c.pendingBase = null;
      }
      fail(runner, error);
      return false;
    }
    if (real) {
      c.ran[side] = true;
      if (side === 'head' && c.pendingBase) await decideNewOnHead(runner, c);
    }
    return true;
  };

  /** The sides a suite runs on: head only while base is pending or once the suite is new on head. */
  const sidesOf = (runner: SuiteRunner): Side[] => {
    const c = contact.get(runner.suite.name)!;
    return c.headOnly || c.pendingBase ? ['head'] : ['base', 'head'];
  };
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
      const real = runner.suite.warmup > 0;
      await attempt(runner, side, 'warm-up', () => runner.warmup(side, options.checkouts[side], signal), real);
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
      if (!options.gate.looks.includes(rounds) || rounds >= options.maxRounds) {
        reporter.round(progress());
        continue;
      }
      look = options.gate.look([...samples.values()], rounds, false);
      const suiteOf = (id: MetricId) => samples.get(id)?.suite;
      const settled = new Set(look.failed.map(suiteOf));
      const open = new Set(look.undecided.map(suiteOf));
      active = active.filter((r) => open.has(r.suite.name) && !settled.has(r.suite.name));
      reporter.round({ ...progress(), look: { final: false, done: look.done || active.length === 0 } });
      if (look.done || active.length === 0) {
        concluded = true;
        break;
      }
    }
    // A base failure still waiting for head's first run (head never ran): an error like any other.
    for (const runner of runners) {
      const c = contact.get(runner.suite.name)!;
      if (c.pendingBase && !failed.has(runner.suite.name)) fail(runner, c.pendingBase);
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
    headOnly: runners.filter((r) => contact.get(r.suite.name)!.headOnly).map((r) => r.suite.name),
    durationS: now() - started,
    cancelled: cancelled(),
    isolationError,
    curves: [...curves.values()],
  };
}

/** What a look decided, counted as the report's headline counts it. */
function lookCounts(look: LookResult, final: boolean): { gated: number; open: number; failing: number } {
  const gated = look.results.filter((r) => r.budget.kind !== 'off' && r.outcome !== 'added' && r.outcome !== 'removed');
  const open = final ? gated.filter((r) => r.outcome === 'inconclusive').length : look.undecided.length;
  return { gated: gated.length, open, failing: look.failed.length };
}

/**
 * The line of a failure's output that says what went wrong ("Error: Cannot find module …",
 * "ERROR: file or directory not found: …", "error: no bench target named …"), else the last line.
 */
export function keyLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line =
    lines.find((l) => /\b(error|not found|no such|cannot|could not|no \w+ files?)\b/i.test(l) && !/^at /.test(l)) ??
    lines[lines.length - 1] ??
    '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
