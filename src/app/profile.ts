/**
 * After the verdict: profiles of both sides of the suites that failed, and the differential
 * view built from them (README, "Where the time went").
 *
 * - A few extra runs per side, under a profiler, never mixed into the measured samples
 *   (profiling perturbs timing), in interleaved rounds in random order like the measurement.
 * - Node.js commands and servers: V8's CPU profiler in every node process (and the sampling heap
 *   profiler when memory failed); anything else: `perf record` when perf can record here. A short
 *   probe run on head decides which: a command that leaves no V8 profile is not Node.js.
 * - Profiling never changes a verdict: any failure becomes a note on the suite's profile.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { counterAvailability } from '../adapters/instructions';
import {
  CALLGRIND_SLOWDOWN,
  type CallgrindFile,
  callgrindCommand,
  collectCallgrind,
  nodeSymbolOptions,
} from '../adapters/profile/callgrind';
import type { ProfiledRun, ProfilerHooks } from '../adapters/profile/hooks';
import { nodeProfileFiles, nodeProfilerEnv, writePreload } from '../adapters/profile/node';
import { tagDependencies } from '../adapters/profile/packages';
import {
  type PerfAvailability,
  perfAvailability,
  perfCommand,
  perfScript,
  resolveSourceLines,
} from '../adapters/profile/perf';
import { FAILING_OUTCOMES, type MetricResult, type Side } from '../core/model';
import { perfMapLookup, readCallgrind } from '../core/profile/callgrind';
import { differential } from '../core/profile/diff';
import { readPerfScript } from '../core/profile/perf-script';
import type { ProfileBasis, ProfileView, StackProfile, SuiteProfile } from '../core/profile/types';
import { readCpuProfile, readHeapProfile } from '../core/profile/v8';
import { mulberry32, shuffle } from '../core/random';
import type { ProfilePolicy } from '../settings/settings';
import { SuiteError, type SuiteRunner } from './runners';

/** Profiled runs per side: enough to average out one run's noise, few enough to stay cheap. */
export const PROFILED_RUNS = { command: 3, harness: 3, http: 2 } as const;
/** callgrind counts instructions exactly: one run per side is the profile. */
export const CALLGRIND_RUNS = 1;
/** Profiling stops starting new rounds past this many seconds (it is extra time on every failing PR). */
export const PROFILE_MAX_S = 300;

export interface ProfileTarget {
  runner: SuiteRunner;
  /** The failing metrics that ask for this profile (empty with `profile: always`). */
  metrics: MetricResult[];
}

export interface ProfilePhaseOptions {
  checkouts: Record<Side, string>;
  targets: ProfileTarget[];
  /** Directory for the raw profiles (`perfgate-profiles` beside the results). */
  dir: string;
  /** Raw profiles are named relative to this directory (the results directory). */
  relativeTo: string;
  seed: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Replaces the perf probe (tests). */
  perf?: () => Promise<PerfAvailability>;
  /** Replaces `PROFILED_RUNS` (tests, the bench script). */
  runs?: number;
}

interface RunRecord {
  dir: string;
  served: ProfiledRun;
  /** `perf script` text file (perf only). */
  perfText?: string;
  /** callgrind files, one per process, with their perf maps (callgrind only). */
  callgrind?: CallgrindFile[];
}

interface Context {
  /** URL of the preload script: its own frames (starting and writing the profile) are left out. */
  preloadUrl: string;
  relative: (where: string) => string;
}

interface State {
  target: ProfileTarget;
  slug: string;
  profiler: SuiteProfile['profiler'];
  heap: boolean;
  perf?: Extract<PerfAvailability, { ok: true }>;
  /** valgrind, for callgrind. */
  valgrind?: string;
  runs: Record<Side, RunRecord[]>;
  notes: string[];
  costS: number;
  stopped: boolean;
}

const now = () => performance.now() / 1000;

/** Turns a script URL or binary path into a name relative to the checkout it lies in. */
function relativeFile(checkouts: Record<Side, string>): (where: string) => string {
  const roots = [checkouts.base, checkouts.head].map((r) => r + path.sep);
  return (where) => {
    let file = where;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        return where;
      }
    }
    for (const root of roots) if (file.startsWith(root)) return file.slice(root.length);
    return file;
  };
}

