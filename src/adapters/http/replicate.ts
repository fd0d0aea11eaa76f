/**
 * One replicate of an HTTP suite on one side: a fresh server process, then per scenario a
 * warm-up and a measured load run, turned into metric values and warnings.
 *
 * Per-run summaries, not per-request samples: each replicate contributes one value per metric
 * (p50 … p99 from the run's full histogram, never a mean of per-second percentiles), and the
 * statistics compare replicates across rounds.
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { metricId } from '../../core/metric';
import type { CapacityCurve, MetricValue, Replicate, Side } from '../../core/model';
import type { CapacityOptions, HttpScenario, HttpSuite, SoakOptions } from '../../settings/suites';
import { childEnv } from '../process';
import { groupCpuSeconds, groupPeakRssBytes, listGroup, procAvailable } from '../procfs';
import { monotonicUs, type ProfiledRun, type ProfilerHooks } from '../profile/hooks';
import { DRIVER_SATURATION, DriverSaturatedError, driverCeiling, measureCapacity, RATE_TOLERANCE } from './capacity';
import { HttpSuiteError } from './errors';
import { type LoadRunResult, runLoad } from './load';
import { type ServerProcess, startServer } from './server';
import { runSoak } from './soak';

export interface HttpRunOptions {
  side: Side;
  /** Root of this side's checkout; the suite's `cwd` is relative to it. */
  checkoutDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Capacity suites: per scenario, a rate to start the search at (earlier replicates' median). */
  capacityStart?: Record<string, number>;
  /** Runs the server under a profiler (a profiled run after the verdict). */
  profiler?: ProfilerHooks;
}

/** Wall-clock seconds spent in each phase of one replicate. */
export interface HttpReplicateTimings {
  /** Spawning the server until it was ready and verified (all port attempts). */
  start: number;
  /** Warm-up load (the un-measured start of each scenario's load run). */
  warmup: number;
  /** Measured windows of the load runs, until the load generator finished. */
  measured: number;
  /** Stopping the process group. */
  stop: number;
  total: number;
}

export { DRIVER_SATURATION, RATE_TOLERANCE };
/** Connections when a suite sets `rate` but not `connections`: one per request/s, at most this. */
export const MAX_DEFAULT_RATE_CONNECTIONS = 100;
/** Connections when a suite sets neither `rate` nor `connections` (autocannon's default, kept). */
export const DEFAULT_CONNECTIONS = 10;

