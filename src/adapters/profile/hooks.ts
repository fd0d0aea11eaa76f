/** The seam between suite runners and profilers. */

/** How a profiled run differs from a measured one: more environment, and perhaps a wrapped command. */
export interface ProfilerHooks {
  /** Environment additions, given the environment the command would otherwise get. */
  env(current: NodeJS.ProcessEnv): Record<string, string>;
  /** The command to run instead (e.g. under `perf record`). */
  wrap(command: string): string;
  /** How many times the suite's timeout the wrapped command may take (default 2: a profiler has a cost; a CPU simulator more). */
  slowdown?: number;
  /** What runs the command, for messages (`valgrind`). */
  label?: string;
}

/** What a profiled run reports beside its profile files. */
export interface ProfiledRun {
  /** Requests answered during the measured load windows (HTTP suites). */
  requests?: number;
  /** The measured load windows, in µs of the monotonic clock (`process.hrtime`). */
  windows?: [number, number][];
}

/** Now on the monotonic clock, in µs (the clock of V8 profiles and of `perf record -k CLOCK_MONOTONIC`). */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