/** Profiled runs per side for a suite: one for a capacity suite (each run is a whole search of rates) and under callgrind. */
function runsFor(runner: SuiteRunner, profiler?: SuiteProfile['profiler']): number {
  const suite = runner.suite;
  if (profiler === 'callgrind') return CALLGRIND_RUNS;
  if (suite.kind === 'http' && suite.capacity) return 1;
  return PROFILED_RUNS[suite.kind];
}

/** Runs the profiling phase and builds one `SuiteProfile` per target. Never throws for a profiler's trouble. */
export async function profileSuites(options: ProfilePhaseOptions): Promise<SuiteProfile[]> {
  if (options.targets.length === 0) return [];
  const started = now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'perfgate-profile-'));
  const preload = writePreload(tmp);
  const context: Context = { relative: relativeFile(options.checkouts), preloadUrl: pathToFileURL(preload).href };
  const nodeHooks = nodeHooksFor(preload);
  const states = options.targets.map(newState);
  try {
    // Which profiler: a probe run on head under V8's profiler.
    for (const state of states) await chooseProfiler(state, path.join(tmp, `probe-${state.slug}`), nodeHooks, options);
    await profileRounds(states, started, nodeHooks, options);
    return await Promise.all(
      states.map(async (state) => {
        const t0 = now();
        const profile = await buildProfile(state, context, options);
        profile.costS += now() - t0;
        return profile;
      }),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    options.log(`Profiling took ${(now() - started).toFixed(1)} s`);
  }
}

/** Hooks that run a command's node processes under V8's profiler, writing into `outDir`. */
type NodeHooks = (outDir: string, heap: boolean) => ProfilerHooks;

function nodeHooksFor(preload: string): NodeHooks {
  return (outDir, heap) => ({
    env: (current) => nodeProfilerEnv(preload, outDir, heap, current),
    wrap: (command) => command,
  });
}

function newState(target: ProfileTarget): State {
  return {
    target,
    slug: target.runner.suite.name.replace(/^\.+/, '_'),
    profiler: 'none',
    heap: target.metrics.some((m) => m.unit === 'B'),
    runs: { base: [], head: [] },
    notes: [],
    costS: 0,
    stopped: false,
  };
}

/** Runs `work`, adding the time it took to the suite's profiling cost. */
async function timed<T>(state: State, work: () => Promise<T>): Promise<T> {
  const t0 = now();
  try {
    return await work();
  } finally {
    state.costS += now() - t0;
  }
}

/** A profiled run failed: the suite's profiling stops with a note (a cancellation goes through). */
function fail(state: State, error: unknown, options: ProfilePhaseOptions): void {
  if (options.signal?.aborted) throw error;
  state.stopped = true;
  const why = error instanceof SuiteError ? error.message : `${(error as Error).message}`;
  state.notes.push(`A profiled run failed, so profiling stopped: ${why}`);
}

/** Picks the suite's profiler: callgrind for instructions, else V8 when a probe run on head leaves a V8 profile, else perf. */
async function chooseProfiler(
  state: State,
  probeDir: string,
  nodeHooks: NodeHooks,
  options: ProfilePhaseOptions,
): Promise<void> {
  const { runner } = state.target;
  if (!runner.profiled) {
    state.stopped = true;
    state.notes.push('This suite cannot be profiled.');
    return;
  }
  if (runner.suite.kind === 'http' && runner.suite.soak) {
    state.stopped = true;
    state.notes.push('Soak suites are not profiled: one profiled run would last the whole soak.');
    return;
  }
  if (await chooseCallgrind(state)) return;
  try {
    await timed(state, () =>
      runner.profiled!('head', options.checkouts.head, nodeHooks(probeDir, false), options.signal),
    );
  } catch (error) {
    fail(state, error, options);
    return;
  }
  if (nodeProfileFiles(probeDir).cpu.length > 0) {
    state.profiler = 'v8';
    return;
  }
  const available = await (options.perf ?? perfAvailability)();
  if (available.ok) {
    state.profiler = 'perf';
    state.perf = available;
  } else {
    state.stopped = true;
    state.notes.push(`No profiler could run: the command started no Node.js process, and ${available.reason}`);
  }
}

