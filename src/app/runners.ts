/**
 * Suite runners: the measurement seam. A runner produces one `Replicate` of one suite on one
 * side per call; the orchestrator decides when and in which order. Tests substitute a
 * `scriptedRunner` that returns prepared values, as hyperfine's mock executor does.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { HarnessParseError, harnessReplicate } from '../adapters/harness';
import { HttpSuiteError, measureHttpReplicate, runHttpReplicate } from '../adapters/http';
import { runMeasured } from '../adapters/process';
import type { ProfiledRun, ProfilerHooks } from '../adapters/profile/hooks';
import { metricId } from '../core/metric';
import type { Replicate, Side } from '../core/model';
import { median } from '../core/stats/quantiles';
import type { CommandSuite, HarnessSuite, Suite } from '../settings/suites';

/** An infrastructure failure of a suite on one side: never a regression verdict. */
export class SuiteError extends Error {
  constructor(
    readonly suite: string,
    readonly side: Side,
    message: string,
    readonly outputTail = '',
    /**
     * The failure is the kind a benchmark missing from this side's checkout produces (an error
     * exit, no output, no working directory), as opposed to a timeout or a signal. The measure
     * loop only then considers a suite that fails on base "new on head".
     */
    readonly couldBeMissing = false,
  ) {
    super(`suite "${suite}" on ${side}: ${message}`);
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
    throw new SuiteError(
      suite.name,
      side,
      `working directory "${suite.cwd}" does not exist in the ${side} checkout`,
      '',
      true,
    );
  const run = hooks
    ? await runMeasured(hooks.wrap(suite.run), {
        cwd,
        env: { ...suite.env, ...hooks.env({ ...process.env, ...suite.env }) },
        timeoutS: suite.timeout * PROFILED_TIMEOUT_FACTOR,
        signal,
      })
    : await runMeasured(suite.run, { cwd, env: suite.env, timeoutS: suite.timeout, signal });
  if (run.aborted) throw signal?.reason ?? new Error('cancelled');
  if (run.timedOut) {
    throw new SuiteError(
      suite.name,
      side,
      `"${suite.run}" did not finish within ${suite.timeout} s and was stopped`,
      run.outputTail,
    );
  }
  if (run.exitCode !== 0) {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    throw new SuiteError(suite.name, side, `"${suite.run}" ${how}`, run.outputTail, !run.signal);
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

/** A command suite: metrics `wall`, `cpu`, `rss` of one fresh process. */
export function commandRunner(suite: CommandSuite): SuiteRunner {
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
        true,
      );
    }
    const text = outputFile ? readFileSync(outputFile) : run.stdout;
    const source = outputFile ? suite.output! : 'stdout';
    try {
      return harnessReplicate(suite.name, suite.format, text, `${side}: ${source}`);
    } catch (error) {
      if (error instanceof HarnessParseError)
        throw new SuiteError(suite.name, side, error.message, run.outputTail, true);
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
      if (error instanceof HttpSuiteError)
        throw new SuiteError(suite.name, side, error.message, '', error.couldBeMissing);
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
