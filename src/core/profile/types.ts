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

/** The differential view of one kind of profile of one suite. */
export interface ProfileView {
  /** `cpu`: where the CPU's work went (time, or instructions with callgrind); `heap`: live allocations. */
  kind: 'cpu' | 'heap';
  unit: ProfileUnit;
  /** What costs are divided by: one profiled run, or one request served (HTTP suites). */
  per: 'run' | 'request';
  functions: ProfileFrame[];
  /** Functions ranked by the growth of their self cost, largest first (only growths). */
  top: FunctionCost[];
  /** All profiled cost per run/request on each side. */
  baseTotal: number;
  headTotal: number;
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