/** Whether the suite is profiled with callgrind (notes why not when valgrind is missing). */
async function chooseCallgrind(state: State): Promise<boolean> {
  const suite = state.target.runner.suite;
  // A suite that counts instructions is explained in instructions: callgrind, no probe needed.
  if (!(suite.kind === 'command' && suite.instructions)) return false;
  const valgrind = await counterAvailability('valgrind');
  if (valgrind.ok) {
    state.profiler = 'callgrind';
    state.valgrind = valgrind.tool;
    return true;
  }
  state.notes.push(`Instructions are explained with valgrind's callgrind, but ${valgrind.reason}`);
  return false;
}

/** The profiled runs: rounds of every active suite's runs on both sides, in random order, within `PROFILE_MAX_S`. */
async function profileRounds(
  states: State[],
  started: number,
  nodeHooks: NodeHooks,
  options: ProfilePhaseOptions,
): Promise<void> {
  const active = () => states.filter((s) => !s.stopped);
  const runsOf = (s: State) => options.runs ?? runsFor(s.target.runner, s.profiler);
  const rounds = Math.max(...states.map(runsOf));
  const random = mulberry32(options.seed ^ 0x9e3779b9);
  if (active().length > 0)
    options.log(
      `Profiling ${active()
        .map((s) => `${s.target.runner.suite.name} (${PROFILER_NAMES[s.profiler]})`)
        .join(', ')}: up to ${rounds} runs per side`,
    );
  for (let round = 1; round <= rounds; round++) {
    if (round > 1 && now() - started > PROFILE_MAX_S) {
      for (const s of active())
        s.notes.push(`Profiling stopped after ${round - 1} runs per side: it had taken over ${PROFILE_MAX_S} s.`);
      break;
    }
    const pairs = active()
      .filter((s) => round <= runsOf(s))
      .flatMap((s) => (['base', 'head'] as const).map((side) => [s, side] as const));
    for (const [state, side] of shuffle([...pairs], random)) {
      if (state.stopped) continue;
      const n = state.runs[side].length + 1;
      const dir = path.join(options.dir, state.slug, `${side}-${n}`);
      mkdirSync(path.dirname(dir), { recursive: true });
      try {
        const record = await timed(state, () => profiledRun(state, side, dir, nodeHooks, options));
        state.runs[side].push(record);
      } catch (error) {
        fail(state, error, options);
      }
    }
  }
}

async function profiledRun(
  state: State,
  side: Side,
  dir: string,
  nodeHooks: NodeHooks,
  options: ProfilePhaseOptions,
): Promise<RunRecord> {
  const { runner } = state.target;
  const checkout = options.checkouts[side];
  if (state.profiler === 'v8') {
    const served = await runner.profiled!(side, checkout, nodeHooks(dir, state.heap), options.signal);
    return { dir, served };
  }
  if (state.profiler === 'callgrind') {
    mkdirSync(dir, { recursive: true });
    const since = Date.now();
    const served = await runner.profiled!(
      side,
      checkout,
      {
        env: nodeSymbolOptions,
        wrap: (command) => callgrindCommand(state.valgrind!, command, dir),
        slowdown: CALLGRIND_SLOWDOWN,
        label: 'callgrind',
      },
      options.signal,
    );
    return { dir, served, callgrind: collectCallgrind(dir, since) };
  }
  const perf = state.perf!;
  const data = `${dir}.perf.data`;
  try {
    const served = await runner.profiled!(
      side,
      checkout,
      {
        env: () => ({ PYTHONPERFSUPPORT: '1' }),
        wrap: (command) => perfCommand(perf.perf, command, data, perf.userOnly),
      },
      options.signal,
    );
    const text = await perfScript(perf.perf, data);
    const perfText = `${dir}.perf.txt`;
    writeFileSync(perfText, text);
    return { dir, served, perfText };
  } finally {
    rmSync(data, { force: true });
  }
}

