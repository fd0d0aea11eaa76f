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
 */
import type { LookResult, SequentialGate } from '../core/gate/gate';
import type { CapacityCurve, MetricId, MetricValue, Side, SoakSeries, Warning } from '../core/model';
import { mulberry32, shuffle } from '../core/random';
import { SuiteError, type SuiteRunner } from './runners';

export interface MeasureOptions {
  checkouts: Record<Side, string>;
  gate: SequentialGate;
  maxRounds: number;
  maxTimeS: number;
  seed: number;
  signal?: AbortSignal;
  /** Progress lines for the log. */
  log: (line: string) => void;
  /** Filled with the unit of every metric as it is first seen (budgets need it). */
  unitsSeen?: Map<MetricId, string>;
  /** Monotonic clock in seconds (injectable for tests). */
  now?: () => number;
  /** Replaces the max-time timer (simulations end the time at a chosen round). */
  timeUp?: AbortSignal;
}

export interface MeasureOutcome {
  look: LookResult | null;
  rounds: number;
  warnings: Warning[];
  errors: SuiteError[];
  durationS: number;
  /** Capacity suites: every capacity search's steps, per metric and side. */
  curves: CapacityCurve[];
  /** Soak suites: every soak run's resource series, in the order they ran. */
  series: SoakSeries[];
}

const defaultNow = () => performance.now() / 1000;

/** Runs the rounds and returns the gate's final look. */
export async function measure(runners: SuiteRunner[], options: MeasureOptions): Promise<MeasureOutcome> {
  const now = options.now ?? defaultNow;
  const started = now();
  const random = mulberry32(options.seed);
  const samples = new Map<
    MetricId,
    { id: MetricId; unit: string; direction: MetricValue['direction']; base: number[]; head: number[] }
  >();
  const suiteOf = new Map<MetricId, string>();
  const warnings = new Map<string, Warning>();
  const warn = (code: string, text: string) => warnings.set(text, { code, text });
  const errors: SuiteError[] = [];
  const curves = new Map<string, CapacityCurve>();
  const series: SoakSeries[] = [];
  const failed = new Set<string>();
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

  const attempt = async (runner: SuiteRunner, work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      if (outOfTime() || options.signal?.aborted) return false; // stopped on purpose, not a failure of the suite
      if (!(error instanceof SuiteError)) throw error;
      errors.push(error);
      failed.add(runner.suite.name);
      options.log(`✖ ${error.message}${error.outputTail ? `\n${indent(error.outputTail)}` : ''}`);
      return false;
    }
  };

  try {
    options.log(`Warming up ${runners.length} suite${runners.length === 1 ? '' : 's'} (seed ${options.seed})`);
    for (const [runner, side] of shuffle(pairs(runners), random)) {
      if (failed.has(runner.suite.name) || outOfTime()) continue;
      await attempt(runner, () => runner.warmup(side, options.checkouts[side], signal));
    }

    let active = runners.filter((r) => !failed.has(r.suite.name));
    while (active.length > 0 && rounds < options.maxRounds && !outOfTime()) {
      // One round, staged: its samples count only if the round completes.
      const staged: {
        runner: SuiteRunner;
        side: Side;
        values: MetricValue[];
        curves: CapacityCurve[];
        series: SoakSeries[];
      }[] = [];
      for (const [runner, side] of shuffle(pairs(active), random)) {
        if (failed.has(runner.suite.name) || outOfTime()) continue;
        await attempt(runner, async () => {
          const replicate = await runner.sample(side, options.checkouts[side], signal);
          for (const w of replicate.warnings) warn('replicate', `${runner.suite.name} (${side}): ${w}`);
          staged.push({
            runner,
            side,
            values: replicate.values,
            curves: replicate.curves ?? [],
            series: replicate.series ?? [],
          });
        });
      }
      if (outOfTime()) break;
      for (const { runner, side, values, curves: steps, series: soaked } of staged) {
        if (failed.has(runner.suite.name)) continue; // a suite that failed mid-round loses the round
        series.push(...soaked);
        for (const c of steps) {
          const key = `${c.metric}\u0000${c.side}`;
          const seen = curves.get(key);
          if (seen) seen.steps.push(...c.steps);
          else curves.set(key, { ...c, steps: [...c.steps] });
        }
        for (const v of values) {
          let s = samples.get(v.id);
          if (!s) {
            s = { id: v.id, unit: v.unit, direction: v.direction, base: [], head: [] };
            samples.set(v.id, s);
            suiteOf.set(v.id, runner.suite.name);
            options.unitsSeen?.set(v.id, v.unit);
          }
          s[side].push(v.value);
        }
      }
      rounds++;
      active = active.filter((r) => !failed.has(r.suite.name) && !capped(r));
      if (!options.gate.looks.includes(rounds) || rounds >= options.maxRounds) {
        options.log(`Round ${rounds} done (${active.length} suite${active.length === 1 ? '' : 's'})`);
        continue;
      }
      look = options.gate.look([...samples.values()], rounds, false);
      const settled = new Set(look.failed.map((id) => suiteOf.get(id)));
      const open = new Set(look.undecided.map((id) => suiteOf.get(id)));
      active = active.filter((r) => open.has(r.suite.name) && !settled.has(r.suite.name));
      options.log(lookLine(look, rounds, false));
      if (look.done || active.length === 0) {
        concluded = true;
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
      options.log(lookLine(look, rounds, true));
    } else if (rounds === 0 && outOfTime()) {
      warn('max-time', `max-time (${options.maxTimeS} s) ran out before the first round completed.`);
    }
  } finally {
    clearTimeout(timer);
  }
  return {
    look,
    rounds,
    warnings: [...warnings.values()],
    errors,
    durationS: now() - started,
    curves: [...curves.values()],
    series,
  };
}

/** The log line of a look, counting what the report's headline counts. */
function lookLine(look: LookResult, rounds: number, final: boolean): string {
  const gated = look.results.filter((r) => r.budget.kind !== 'off' && r.outcome !== 'added' && r.outcome !== 'removed');
  const failing = look.failed.length;
  const open = final ? gated.filter((r) => r.outcome === 'inconclusive').length : look.undecided.length;
  const decided = gated.length - open;
  return (
    `${final ? 'Final look' : 'Look'} at round ${rounds}: ${decided} of ${gated.length} gated metric${gated.length === 1 ? '' : 's'} decided` +
    (failing ? ` (${failing} beyond budget)` : '') +
    (open ? `, ${open} ${final ? 'inconclusive' : 'undecided'}` : '')
  );
}

function pairs(runners: SuiteRunner[]): [SuiteRunner, Side][] {
  return runners.flatMap((r) => [
    [r, 'base'],
    [r, 'head'],
  ]) as [SuiteRunner, Side][];
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
