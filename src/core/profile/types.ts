/**
 * Profiles of both sides and the differential view built from them (see README, "Where the
 * time went"). The first two types are what profiler adapters produce; the rest is what a report
 * carries and the renderers draw. Canonical units as everywhere: seconds of CPU (or wall) time
 * for CPU profiles, bytes for heap profiles.
 */

/** What a profile's costs are: seconds of CPU (or wall) time, bytes, or instructions (`count`). */
export type ProfileUnit = 's' | 'B' | 'count';

/** A function as a profile names it. */
export interface ProfileFrame {
  name: string;
  /** Source file relative to the checkout when it lies in it; else as the profiler gives it (`node:fs`, `/usr/lib/…/libc.so.6`, `[kernel]`). */
  file: string;
  /** 1-based line of the function's start, when known. */
  line: number | null;
  /**
   * The dependency the file belongs to, when it is one (`tinybench@6.2.5`, `github.com/x/y@v1.2.3`):
   * `file` is then the path inside the package (`dist/index.js`). Absent for the project's own code.
   */
  package?: string;
}

/** The weighted call stacks of one profiled run (identical stacks aggregated). */
export interface StackProfile {
  /** `s`: time; `B`: bytes (sampled heap); `count`: instructions (callgrind). */
  unit: ProfileUnit;
  frames: ProfileFrame[];
  /** Frame indices root first, and the weight of that exact stack (self cost of its leaf). */
  stacks: { frames: number[]; weight: number }[];
}

/** One function's cost on both sides, per run or per request. */
export interface FunctionCost {
  /** Index into `ProfileView.functions`. */
  fn: number;
  /** Cost in the function itself. */
  baseSelf: number;
  headSelf: number;
  /** Cost in the function and everything it called (each stack counted once). */
  baseTotal: number;
  headTotal: number;
}

/** One node of the merged call tree of both sides (`parent` −1 for a root). */
export interface FlameNode {
  fn: number;
  parent: number;
  /** Total cost of this call path on each side, per run or per request. */
  base: number;
  head: number;
}

/**
 * How a view's costs are normalized so that the two sides compare:
 * - `run`: cost per profiled run (a command that does a fixed amount of work);
 * - `request`, `operation`: cost per request served or operation done, where the suite counts them
 *   and the profile covers only them (an HTTP load window; a profiler that counts operations);
 * - `share`: each function's fraction of its side's profiled cost — for fixed-time harnesses
 *   (tinybench `time`, benchmark.js `maxTime`, Go `-benchtime`, JMH iterations, …), which spend the
 *   same time on both sides, so what grew is a function's share of it, not the total.
 */
export type ProfileBasis = 'run' | 'request' | 'operation' | 'share';

/** The differential view of one kind of profile of one suite. */
export interface ProfileView {
  /** `cpu`: where the CPU's work went (time, or instructions with callgrind); `heap`: live allocations. */
  kind: 'cpu' | 'heap';
  unit: ProfileUnit;
  /** How costs are normalized (see `ProfileBasis`); with `share`, every cost is a fraction of the side's total. */
  per: ProfileBasis;
  functions: ProfileFrame[];
  /**
   * Functions whose self cost grew, with their share of the profile grown in every profiled run (when
   * each side has two or more) by more than a sliver, ranked by that growth, largest first.
   */
  top: FunctionCost[];
  /** The growth of all functions in `top` (before it is cut to length): what "share of growth" divides by. Absent in older results. */
  grown?: number;
  /** All profiled cost per `per` on each side (1 each with `share`). */
  baseTotal: number;
  headTotal: number;
  /** With `share`: each side's profiled cost per run, in `unit` (what the fractions are of). */
  perRun?: { base: number; head: number };
  /** The merged call tree, pruned of slivers, parents before children. */
  flame: FlameNode[];
}

/** What profiling one suite produced. */
export interface SuiteProfile {
  suite: string;
  /**
   * `v8`: the V8 CPU (and sampling heap) profiler; `perf`: Linux perf; `callgrind`: valgrind's
   * exact instruction counts (suites that count instructions); `none`: no profiler could run.
   */
  profiler: 'v8' | 'perf' | 'callgrind' | 'none';
  /** The failing metrics that asked for the profile (empty with `profile: always`). */
  metrics: string[];
  /** Profiled runs per side. */
  runs: { base: number; head: number };
  views: ProfileView[];
  /** Raw profiles, relative to the results directory (`.cpuprofile`, `.heapprofile`, `.perf.txt`). */
  files: string[];
  /** Wall-clock seconds profiling this suite took (its extra cost). */
  costS: number;
  /** Why a profile is missing or partial, and what would fix it. */
  notes: string[];
}
