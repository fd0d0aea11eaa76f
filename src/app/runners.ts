/**
 * Suite runners: the measurement seam. A runner produces one `Replicate` of one suite on one
 * side per call; the orchestrator decides when and in which order. Tests substitute a
 * `scriptedRunner` that returns prepared values, as hyperfine's mock executor does.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { HarnessParseError, harnessReplicate } from '../adapters/harness';
import { HttpSuiteError, measureHttpReplicate, runHttpReplicate } from '../adapters/http';
import {
  counterAvailability,
  countingCommand,
  PERF_STAT_SLOWDOWN,
  readCachegrindDir,
  scratchDir,
  VALGRIND_SLOWDOWN,
  valgrindLogTail,
} from '../adapters/instructions';
import { runMeasured } from '../adapters/process';
import type { ProfiledRun, ProfilerHooks } from '../adapters/profile/hooks';
import { CounterOutputError, cachegrindCount, instructionsMetricId, perfStatCount } from '../core/instructions';
import { metricId } from '../core/metric';
import type { InstructionCounter, Replicate, Side } from '../core/model';
import { median } from '../core/stats/quantiles';
import type { CommandSuite, HarnessSuite, Suite } from '../settings/suites';

/** An infrastructure failure of a suite on one side: never a regression verdict. */
export class SuiteError extends Error {
  constructor(
    readonly suite: string,
    readonly side: Side,
    /** What went wrong, without the suite and side (the message has them). */
    readonly detail: string,
    readonly outputTail = '',
  ) {
    super(`suite "${suite}" on ${side}: ${detail}`);
    this.name = 'SuiteError';
  }
}

/** Produces replicates of one suite. */
export interface SuiteRunner {
  readonly suite: Suite;
  /** Untimed runs before measuring (results discarded, failures still reported). */
  warmup(side: Side, checkout: string, signal?: AbortSignal): Promise<void>;
  /** One replicate. Throws `SuiteError` on an infrastructure failure. */
  sample(side: Side, checkout: string, signal?: AbortSignal): Promise<Replicate>;
  /**
   * One extra run under a profiler (after the verdict; nothing it measures is kept). Throws
   * `SuiteError` on a failure. Absent: the suite cannot be profiled.
   */
  profiled?(side: Side, checkout: string, hooks: ProfilerHooks, signal?: AbortSignal): Promise<ProfiledRun>;
  /** Rounds after which this suite stops sampling whatever the looks say (soak suites: their `rounds`). */
  readonly maxRounds?: number;
}

/** Profiled runs may take longer than measured ones: the profiler has a cost. */
const PROFILED_TIMEOUT_FACTOR = 2;

function suiteCwd(suite: Suite, checkout: string): string {
  return suite.cwd ? path.resolve(checkout, suite.cwd) : checkout;
}

/** Runs a shell command once as a measured process group; a failure becomes a `SuiteError`. */
async function runOnce(
  suite: CommandSuite | HarnessSuite,
  side: Side,
  checkout: string,
  signal?: AbortSignal,
  hooks?: ProfilerHooks,
) {
  const cwd = suiteCwd(suite, checkout);
  if (!existsSync(cwd))
    throw new SuiteError(suite.name, side, `working directory "${suite.cwd}" does not exist in the ${side} checkout`);
  const timeoutS = hooks ? suite.timeout * (hooks.slowdown ?? PROFILED_TIMEOUT_FACTOR) : suite.timeout;
  const run = hooks
    ? await runMeasured(hooks.wrap(suite.run), {
        cwd,
        env: { ...suite.env, ...hooks.env({ ...process.env, ...suite.env }) },
        timeoutS,
        signal,
      })
    : await runMeasured(suite.run, { cwd, env: suite.env, timeoutS, signal });
  if (run.aborted) throw signal?.reason ?? new Error('cancelled');
  if (run.lost) {
    // Its processes were no longer watched while it ran: nothing it measured is a sample.
    throw new SuiteError(
      suite.name,
      side,
      `"${suite.run}" lost its supervision (${run.lost}; did it kill its parent process?), so it is not a sample. ` +
        `What it had started was stopped: ${run.leftBehind.join('; ') || 'nothing was left'}.`,
      run.outputTail,
    );
  }
  if (run.timedOut) {
    throw new SuiteError(
      suite.name,
      side,
      `"${suite.run}" did not finish within ${timeoutS} s${hooks?.slowdown ? ` (${hooks.slowdown} × its timeout, under ${hooks.label ?? 'a profiler'})` : ''} and was stopped`,
      run.outputTail,
    );
  }
  if (run.exitCode !== 0) {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    throw new SuiteError(suite.name, side, `"${suite.run}" ${how}`, run.outputTail);
  }
  if (run.leftBehind.length > 0) {
    // Its work went on after the measurement ended, so the sample does not measure it.
    throw new SuiteError(
      suite.name,
      side,
      `"${suite.run}" left a background process running when it exited (${run.leftBehind.join('; ')}); perfgate killed it. ` +
        'A benchmark must finish its work before it exits: wait for what it starts (e.g. `wait` in a shell) or stop it.',
      run.outputTail,
    );
  }
  return run;
}