/** How a suite's profiled costs are normalized so the sides compare. */
interface Basis {
  /** Costs are per request served (load runs that all served requests). */
  perRequest: boolean;
  /** A harness runs each benchmark for a fixed time on both sides: what grows is a function's share. */
  harness: boolean;
  http: boolean;
}

/** The profiles read from a suite's runs, per side. */
interface Readings {
  cpu: Record<Side, StackProfile[]>;
  heap: Record<Side, StackProfile[]>;
  /** The profiled run each CPU profile came from. */
  runOf: Record<Side, number[]>;
  /** The raw profile files read (the profile's own list: kept when a later file cannot be read). */
  files: string[];
  /** Dependencies' versions, shared by every run (see `tagDependencies`). */
  packages: Map<string, string>;
}

async function buildProfile(state: State, context: Context, options: ProfilePhaseOptions): Promise<SuiteProfile> {
  const profile = profileHeader(state);
  if (profile.runs.base === 0 || profile.runs.head === 0) {
    if (state.profiler !== 'none' && state.notes.length === 0) profile.notes.push('No profiled run completed.');
    clipNotes(profile);
    return profile;
  }
  const basis = basisOf(state, profile.notes);
  try {
    const readings: Readings = {
      cpu: { base: [], head: [] },
      heap: { base: [], head: [] },
      runOf: { base: [], head: [] },
      files: profile.files,
      packages: new Map<string, string>(),
    };
    for (const side of ['base', 'head'] as const) await readSide(state, side, basis, readings, context, options);
    profile.views = diffViews(state, basis, readings, profile.notes);
  } catch (error) {
    profile.notes.push(`The profiles could not be read: ${(error as Error).message}`);
  }
  clipNotes(profile);
  return profile;
}

/** The suite's profile before its profiles are read: what ran, and its notes so far. */
function profileHeader(state: State): SuiteProfile {
  return {
    suite: state.target.runner.suite.name,
    profiler: state.profiler,
    metrics: state.target.metrics.map((m) => m.id),
    runs: { base: state.runs.base.length, head: state.runs.head.length },
    views: [],
    files: [],
    costS: state.costS,
    notes: state.notes,
  };
}

/** Notes quote tools' output: keep them to a readable (and results-file) size. */
function clipNotes(profile: SuiteProfile): void {
  profile.notes = profile.notes.slice(0, 20).map((n) => (n.length > 1500 ? `${n.slice(0, 1499)}…` : n));
}

function basisOf(state: State, notes: string[]): Basis {
  const suite = state.target.runner.suite;
  const http = suite.kind === 'http';
  // A capacity suite's run is a search over many rates: its cost is per run.
  const loadRuns = http && !(suite.kind === 'http' && suite.capacity);
  const perRequest = loadRuns && [...state.runs.base, ...state.runs.head].every((r) => (r.served.requests ?? 0) > 0);
  if (loadRuns && !perRequest)
    notes.push('A profiled load run served no request, so costs are per run rather than per request.');
  // A harness runs each benchmark for a fixed time on both sides: what grows is a function's share.
  return { perRequest, harness: suite.kind === 'harness', http };
}

