/**
 * The measurement loop: randomized interleaving of base and head in rounds, with sequential
 * looks.
 *
 * Design (see README, "How the verdict is reached"):
 * - Warm-up: each suite's untimed runs on both sides, in random order, before round 1.
 * - A round runs every still-active suite once on base and once on head. The order of all
 *   (suite, side) pairs within a round is shuffled (randomized complete blocks), so drift on the
 *   runner hits both sides alike and order is never confounded with side (no strict ABAB).
 * - After the rounds at which the gate plans a look, the gate analyses all samples so far. A
 *   suite stops once every metric it gates is decided; measuring stops when all are decided,
 *   at max-rounds, or when the next round would overrun max-time (then a final look spends the
 *   remaining alpha).
 * - An infrastructure failure (a suite that crashes, times out or writes no results) stops
 *   that suite and is reported as an error, never as a regression.
 */
import type { LookResult, SequentialGate } from '../core/engine';
import type { MetricId, MetricSamples, Side, Warning } from '../core/model';
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
  /**
   * Checks after every warm-up and sample of a side that the other side's checkout is untouched
   * (see `IsolationGuard`); an error text stops the measurement.
   */
  isolation?: (side: Side, what: string) => Promise<string | null>;
}

export interface MeasureOutcome {
  samples: MetricSamples[];
  look: LookResult | null;
  rounds: number;
  warnings: Warning[];
  errors: SuiteError[];
  durationS: number;
  /** True when `signal` stopped the measurement: `look` then covers the rounds completed before. */
  cancelled: boolean;
  /** Set when one side changed the other's checkout: the comparison is void. */
  isolationError: string | null;
}

const defaultNow = () => performance.now() / 1000;

/** Runs the rounds and returns every sample plus the gate's final look. */
export async function measure(runners: SuiteRunner[], options: MeasureOptions): Promise<MeasureOutcome> {
  const now = options.now ?? defaultNow;
  const started = now();
  const random = mulberry32(options.seed);
  const samples = new Map<MetricId, MetricSamples>();
  const suiteOf = new Map<MetricId, string>();
  const warnings = new Map<string, Warning>();
  const warn = (code: string, text: string) => warnings.set(text, { code, text });
  const errors: SuiteError[] = [];
  const failed = new Set<string>();
  let active = runners.filter((r) => !failed.has(r.suite.name));
  let look: LookResult | null = null;
  let rounds = 0;
  let concluded = false;

  let isolationError: string | null = null;
  const cancelled = () => options.signal?.aborted === true;
  const stopped = () => cancelled() || isolationError !== null;
  // A suite that failed on one side before it measured anything there has nothing to compare:
  // its metrics are left out (its error says why) rather than shown as added or removed.
  const comparable = () =>
    [...samples.values()].filter(
      (s) => !(failed.has(suiteOf.get(s.id)!) && (s.base.length === 0 || s.head.length === 0)),
    );
  const attempt = async (runner: SuiteRunner, side: Side, kind: string, work: () => Promise<void>) => {
    if (stopped()) return;
    try {
      await work();
    } catch (error) {
      if (cancelled()) return; // whatever the abort made the suite report is not its failure
      if (!(error instanceof SuiteError)) throw error;
      errors.push(error);
      failed.add(runner.suite.name);
      options.log(`✖ ${error.message}${error.outputTail ? `\n${indent(error.outputTail)}` : ''}`);
    }
    if (options.isolation && !cancelled()) {
      try {
        isolationError = await options.isolation(side, `suite "${runner.suite.name}" (${kind})`);
      } catch (error) {
        if (cancelled()) return;
        throw error;
      }
      if (isolationError) options.log(`✖ ${isolationError}`);
    }
  };

  options.log(`Warming up ${runners.length} suite${runners.length === 1 ? '' : 's'} (seed ${options.seed})`);
  for (const [runner, side] of shuffle(pairs(runners), random)) {
    if (failed.has(runner.suite.name)) continue;
    await attempt(runner, side, 'warm-up', () => runner.warmup(side, options.checkouts[side], options.signal));
  }

  let roundS = 0;
  while (!stopped()) {
    active = active.filter((r) => !failed.has(r.suite.name));
    if (active.length === 0) break;
    const elapsed = now() - started;
    const outOfTime = rounds > 0 && elapsed + roundS > options.maxTimeS;
    if (rounds >= options.maxRounds || outOfTime) {
      if (outOfTime)
        warn(
          'max-time',
          `Stopped after ${rounds} rounds: the next round would have passed max-time (${options.maxTimeS} s).`,
        );
      look = options.gate.look(comparable(), rounds, true);
      concluded = true;
      break;
    }
    const roundStart = now();
    const before = new Map([...samples].map(([id, s]) => [id, { base: s.base.length, head: s.head.length }]));
    for (const [runner, side] of shuffle(pairs(active), random)) {
      if (failed.has(runner.suite.name)) continue;
      await attempt(runner, side, 'sample', async () => {
        const replicate = await runner.sample(side, options.checkouts[side], options.signal);
        for (const w of replicate.warnings) warn('replicate', `${runner.suite.name} (${side}): ${w}`);
        for (const v of replicate.values) {
          let s = samples.get(v.id);
          if (!s) {
            s = { id: v.id, unit: v.unit, direction: v.direction, base: [], head: [] };
            samples.set(v.id, s);
            suiteOf.set(v.id, runner.suite.name);
            options.unitsSeen?.set(v.id, v.unit);
          }
          s[side].push(v.value);
        }
      });
    }
    if (cancelled()) {
      // The round is incomplete: its samples are dropped, so both sides stay paired by round.
      for (const [id, s] of samples) {
        const kept = before.get(id);
        if (!kept) samples.delete(id);
        else for (const side of ['base', 'head'] as const) s[side].splice(kept[side]);
      }
      break;
    }
    rounds++;
    roundS = Math.max(roundS * 0.5, now() - roundStart); // pessimistic estimate of the next round
    if (options.gate.looks.includes(rounds)) {
      look = options.gate.look(comparable(), rounds, false);
      const undecided = new Set(look.undecided.map((id) => suiteOf.get(id)));
      options.log(
        `Look at round ${rounds}: ${look.undecided.length} metric${look.undecided.length === 1 ? '' : 's'} undecided` +
          (look.done ? ' — done' : ''),
      );
      if (look.done) {
        concluded = true;
        break;
      }
      active = active.filter((r) => undecided.has(r.suite.name));
    } else {
      options.log(`Round ${rounds} done (${active.length} suite${active.length === 1 ? '' : 's'})`);
    }
  }
  // Suites that failed, or a cancellation, can end the loop early: conclude with what was measured.
  if (!concluded && rounds > 0) look = options.gate.look(comparable(), rounds, true);
  return {
    samples: [...samples.values()],
    look,
    rounds,
    warnings: [...warnings.values()],
    errors,
    durationS: now() - started,
    cancelled: cancelled(),
    isolationError,
  };
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