/**
 * One run of a command suite under its instruction counter; the count. The counter writes into a
 * scratch directory outside both checkouts, removed afterwards. A failure under the counter
 * carries valgrind's own last messages (its log is kept out of the command's output).
 */
async function countOnce(
  suite: CommandSuite,
  counter: InstructionCounter,
  side: Side,
  checkout: string,
  signal?: AbortSignal,
): Promise<number> {
  const available = await counterAvailability(counter);
  if (!available.ok) throw new SuiteError(suite.name, side, `cannot count instructions: ${available.reason}`);
  const dir = scratchDir();
  try {
    const label = counter === 'valgrind' ? 'valgrind' : 'perf stat';
    const hooks: ProfilerHooks = {
      env: () => ({}),
      wrap: (command) => countingCommand(counter, available.tool, command, dir),
      slowdown: counter === 'valgrind' ? VALGRIND_SLOWDOWN : PERF_STAT_SLOWDOWN,
      label,
    };
    try {
      await runOnce(suite, side, checkout, signal, hooks);
    } catch (error) {
      const log = counter === 'valgrind' ? valgrindLogTail(dir) : '';
      if (error instanceof SuiteError)
        throw new SuiteError(
          suite.name,
          side,
          `under ${label}: ${error.detail}`,
          [error.outputTail, log && `${label}:\n${log}`].filter(Boolean).join('\n'),
        );
      throw error;
    }
    try {
      if (counter === 'hardware') {
        const stat = perfStatCount(readFileSync(path.join(dir, 'perf-stat.txt'), 'utf8'));
        if (!stat.ok) throw new CounterOutputError(stat.reason);
        return stat.count;
      }
      const files = readCachegrindDir(dir);
      if (files.length === 0) throw new CounterOutputError('valgrind wrote no count file');
      return files.reduce((sum, text) => sum + cachegrindCount(text), 0);
    } catch (error) {
      if (error instanceof CounterOutputError || (error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new SuiteError(
          suite.name,
          side,
          `the instruction count could not be read: ${(error as Error).message}`,
          valgrindLogTail(dir),
        );
      throw error;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A command suite: metrics `wall`, `cpu`, `rss` of one fresh process; with `instructions`, also
 * `instructions`, counted in a second run of the same sample under the counter (wall, CPU and
 * RSS never come from the counted run: a simulated CPU runs 20–100× slower, one thread at a time,
 * with its own memory).
 */
export function commandRunner(suite: CommandSuite): SuiteRunner {
  const counter = suite.instructions;
  return {
    suite,
    async warmup(side, checkout, signal) {
      for (let i = 0; i < suite.warmup; i++) await runOnce(suite, side, checkout, signal);
    },
    async sample(side, checkout, signal) {
      const run = await runOnce(suite, side, checkout, signal);
      const values: Replicate['values'] = [
        { id: `${suite.name}:wall`, unit: 's', direction: 'lower', value: run.wallS },
      ];
      if (run.cpuS !== null) values.push({ id: `${suite.name}:cpu`, unit: 's', direction: 'lower', value: run.cpuS });
      if (run.rssB !== null) values.push({ id: `${suite.name}:rss`, unit: 'B', direction: 'lower', value: run.rssB });
      if (counter) {
        const count = await countOnce(suite, counter, side, checkout, signal);
        values.push({ id: instructionsMetricId(suite.name), unit: 'count', direction: 'lower', value: count, counter });
      }
      const warnings =
        run.cpuS === null ? ['python3 was not found, so only wall time was measured (cpu and rss need it).'] : [];
      return { values, warnings };
    },
    async profiled(side, checkout, hooks, signal) {
      await runOnce(suite, side, checkout, signal, hooks);
      return {};
    },
  };
}

/** A harness suite: run the harness, read its output (file or stdout), one replicate per invocation. */
export function harnessRunner(suite: HarnessSuite): SuiteRunner {
  const read = async (side: Side, checkout: string, signal?: AbortSignal) => {
    const outputFile = suite.output ? path.resolve(suiteCwd(suite, checkout), suite.output) : null;
    if (outputFile) rmSync(outputFile, { force: true }); // never read a stale file from an earlier run
    const run = await runOnce(suite, side, checkout, signal);
    if (outputFile && !existsSync(outputFile)) {
      throw new SuiteError(
        suite.name,
        side,
        `the harness finished but did not write its output file "${suite.output}"`,
        run.outputTail,
      );
    }
    const text = outputFile ? readFileSync(outputFile) : run.stdout;
    const source = outputFile ? suite.output! : 'stdout';
    try {
      return harnessReplicate(suite.name, suite.format, text, `${side}: ${source}`);
    } catch (error) {
      if (error instanceof HarnessParseError) throw new SuiteError(suite.name, side, error.message, run.outputTail);
      throw error;
    }
  };
  return {
    suite,
    async warmup(side, checkout, signal) {
      for (let i = 0; i < suite.warmup; i++) await read(side, checkout, signal);
    },
    sample: read,
    async profiled(side, checkout, hooks, signal) {
      await runOnce(suite, side, checkout, signal, hooks);
      return {};
    },
  };
}

/** An HTTP suite: a fresh server per replicate, each scenario under load (see adapters/http). */
export function httpRunner(suite: Extract<Suite, { kind: 'http' }>): SuiteRunner {
  // Capacity suites start each search near the capacities found so far: the median over both
  // sides' first n replicates, n the count both sides have (so neither side starts from its own).
  const found: Record<Side, Map<string, number[]>> = { base: new Map(), head: new Map() };
  const capacityStart = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [scenario, base] of found.base) {
      const head = found.head.get(scenario) ?? [];
      const n = Math.min(base.length, head.length);
      if (n > 0) out[scenario] = median([...base.slice(0, n), ...head.slice(0, n)]);
    }
    return out;
  };
  const once = async (side: Side, checkout: string, signal?: AbortSignal) => {
    try {
      const start = suite.capacity ? capacityStart() : undefined;
      const replicate = await runHttpReplicate(suite, { side, checkoutDir: checkout, signal, capacityStart: start }); // resolves suite.cwd itself
      for (const scenario of suite.capacity ? suite.scenarios : []) {
        const id = metricId(suite.name, scenario.name, 'capacity');
        const capacity = replicate.values.find((v) => v.id === id);
        if (capacity) found[side].set(scenario.name, [...(found[side].get(scenario.name) ?? []), capacity.value]);
      }
      return replicate;
    } catch (error) {
      // The adapter's message already ends with the server's last output.
      if (error instanceof HttpSuiteError) throw new SuiteError(suite.name, side, error.message);
      throw error;
    }
  };
  return {
    suite,
    async warmup(side, checkout, signal) {
      // A soak's warm-up would be as long as the soak; its settle time is its warm-up.
      if (suite.soak) return;
      for (let i = 0; i < suite.warmup; i++) await once(side, checkout, signal);
    },
    sample: once,
    async profiled(side, checkout, hooks, signal) {
      try {
        const { served } = await measureHttpReplicate(
          { ...suite, timeout: suite.timeout * PROFILED_TIMEOUT_FACTOR },
          { side, checkoutDir: checkout, signal, profiler: hooks },
        );
        return served;
      } catch (error) {
        if (error instanceof HttpSuiteError) throw new SuiteError(suite.name, side, error.message);
        throw error;
      }
    },
    ...(suite.soak ? { maxRounds: suite.soak.rounds } : {}),
  };
}

/**
 * Every suite that counts instructions with a counter that cannot count here, as error texts
 * naming the suite, the reason and the fix (for a missing valgrind: the install command). Checked
 * before anything is built, so a run fails within seconds rather than after the builds.
 */
export async function counterErrors(suites: readonly Suite[]): Promise<string[]> {
  const errors: string[] = [];
  for (const suite of suites) {
    if (suite.kind !== 'command' || !suite.instructions) continue;
    const available = await counterAvailability(suite.instructions);
    if (!available.ok) errors.push(`Suite "${suite.name}" counts instructions, but ${lowerFirst(available.reason)}`);
  }
  return errors;
}

const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text);

/** The runner for a suite of any kind. */
export function createRunner(suite: Suite): SuiteRunner {
  switch (suite.kind) {
    case 'command':
      return commandRunner(suite);
    case 'harness':
      return harnessRunner(suite);
    case 'http':
      return httpRunner(suite);
  }
}