/** Reads the profiles of one side's runs into `readings`. */
async function readSide(
  state: State,
  side: Side,
  basis: Basis,
  readings: Readings,
  context: Context,
  options: ProfilePhaseOptions,
): Promise<void> {
  const { relative } = context;
  const rel = (file: string) => path.relative(options.relativeTo, file);
  const { cpu, heap, runOf, files, packages } = readings;
  const checkout = options.checkouts[side];
  for (const [r, run] of state.runs[side].entries()) {
    const windows = basis.perRequest && run.served.windows?.length ? run.served.windows : undefined;
    if (run.callgrind) {
      for (const f of run.callgrind) {
        files.push(rel(f.file));
        if (f.map) files.push(rel(f.map));
        const jitName = f.map ? perfMapLookup(readFileSync(f.map, 'utf8'), relative) : undefined;
        cpu[side].push(readCallgrind(readFileSync(f.file, 'utf8'), { file: relative, jitName }));
      }
      continue;
    }
    if (run.perfText) {
      files.push(rel(run.perfText));
      const { profile: p, locations } = readPerfScript(readFileSync(run.perfText, 'utf8'), {
        file: relative,
        windows,
      });
      await resolveSourceLines(p.frames, locations, [options.checkouts.base, options.checkouts.head], relative);
      tagDependencies(p, checkout, packages);
      cpu[side].push(p);
      runOf[side].push(r);
      continue;
    }
    const written = nodeProfileFiles(run.dir);
    for (const f of written.cpu) {
      files.push(rel(f));
      const p = readCpuProfile(JSON.parse(readFileSync(f, 'utf8')), {
        file: relative,
        windows,
        dropIdle: basis.http || basis.harness,
        dropUrl: context.preloadUrl,
      });
      tagDependencies(p, checkout, packages);
      cpu[side].push(p);
      runOf[side].push(r);
    }
    for (const f of written.heap) {
      files.push(rel(f));
      const p = readHeapProfile(JSON.parse(readFileSync(f, 'utf8')), { file: relative });
      tagDependencies(p, checkout, packages);
      heap[side].push(p);
    }
  }
}

/** The differential views of CPU and (when memory failed) heap; notes what is missing. */
function diffViews(state: State, basis: Basis, readings: Readings, notes: string[]): ProfileView[] {
  const { cpu, heap, runOf } = readings;
  const divisor = (side: Side) =>
    basis.perRequest ? state.runs[side].reduce((n, r) => n + (r.served.requests ?? 0), 0) : state.runs[side].length;
  const per: ProfileBasis = basis.perRequest ? 'request' : basis.harness ? 'share' : 'run';
  const div = { base: divisor('base'), head: divisor('head') };
  const views: ProfileView[] = [];
  if (cpu.base.length > 0 && cpu.head.length > 0)
    views.push(differential(cpu.base, cpu.head, { kind: 'cpu', per, divisor: div, runOf }));
  else notes.push('The profiled runs wrote no CPU profile.');
  if (state.heap) {
    // Live heap at exit is per run whatever the harness did (not a share of a time budget).
    if (heap.base.length > 0 && heap.head.length > 0)
      views.push(
        differential(heap.base, heap.head, { kind: 'heap', per: per === 'share' ? 'run' : per, divisor: div }),
      );
    else if (state.profiler === 'perf')
      notes.push('Memory failed, but heap profiles are only taken of Node.js programs.');
  }
  return views;
}

const PROFILER_NAMES: Record<SuiteProfile['profiler'], string> = {
  v8: 'V8 profiler',
  perf: 'perf',
  callgrind: 'callgrind',
  none: 'none',
};

/** The suites to profile under `policy`: those with a failing metric, every suite, or none. */
export function profileTargets(
  policy: ProfilePolicy,
  runners: SuiteRunner[],
  results: readonly MetricResult[],
): ProfileTarget[] {
  if (policy === 'never') return [];
  return runners
    .filter((runner) => runner.profiled)
    .map((runner) => ({
      runner,
      metrics: results.filter((r) => r.suite === runner.suite.name && FAILING_OUTCOMES.has(r.outcome)),
    }))
    .filter((t) => policy === 'always' || t.metrics.length > 0);
}

/** The directory, beside the results JSON, that holds the raw profiles. */
export const PROFILES_DIR = 'perfgate-profiles';

/**
 * Profiles `targets` and returns what it found; writes the raw profiles under
 * `resultsDir/perfgate-profiles`. Trouble is logged and never fails the run (only a cancellation
 * goes through).
 */
export async function runProfiles(
  targets: ProfileTarget[],
  options: Omit<ProfilePhaseOptions, 'targets' | 'dir' | 'relativeTo'> & { resultsDir: string },
): Promise<SuiteProfile[]> {
  if (targets.length === 0) return [];
  const dir = path.join(options.resultsDir, PROFILES_DIR);
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return await profileSuites({ ...options, targets, dir, relativeTo: options.resultsDir });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    options.log(`Profiling failed (the verdict is unaffected): ${(error as Error).message}`);
    return [];
  }
}