const PERCENTILES = [50, 90, 95, 99] as const;

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`;
}

function fmtRate(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** Per-request timeout of the load runs, in seconds (autocannon's default, kept). */
export const REQUEST_TIMEOUT = 10;

/**
 * Connections and rate used for a suite. With a rate and no `connections`: one connection per
 * request/s up to 100, so each connection sends at most about once per second and a slow
 * response delays few others.
 */
export function loadShape(suite: HttpSuite): { connections: number; rate?: number } {
  if (suite.rate === undefined) return { connections: suite.connections ?? DEFAULT_CONNECTIONS };
  return {
    connections: suite.connections ?? Math.min(Math.ceil(suite.rate), MAX_DEFAULT_RATE_CONNECTIONS),
    rate: suite.rate,
  };
}

/** The environment of a server started from a checkout (see `childEnv`). */
export const serverEnv = childEnv;

function abortReason(signal: AbortSignal | undefined, fallback: unknown): unknown {
  return signal?.aborted ? (signal.reason ?? fallback) : fallback;
}

/** A running server of one replicate, and how the replicate ends early. */
interface UnderLoad {
  server: ServerProcess;
  /** Fires when the suite's `timeout` passes or the caller's signal aborts. */
  signal: AbortSignal;
  /** Whether the replicate was stopped by the suite's `timeout` (not by the caller). */
  timedOut: () => boolean;
  timeoutError: (server?: ServerProcess) => HttpSuiteError;
}

/** One replicate under way: its suite, the running server, and what its scenarios add up to. */
interface ReplicateRun extends UnderLoad {
  suite: HttpSuite;
  opts: HttpRunOptions;
  timings: HttpReplicateTimings;
  served: Required<ProfiledRun>;
  values: MetricValue[];
  warnings: string[];
  curves: CapacityCurve[];
}

/**
 * Runs one replicate and also returns how long each phase took (used by the load benchmark).
 * See `runHttpReplicate`.
 */
export async function measureHttpReplicate(
  suite: HttpSuite,
  opts: HttpRunOptions,
): Promise<{ replicate: Replicate; timings: HttpReplicateTimings; served: Required<ProfiledRun> }> {
  const timings: HttpReplicateTimings = { start: 0, warmup: 0, measured: 0, stop: 0, total: 0 };
  // Requests answered in the measured windows, and those windows (a profile is cut to them).
  const served: Required<ProfiledRun> = { requests: 0, windows: [] };
  const replicate = await underLoad(suite, opts, timings, async (live) => {
    const run: ReplicateRun = {
      ...live,
      suite,
      opts,
      timings,
      served,
      values: [],
      warnings: [...live.server.warnings],
      curves: [],
    };
    if (!procAvailable())
      run.warnings.push(
        `HTTP suite "${suite.name}": server CPU and memory (cpu, rss) are not measured on this platform (they need Linux /proc).`,
      );
    for (const scenario of suite.scenarios) {
      if (suite.soak) await soakScenario(run, scenario, suite.soak);
      else if (suite.capacity) await capacityScenario(run, scenario, suite.capacity);
      else await loadScenario(run, scenario);
    }
    const result: Replicate = { values: run.values, warnings: run.warnings };
    if (run.curves.length) result.curves = run.curves;
    return result;
  });
  return { replicate, timings, served };
}

/**
 * Starts the suite's server, waits until it is ready, runs `body` with it, and stops its process
 * group however `body` ends. Fills in the start, stop and total timings.
 */
async function underLoad<T>(
  suite: HttpSuite,
  opts: HttpRunOptions,
  timings: HttpReplicateTimings,
  body: (live: UnderLoad) => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  // The suite's `timeout` bounds the whole replicate; the caller's signal can cancel it too.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('timeout')), suite.timeout * 1000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
  const timedOut = () => timeout.signal.aborted && !opts.signal?.aborted;
  const timeoutError = (server?: ServerProcess) =>
    new HttpSuiteError(
      `The ${opts.side} run of HTTP suite "${suite.name}" took longer than its timeout of ${suite.timeout} s and was stopped.`,
      opts.side,
      server?.tail() ?? '',
    );

  let server: ServerProcess | undefined;
  try {
    server = await launchServer(suite, opts, signal, timedOut, timeoutError);
    timings.start = (performance.now() - t0) / 1000;
    return await body({ server, signal, timedOut, timeoutError });
  } finally {
    clearTimeout(timer);
    if (server) {
      const s0 = performance.now();
      const left = await server.stop();
      timings.stop = (performance.now() - s0) / 1000;
      if (left) opts.log?.(left);
    }
    timings.total = (performance.now() - t0) / 1000;
  }
}

/** Starts the suite's server in this side's checkout (under the profiler, if any) and waits until it is ready. */
async function launchServer(
  suite: HttpSuite,
  opts: HttpRunOptions,
  signal: AbortSignal,
  timedOut: () => boolean,
  timeoutError: () => HttpSuiteError,
): Promise<ServerProcess> {
  const cwd = resolvePath(opts.checkoutDir, suite.cwd ?? '.');
  if (!existsSync(cwd))
    throw new HttpSuiteError(
      `HTTP suite "${suite.name}": the working directory "${suite.cwd ?? '.'}" does not exist in the ${opts.side} checkout.`,
      opts.side,
      '',
      true,
    );
  try {
    return await startServer({
      suite: suite.name,
      side: opts.side,
      command: opts.profiler ? opts.profiler.wrap(suite.server) : suite.server,
      cwd,
      env: serverEnv(
        process.env,
        opts.profiler ? { ...suite.env, ...opts.profiler.env({ ...process.env, ...suite.env }) } : suite.env,
      ),
      ready: suite.ready,
      readyTimeout: suite.readyTimeout,
      signal,
      log: opts.log,
    });
  } catch (err) {
    if (timedOut()) throw timeoutError();
    throw abortReason(opts.signal, err);
  }
}

/**
 * The signal that stops one scenario's load: the server's exit or the replicate's abort fires it,
 * until `release()`. With `reasons` it carries why (soak and capacity runs); without, it carries
 * none, and a replicate already aborted fires it at once (plain load runs).
 */
function scenarioStop(live: UnderLoad, reasons: boolean): { signal: AbortSignal; release: () => void } {
  const { server, signal } = live;
  const stop = new AbortController();
  const offExit = server.onExit(() => (reasons ? stop.abort(new Error('server exited')) : stop.abort()));
  const onAbort = () => (reasons ? stop.abort(signal.reason) : stop.abort());
  signal.addEventListener('abort', onAbort, { once: true });
  if (!reasons && signal.aborted) stop.abort();
  const release = () => {
    offExit();
    signal.removeEventListener('abort', onAbort);
  };
  return { signal: stop.signal, release };
}

/** After a scenario's load: throws when the server exited, the suite's timeout passed or the caller aborted. */
function throwIfStopped(run: ReplicateRun, during: string, fallback: unknown): void {
  const { server } = run;
  if (!server.alive) throw server.error(`${server.describeExit()} during ${during}.`);
  if (run.timedOut()) throw run.timeoutError(server);
  if (run.signal.aborted) throw abortReason(run.opts.signal, fallback);
}

/** A soak suite's scenario: one soak run (growth and reported metrics). */
async function soakScenario(run: ReplicateRun, scenario: HttpScenario, soak: SoakOptions): Promise<void> {
  const { suite, opts, server } = run;
  const stop = scenarioStop(run, true);
  const m0 = performance.now();
  try {
    const r = await runSoak({
      suite: suite.name,
      side: opts.side,
      port: server.port,
      pgid: server.pgid,
      supervisorPid: server.supervisorPid,
      scenario,
      soak,
      connections: suite.connections,
      signal: stop.signal,
    });
    run.values.push(...r.values);
    run.warnings.push(...r.warnings);
  } finally {
    stop.release();
  }
  run.timings.measured += (performance.now() - m0) / 1000;
  throwIfStopped(run, `the soak of scenario "${scenario.name}"`, new Error('aborted'));
  opts.log?.(`${opts.side}: ${suite.name}/${scenario.name}: soak of ${soak.duration} s done`);
}

/** A capacity suite's scenario: one capacity search (a capacity metric and its curve). */
async function capacityScenario(run: ReplicateRun, scenario: HttpScenario, capacity: CapacityOptions): Promise<void> {
  const { suite, opts, server, signal } = run;
  const stop = scenarioStop(run, true);
  const m0 = performance.now();
  let result: CapacityResult;
  try {
    result = await measureCapacity({
      port: server.port,
      scenario,
      capacity,
      connections: suite.connections,
      start: opts.capacityStart?.[scenario.name],
      ceiling: await driverCeiling(signal),
      signal: stop.signal,
      log: opts.log,
    });
  } catch (err) {
    throwIfStopped(run, `the capacity search of scenario "${scenario.name}"`, err);
    if (err instanceof DriverSaturatedError)
      throw new HttpSuiteError(`HTTP suite "${suite.name}", scenario "${scenario.name}": ${err.message}`, opts.side);
    throw err;
  } finally {
    stop.release();
  }
  run.timings.measured += (performance.now() - m0) / 1000;
  recordCapacity(run, scenario, capacity, result);
}

type CapacityResult = Awaited<ReturnType<typeof measureCapacity>>;

/** A capacity search's metric, curve and warnings, and its line in the log. */
function recordCapacity(run: ReplicateRun, scenario: HttpScenario, capacity: CapacityOptions, result: CapacityResult) {
  const { suite, opts } = run;
  const prefix = `${suite.name}/${scenario.name}`;
  const id = metricId(suite.name, scenario.name, 'capacity');
  run.values.push({ id, unit: '1/s', direction: 'higher', value: result.capacity, grid: capacity.resolution });
  run.curves.push({
    metric: id,
    side: opts.side,
    slo: capacity.slo.text,
    bound: capacity.slo.bound,
    errorBound: capacity.errors,
    steps: result.steps,
  });
  if (result.below)
    run.warnings.push(
      `${prefix}: the objective (${capacity.slo.text}, errors < ${pct(capacity.errors)}) failed already at "from" (${capacity.from}/s); the capacity is recorded one grid step below it. Lower "from".`,
    );
  if (result.censoredAtTo)
    run.warnings.push(
      `${prefix}: the objective still held at "to" (${capacity.to}/s), so the capacity is recorded as "to": the server may take more. Raise "to".`,
    );
  opts.log?.(
    `${opts.side}: ${prefix}: capacity ${fmtRate(result.capacity)}/s after ${result.runs} load step${result.runs === 1 ? '' : 's'}`,
  );
}

/** A load suite's scenario: a warm-up and a measured load run (throughput, latency, errors, cpu, rss). */
async function loadScenario(run: ReplicateRun, scenario: HttpScenario): Promise<void> {
  const { suite, opts, server } = run;
  const prefix = `${suite.name}/${scenario.name}`;
  const shape = loadShape(suite);
  const { load, serverCpu } = await measuredLoad(run, scenario, shape);
  throwIfStopped(run, `the load run of scenario "${scenario.name}"`, new Error('aborted'));

  const rss = groupPeakRssBytes(server.pgid, server.supervisorPid);
  const summary = summarizeRun(prefix, load, { ...shape, serverCpu, rss });
  run.values.push(...summary.values);
  run.warnings.push(...summary.warnings);
  opts.log?.(`${opts.side}: ${describeRun(prefix, load, serverCpu)}`);
}

/**
 * One warm-up and measured load run, with the server's CPU over the measured window; adds the
 * window to `served` and its phases to the timings.
 */
async function measuredLoad(
  run: ReplicateRun,
  scenario: HttpScenario,
  shape: ReturnType<typeof loadShape>,
): Promise<{ load: LoadRunResult; serverCpu: number | null }> {
  const { suite, opts, server: live } = run;
  // The server's exit or the caller's abort stops the load at once.
  const stop = scenarioStop(run, false);
  const members = (listGroup(live.pgid) ?? []).map((p) => p.pid);
  let cpuBefore: number | null = null;
  let measureStart = performance.now();
  let windowStart = monotonicUs();
  const w0 = performance.now();
  let load: LoadRunResult;
  try {
    try {
      load = await runLoad({
        port: live.port,
        scenario,
        ...shape,
        warmup: suite.warmupDuration,
        duration: suite.duration,
        requestTimeout: REQUEST_TIMEOUT,
        signal: stop.signal,
        onMeasureStart: () => {
          measureStart = performance.now();
          windowStart = monotonicUs();
          cpuBefore = groupCpuSeconds(live.pgid, members);
        },
      });
    } catch (err) {
      // The load driver rejected its options: a configuration problem of this scenario.
      throw new HttpSuiteError(
        `HTTP suite "${suite.name}", scenario "${scenario.name}": the load generator rejected the request (${(err as Error).message}).`,
        opts.side,
      );
    }
  } finally {
    stop.release();
  }
  run.served.windows.push([windowStart, monotonicUs()]);
  run.served.requests += load.ok + load.non2xx;
  const cpuAfter = groupCpuSeconds(live.pgid);
  run.timings.warmup += (measureStart - w0) / 1000;
  run.timings.measured += (performance.now() - measureStart) / 1000;
  const serverCpu = cpuBefore !== null && cpuAfter !== null ? Math.max(0, cpuAfter - cpuBefore) : null;
  return { load, serverCpu };
}

/**
 * One replicate = one fresh server process for this side; each scenario gets its own warm-up and
 * measured load run. Metric ids are `SUITE/SCENARIO:METRIC` for `throughput` (2xx responses/s),
 * `p50` `p90` `p95` `p99` (latency of 2xx responses, s), `errors` (failed fraction of requests),
 * `cpu` (server CPU seconds per response) and `rss` (server peak resident memory, B).
 *
 * Throws HttpSuiteError (an infrastructure failure, never a regression) when the server fails to
 * start, never becomes ready, exits during the run, its port cannot be secured, or the suite's
 * `timeout` passes; rethrows `signal.reason` on abort. The server's process group is always
 * stopped before this settles.
 */
export async function runHttpReplicate(suite: HttpSuite, opts: HttpRunOptions): Promise<Replicate> {
  return (await measureHttpReplicate(suite, opts)).replicate;
}

/** One line with a run's figures, for the log. */
export function describeRun(prefix: string, run: LoadRunResult, serverCpu: number | null): string {
  const ms = (p: number) => {
    const v = run.latency.percentileSeconds(p);
    return v === null ? '–' : `${(v * 1000).toFixed(3)} ms`;
  };
  const window = Math.max(run.window, 1e-9);
  const server = serverCpu === null ? '' : `, server CPU ${pct(serverCpu / window)}`;
  return (
    `${prefix}: ${run.ok} ok, ${run.non2xx} non-2xx, ${run.errors} errors (${run.timeouts} timeouts) in ${run.window.toFixed(2)} s = ` +
    `${fmtRate(run.ok / window)} req/s; p50 ${ms(50)}, p99 ${ms(99)}; load generator CPU ${pct(run.driverCpu / window)}${server}`
  );
}

export interface RunContext {
  connections: number;
  rate?: number;
  /** Server CPU seconds over the measured window (null when unknown). */
  serverCpu: number | null;
  /** Server peak RSS in bytes (null when unknown). */
  rss: number | null;
}

/**
 * Turns one measured load run into metric values and warnings. Pure: exported for tests.
 * - throughput and latency cover 2xx responses only, so failing fast never looks like a speed-up;
 * - errors = (connection errors + timeouts + non-2xx) / (responses + connection errors + timeouts);
 *   a run in which nothing completed at all counts as fully failed;
 * - latency metrics are omitted when there was no 2xx response (with a warning).
 */
export function summarizeRun(prefix: string, run: LoadRunResult, ctx: RunContext): Replicate {
  const values: MetricValue[] = [];
  const warnings: string[] = [];
  const add = (metric: string, unit: MetricValue['unit'], direction: MetricValue['direction'], value: number) =>
    values.push({ id: `${prefix}:${metric}`, unit, direction, value });
  const addPercentile = (p: number, value: number) =>
    values.push({ id: `${prefix}:p${p}`, unit: 's', direction: 'lower', value, percentile: p });

  const window = Math.max(run.window, 1e-9);
  const responses = run.ok + run.non2xx;
  const attempts = responses + run.errors;
  const failed = run.non2xx + run.errors;

  add('throughput', '1/s', 'higher', run.ok / window);
  for (const p of PERCENTILES) {
    const v = run.latency.percentileSeconds(p);
    if (v !== null) addPercentile(p, v);
  }
  add('errors', 'fraction', 'lower', attempts === 0 ? 1 : failed / attempts);
  if (ctx.serverCpu !== null && responses > 0) add('cpu', 's', 'lower', ctx.serverCpu / responses);
  if (ctx.rss !== null) add('rss', 'B', 'lower', ctx.rss);

  // Warnings are worded without per-run figures so that the same condition in many rounds reads
  // as one warning; the figures are in the metrics and in the log.
  if (attempts === 0)
    warnings.push(
      `${prefix}: no request completed or failed within a measured run (the server accepted connections but never answered); that run counts as errors = 100 %.`,
    );
  else if (run.ok === 0)
    warnings.push(
      `${prefix}: no request got a 2xx response in a measured run, so that run has no latency metrics; check the scenario's path, method and body.`,
    );
  if (run.non2xx > 0) {
    const codes = Object.keys(run.statusCounts)
      .map(Number)
      .filter((code) => code < 200 || code >= 300)
      .sort((a, b) => a - b)
      .join(', ');
    warnings.push(
      `${prefix}: some responses had a non-2xx status (${codes}); they count in "errors" and are left out of latency and throughput. Check the scenario if this is not intended.`,
    );
  }
  if (run.errors - run.timeouts > 0)
    warnings.push(`${prefix}: some requests failed with a connection error; they count in "errors".`);
  if (run.timeouts > 0)
    warnings.push(
      `${prefix}: some requests timed out without a response (after ${REQUEST_TIMEOUT} s); they count in "errors".`,
    );

  const driverLoad = run.driverCpu / window;
  const driverSaturated = driverLoad >= DRIVER_SATURATION;
  const serverLoad = ctx.serverCpu === null ? null : ctx.serverCpu / window;
  if (driverSaturated)
    warnings.push(
      `${prefix}: the load generator used over ${pct(DRIVER_SATURATION)} of a CPU core during a measured run, so it, not the server, may have limited throughput and inflated latencies; lower \`connections\`, set a \`rate\` below saturation, or use a runner with more cores.`,
    );
  if (ctx.rate !== undefined) {
    const achieved = attempts / window;
    if (achieved < RATE_TOLERANCE * ctx.rate) {
      let who: string;
      if (driverSaturated) who = 'the load generator (it used most of a CPU core)';
      else if (serverLoad !== null && serverLoad >= DRIVER_SATURATION) who = 'the server (it used most of a CPU core)';
      else
        who = `the server's response time with ${ctx.connections} connections (each waits for its response); raise \`connections\` or lower \`rate\``;
      warnings.push(
        `${prefix}: a run was saturated: it completed less than ${pct(RATE_TOLERANCE)} of the target rate ${ctx.rate}/s; the bottleneck was ${who}. Latencies of a saturated run measure queueing, not the server.`,
      );
    }
  }
  if (run.ok > 0 && run.ok < 100)
    warnings.push(
      `${prefix}: fewer than 100 successful responses in a measured run, so p99 is close to the maximum; lengthen \`duration\` or raise the load.`,
    );
  return { values, warnings };
}
