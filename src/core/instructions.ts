/**
 * Instruction counts of a command: reading what the counters write, and what the report says
 * about them. Pure: text in, numbers out.
 *
 * - `valgrind`: cachegrind (`--cache-sim=no`) runs the program on a simulated CPU and counts every
 *   user-space instruction it executes ("I refs", event `Ir`), one output file per process of the
 *   tree (`--trace-children=yes`); the count is their sum. The same binary, input and environment
 *   give the same count on any machine.
 * - `hardware`: the CPU's retired-instructions counter through `perf stat -e instructions:u`,
 *   inherited by every process the command starts. Close to deterministic, but not exactly
 *   (interrupts, page faults and speculation move it by a few parts in a million).
 */
import type { InstructionCounter, Warning } from './model';

/** A counter's output that cannot be read. */
export class CounterOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CounterOutputError';
  }
}

/**
 * The instructions (`Ir`) of one cachegrind output file (`cachegrind.out.PID`): its `summary:`
 * line, at the position of `Ir` in its `events:` line.
 */
export function cachegrindCount(text: string): number {
  let events: string[] | null = null;
  let summary: string[] | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith('summary:')) summary = line.slice(8).trim().split(/\s+/);
  }
  if (!events) throw new CounterOutputError('cachegrind output has no "events:" line');
  const at = events.indexOf('Ir');
  if (at < 0)
    throw new CounterOutputError(`cachegrind output does not count instructions (events: ${events.join(' ')})`);
  if (!summary) throw new CounterOutputError('cachegrind output has no "summary:" line (the process did not exit?)');
  const value = Number(summary[at] ?? '0');
  if (!Number.isSafeInteger(value) || value < 0)
    throw new CounterOutputError(`cachegrind output has an unreadable summary: "${summary.join(' ')}"`);
  return value;
}

/** What `perf stat -x,` reported for the instructions event. */
export type PerfStatCount = { ok: true; count: number } | { ok: false; reason: string };

/**
 * The count of `perf stat -x, -e instructions:u` output (CSV: value, unit, event, run time,
 * percentage running, …). `<not supported>` / `<not counted>` say the kernel offered no counter;
 * a counter that ran for only part of the time (multiplexed) is refused rather than scaled.
 */
export function perfStatCount(text: string): PerfStatCount {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const fields = line.split(',');
    if (!/^instructions(:\w+)?$/.test(fields[2] ?? '')) continue;
    const value = fields[0].trim();
    if (value.startsWith('<')) return { ok: false, reason: `perf stat reports the instructions counter as ${value}` };
    const count = Number(value);
    const running = Number(fields[4]);
    if (!Number.isFinite(count) || count < 0)
      return { ok: false, reason: `perf stat printed an unreadable count: "${line.trim()}"` };
    if (Number.isFinite(running) && running < 100)
      return {
        ok: false,
        reason: `the instructions counter ran for only ${running}% of the time (multiplexed with other events)`,
      };
    return { ok: true, count };
  }
  return { ok: false, reason: 'perf stat printed no instructions line' };
}

/** The metric of a suite's instruction count. */
export function instructionsMetricId(suite: string): string {
  return `${suite}:instructions`;
}

/**
 * Spread of one side's counts (largest over smallest, minus one) above which the report says that
 * the program does not count the same from run to run. A compiled program's counts agree to a few
 * parts in a million; a JIT runtime's vary by a percent and more.
 */
export const COUNT_SPREAD_NOTE = 0.001;

/** The largest spread of counts within one side (max/min − 1); 0 with fewer than 2 counts. */
export function countSpread(base: readonly number[], head: readonly number[]): number {
  const spread = (xs: readonly number[]) => {
    const positive = xs.filter((x) => x > 0);
    return positive.length < 2 ? 0 : Math.max(...positive) / Math.min(...positive) - 1;
  };
  return Math.max(spread(base), spread(head));
}

/**
 * `r` with the counter's notes first among its notes, when it is an instruction count (for the
 * renderers): which counter produced the numbers, and whether the same commit counted differently
 * from run to run.
 */
export function withCounterNote<
  R extends { id: string; counter?: InstructionCounter; warnings: Warning[]; base: number[]; head: number[] },
>(r: R): R {
  if (!r.counter) return r;
  const notes: Warning[] = [{ code: 'counter', metric: r.id, text: counterNote(r.counter) }];
  const spread = countSpread(r.base, r.head);
  if (spread > COUNT_SPREAD_NOTE)
    notes.push({
      code: 'count-spread',
      metric: r.id,
      text:
        `The same commit counted up to ${(spread * 100).toFixed(spread < 0.01 ? 2 : 1)} % more instructions in one run than in another: ` +
        'threads or a JIT make this program take different paths from run to run, so deciding needs more rounds. ' +
        'Node.js: run it as `node --predictable …` (counts then agree to a few parts in a million); see "Instruction counts" in the README.',
    });
  const fresh = notes.filter((n) => !r.warnings.some((w) => w.text === n.text));
  return fresh.length === 0 ? r : { ...r, warnings: [...fresh, ...r.warnings] };
}

/** The report's note on an instructions metric: which counter produced the numbers, and what the other metrics are. */
export function counterNote(counter: InstructionCounter): string {
  const how =
    counter === 'valgrind'
      ? "Instructions counted by valgrind's cachegrind (a simulated CPU): user-space instructions of every process the command starts; the same program and input give the same count on any runner."
      : 'Instructions counted by the CPU\'s hardware counter (perf stat, event "instructions:u"): user-space instructions of every process the command starts.';
  return `${how} Wall, CPU and RSS come from separate runs of the command without the counter, in the same rounds.`;
}
