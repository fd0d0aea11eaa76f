/**
 * Capacity of one scenario on one running server: load steps at constant arrival rates on the grid
 * of `core/capacity.ts`, each judged against the objective, until the search has bracketed the
 * highest rate that holds. Every step is an open-loop run (coordinated-omission corrected) of
 * `step` seconds after `stepWarmup` seconds at the same rate, on the same server process.
 *
 * The load generator's own ceiling: a capacity the server never showed must not be reported. Once
 * per process perfgate measures the highest constant rate its driver sustains against a trivial
 * server on this machine (`driverCeiling`); the grid stops at 80 % of it, a step during which the
 * driver used most of a core does not count, and a search that still holds at that cap ends with
 * "the load generator saturated before the server did" instead of a capacity.
 */

import { nearestIndex, rateGrid, searchCapacity } from '../../core/capacity';
import type { CapacityStep } from '../../core/model';
import type { CapacityOptions, HttpScenario } from '../../settings/suites';
import { childEnv } from '../process';
import { runLoad } from './load';
import { startServer } from './server';

/** Load-generator CPU use (fraction of one core) from which a run counts as driver-saturated. */
export const DRIVER_SATURATION = 0.9;
/** A rate run (or capacity step) that completes fewer than this fraction of its target is saturated. */
export const RATE_TOLERANCE = 0.9;
/** Share of the measured driver ceiling that capacity searches may use. */
export const CEILING_MARGIN = 0.8;

/** The load generator could not drive the rate a capacity search needed. */
export class DriverSaturatedError extends Error {
  override readonly name = 'DriverSaturatedError';
}

let ceiling: Promise<number> | undefined;

/**
 * The highest constant rate (1/s) perfgate's driver sustains on this machine against a trivial
 * Node server (≥ 90 % of the target, its own CPU below 90 % of a core): doubling from 2,000/s, then
 * bisecting once, 0.5 s per step. Measured once per process (about 5 s); `PERFGATE_DRIVER_CEILING`
 * overrides it.
 */
export function driverCeiling(): Promise<number> {
  const fixed = Number(process.env.PERFGATE_DRIVER_CEILING);
  if (fixed > 0) return Promise.resolve(fixed);
  ceiling ??= measureCeiling();
  return ceiling;
}

async function measureCeiling(): Promise<number> {
  const server = await startServer({
    suite: 'driver ceiling',
    side: 'base',
    command: `"${process.execPath}" -e 'require("node:http").createServer((q, s) => s.end("ok")).listen(process.env.PORT, process.env.HOST)'`,
    cwd: process.cwd(),
    env: childEnv(process.env),
    readyTimeout: 30,
  });
  const scenario: HttpScenario = { name: 'ceiling', method: 'GET', path: '/' };
  const sustains = async (rate: number) => {
    const r = await runLoad({ port: server.port, scenario, connections: 100, rate, warmup: 0.2, duration: 0.5 });
    const attempts = r.ok + r.non2xx + r.errors;
    return attempts / r.window >= RATE_TOLERANCE * rate && r.driverCpu / r.window < DRIVER_SATURATION;
  };
  try {
    let good = 0;
    let rate = 2000;
    while (rate <= 512_000 && (await sustains(rate))) {
      good = rate;
      rate *= 2;
    }
    if (good > 0 && (await sustains(good * 1.5))) good *= 1.5;
    return Math.max(good, 500); // never below what every machine drives
  } finally {
    await server.stop();
  }
}

export interface CapacityResult {
  /** The highest rate that held (1/s); below `from` when even `from` failed (see `below`). */
  capacity: number;
  /** The objective held at the top of the grid, which is the suite's `to`. */
  censoredAtTo: boolean;
  /** The objective failed already at `from`. */
  below: boolean;
  runs: number;
  steps: CapacityStep[];
}

export interface CapacityRunOptions {
  port: number;
  scenario: HttpScenario;
  capacity: CapacityOptions;
  /** Connections per step; by default enough for the rate at the objective's latency (Little's law). */
  connections?: number;
  /** Warm start: a rate near the expected capacity (the median of earlier replicates). */
  start?: number;
  /** The driver's ceiling (1/s), from `driverCeiling`. */
  ceiling: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Connections for a step at `rate`: twice the concurrency at the objective's latency, 8 to 1,000. */
export function stepConnections(rate: number, bound: number): number {
  return Math.min(1000, Math.max(8, Math.ceil(rate * bound * 2)));
}

/**
 * Searches the capacity of one scenario. Throws `DriverSaturatedError` when the load generator,
 * not the server, limited a step the result depends on.
 */
export async function measureCapacity(o: CapacityRunOptions): Promise<CapacityResult> {
  const c = o.capacity;
  const cap = CEILING_MARGIN * o.ceiling;
  const saturated = (rate: number) =>
    new DriverSaturatedError(
      `the load generator saturated before the server did: the objective still held at ${Math.round(rate)}/s, ` +
        `and this machine's load generator drives about ${Math.round(o.ceiling)}/s at most (perfgate uses up to ${Math.round(cap)}/s of it). ` +
        'The capacity is above what can be measured here: lower "to", give each request more work, or use a runner with more cores.',
    );
  if (c.from > cap) throw saturated(c.from);
  const top = Math.min(c.to, cap);
  const grid = rateGrid(c.from, top, c.resolution);
  const steps: CapacityStep[] = [];
  const result = await searchCapacity(
    grid,
    async (k) => {
      o.signal?.throwIfAborted();
      const rate = grid[k];
      const run = await runLoad({
        port: o.port,
        scenario: o.scenario,
        connections: o.connections ?? stepConnections(rate, c.slo.bound),
        rate,
        warmup: c.stepWarmup,
        duration: c.step,
        signal: o.signal,
      });
      o.signal?.throwIfAborted();
      const window = Math.max(run.window, 1e-9);
      const attempts = run.ok + run.non2xx + run.errors;
      const achieved = attempts / window;
      const latency = run.latency.percentileSeconds(c.slo.percentile);
      const errors = attempts === 0 ? 1 : (run.non2xx + run.errors) / attempts;
      if (run.driverCpu / window >= DRIVER_SATURATION) throw saturated(rate);
      const holds = latency !== null && latency < c.slo.bound && errors < c.errors && achieved >= RATE_TOLERANCE * rate;
      steps.push({ rate, achieved, latency, errors, holds });
      o.log?.(
        `capacity ${o.scenario.name}: ${Math.round(rate)}/s → ${Math.round(achieved)}/s, p${c.slo.percentile} ${latency === null ? '–' : `${(latency * 1000).toFixed(2)} ms`}, errors ${(errors * 100).toFixed(2)} % — ${holds ? 'holds' : 'breaks'}`,
      );
      return { holds };
    },
    o.start === undefined ? 0 : nearestIndex(grid, o.start),
  );
  if (result.censored && top < c.to) throw saturated(grid[grid.length - 1]);
  const below = result.index < 0;
  return {
    capacity: below ? grid[0] / (1 + c.resolution) : grid[result.index],
    censoredAtTo: result.censored,
    below,
    runs: result.runs,
    steps,
  };
}
