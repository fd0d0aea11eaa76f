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
 * - A suite new on head (a PR that adds its benchmark): its first run on base fails the way a
 *   missing benchmark fails (an error exit, no output, no working directory — not a timeout or
 *   a signal), its first run on head succeeds, and a second base run fails again. It is then
 *   measured on head only (its metrics have no base samples: outcome `added`) and a warning
 *   keeps base's error. Any other pattern — base fails after having run, head fails, the retry
 *   passes — is an error as before, so a broken base is never mistaken for a new benchmark.
 */
import type { LookResult, SequentialGate } from '../core/engine';
import type { MetricId, MetricSamples, Side, Warning } from '../core/model';
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
  /** Where progress goes (a terminal line, or log lines). */
  reporter: MeasureReporter;
  /** Filled with the unit of every metric as it is first seen (budgets need it). */
  unitsSeen?: Map<MetricId, string>;
  /** Monotonic clock in seconds (injectable for tests). */
  now?: () => number;
}

export interface MeasureOutcome {
  samples: MetricSamples[];
  look: LookResult | null;
  rounds: number;
  warnings: Warning[];
  errors: SuiteError[];
  /** Suites measured on head only because they are new on head. */
  headOnly: string[];
  durationS: number;
}

const defaultNow = () => performance.now() / 1000;

/** Per-suite state of the first contact with each side (see "new on head" above). */
interface Contact {
  /** A side has completed at least one real run (a warm-up run or a sample). */
  ran: Record<Side, boolean>;
  /** Base's first run failed like a missing benchmark; waiting for head's first run to decide. */
  pendingBase: SuiteError | null;
  headOnly: boolean;
}

/** Runs the rounds and returns every sample plus the gate's final look. */
export async function measure(runners: SuiteRunner[], options: MeasureOptions): Promise<MeasureOutcome> {
  const now = options.now ?? defaultNow;
  const reporter = options.reporter;
  const started = now();
  const random = mulberry32(options.seed);
  const samples = new Map<MetricId, MetricSamples>();
  const suiteOf = new Map<MetricId, string>();
  const warnings = new Map<string, Warning>();
  const warn = (code: string, text: string) => warnings.set(text, { code, text });
  const errors: SuiteError[] = [];
  const failed = new Set<string>();
  const contact = new Map<string, Contact>(
    runners.map((r) => [r.suite.name, { ran: { base: false, head: false }, pendingBase: null, headOnly: false }]),
  );
  let active = runners;
  let look: LookResult | null = null;
  let rounds = 0;
  let concluded = false;

  const fail = (runner: SuiteRunner, error: SuiteError) => {
    errors.push(error);
    failed.add(runner.suite.name);
    reporter.notice(`✖ ${error.message}${error.outputTail ? `\n${indent(error.outputTail)}` : ''}`);
  };

  /** Head ran and base's first run had failed: a second base run decides between new and broken. */
  const decideNewOnHead = async (runner: SuiteRunner, c: Contact) => {
    const first = c.pendingBase!;
    c.pendingBase = null;
    try {
      await runner.sample('base', options.checkouts.base, options.signal);
    } catch (error) {
      if (!(error instanceof SuiteError)) throw error;
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
    fail(runner, first);
  };

  const attempt = async (runner: SuiteRunner, side: Side, work: () => Promise<void>, real: boolean) => {
    const c = contact.get(runner.suite.name)!;
    try {
      await work();
    } catch (error) {
      if (!(error instanceof SuiteError)) throw error;
      if (side === 'base' && !c.ran.base && error.couldBeMissing && !c.pendingBase) {
        c.pendingBase = error;
        if (c.ran.head) await decideNewOnHead(runner, c);
        return;
      }
      if (side === 'head' && c.pendingBase) {
        errors.push(c.pendingBase); // both sides fail: nothing new about it, report both
        c.pendingBase = null;
      }
      fail(runner, error);
      return;
    }
    if (!real) return;
    c.ran[side] = true;
    if (side === 'head' && c.pendingBase) await decideNewOnHead(runner, c);
  };

  /** The sides a suite still runs on this round. */
  const sidesOf = (runner: SuiteRunner): Side[] => {
    const c = contact.get(runner.suite.name)!;
    return c.headOnly || c.pendingBase ? ['head'] : ['base', 'head'];
  };
  const pairs = (list: SuiteRunner[]) => list.flatMap((r) => sidesOf(r).map((side) => [r, side] as const));

  const progress = (extra: Partial<RoundProgress> = {}): RoundProgress => {
    const elapsedS = now() - started;
    const perRound = rounds > 0 ? elapsedS / rounds : 0;
    const metrics = samples.size;
    return {
      round: rounds,
      maxRounds: options.maxRounds,
      suites: active.length,
      metrics,
      decided: look ? metrics - look.undecided.length : 0,
      elapsedS,
      remainingS: Math.max(0, Math.min(options.maxTimeS - elapsedS, perRound * (options.maxRounds - rounds))),
      nextLook: options.gate.looks.find((l) => l > rounds) ?? null,
      ...extra,
    };
  };

  reporter.start({ suites: runners.length, seed: options.seed });
  for (const [runner, side] of shuffle(pairs(runners), random)) {
    if (failed.has(runner.suite.name) || !sidesOf(runner).includes(side)) continue;
    const real = runner.suite.warmup > 0;
    await attempt(runner, side, () => runner.warmup(side, options.checkouts[side], options.signal), real);
  }

  let roundS = 0;
  while (true) {
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
      look = options.gate.look([...samples.values()], rounds, true);
      concluded = true;
      break;
    }
    const roundStart = now();
    for (const [runner, side] of shuffle(pairs(active), random)) {
      if (failed.has(runner.suite.name) || !sidesOf(runner).includes(side)) continue;
      await attempt(
        runner,
        side,
        async () => {
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
        },
        true,
      );
    }
    rounds++;
    roundS = Math.max(roundS * 0.5, now() - roundStart); // pessimistic estimate of the next round
    if (options.gate.looks.includes(rounds)) {
      look = options.gate.look([...samples.values()], rounds, false);
      const undecided = new Set(look.undecided.map((id) => suiteOf.get(id)));
      reporter.round(progress({ look: { done: look.done } }));
      if (look.done) {
        concluded = true;
        break;
      }
      active = active.filter((r) => undecided.has(r.suite.name));
    } else {
      reporter.round(progress());
    }
  }
  // A base failure still waiting for head's first run (head never ran): an error like any other.
  for (const runner of runners) {
    const c = contact.get(runner.suite.name)!;
    if (c.pendingBase && !failed.has(runner.suite.name)) fail(runner, c.pendingBase);
  }
  // Suites that failed can end the loop early: conclude with what was measured.
  if (!concluded && rounds > 0) look = options.gate.look([...samples.values()], rounds, true);
  reporter.end(progress({ look: { done: true } }));
  return {
    samples: [...samples.values()],
    look,
    rounds,
    warnings: [...warnings.values()],
    errors,
    headOnly: runners.filter((r) => contact.get(r.suite.name)!.headOnly).map((r) => r.suite.name),
    durationS: now() - started,
  };
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
