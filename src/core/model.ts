/**
 * The data model shared by every layer of perfgate.
 *
 * Canonical units: every quantity is stored in exactly one unit (seconds, bytes, events per
 * second, plain counts, fractions). Parsers convert into these on the way in; only the
 * renderers convert out of them. A harness or user metric whose unit is not one of these keeps
 * its own unit string and is rendered verbatim.
 */
import type { SuiteProfile } from './profile/types';

/**
 * Which counter counts a command suite's instructions (`instructions:`): `valgrind` (written
 * `true`, the default: cachegrind, a simulated CPU, deterministic on any runner) or `hardware`
 * (the CPU's own counter through `perf stat`, where the kernel offers it).
 */
export const INSTRUCTION_COUNTERS = ['valgrind', 'hardware'] as const;
export type InstructionCounter = (typeof INSTRUCTION_COUNTERS)[number];

/** Which checkout a measurement came from. */
export type Side = 'base' | 'head';

/** Whether a smaller or a larger value of a metric is better. */
export type Direction = 'lower' | 'higher';

/**
 * Canonical units.
 * - `s`: seconds (durations, latencies, CPU time)
 * - `B`: bytes (memory)
 * - `1/s`: events per second (throughput, ops/s, req/s)
 * - `B/s`: bytes per second
 * - `count`: a dimensionless count (allocations, errors)
 * - `fraction`: a dimensionless ratio in [0, 1] (error rate)
 * Any other string is a custom unit from a harness or the user, rendered as given.
 */
export type Unit = 's' | 'B' | '1/s' | 'B/s' | 'count' | 'fraction' | (string & {});

/**
 * A metric id: `SUITE[/CASE]:METRIC`, e.g. `cli:wall`, `api/items:p99`,
 * `micro/BenchmarkParse:time`. Budgets match metric ids with globs.
 */
export type MetricId = string;

/** One measured value of one metric, in its canonical unit, as a suite's adapter reports it. */
export interface MetricValue {
  id: MetricId;
  unit: Unit;
  direction: Direction;
  value: number;
  /** The latency percentile (0–100) this value is, when the adapter measured one (`p99` → 99). */
  percentile?: number;
  /** Soak suites: how the metric is judged (see `SoakRole`). */
  soak?: SoakRole;
  /** An instruction count: the counter that produced it. */
  counter?: InstructionCounter;
  /**
   * The values are rates on a geometric grid of this relative step, each the highest grid rate that met
   * an objective (a capacity search's \`resolution\`): the gate widens by this step instead of reading
   * one from the values (\`core/gate/resolution.ts\`).
   */
  grid?: number;
}

/**
 * How a metric measured by a soak suite is judged. `growth`: one run's growth of a resource (per
 * second; `api:rss-growth`, `api:fd-growth`), compared with base's by the growth test
 * (`core/gate/growth.ts`) against `tolerance` once `runs` runs per side are done. `reported`: measured
 * during the soak (latency, throughput, errors) and shown, never gated: a soak's few long runs cannot
 * decide them (gate them with a load suite).
 */
export type SoakRole = { role: 'growth'; tolerance: number; runs: number } | { role: 'reported' };

/**
 * What a metric is, fixed where it is first measured (`describeMetric`, from the suite that
 * measured it and the adapter's value) and carried unchanged through the gate to every renderer,
 * so nothing downstream re-derives it from the id.
 */
export interface MetricFacts {
  id: MetricId;
  /** The suite that measured it. */
  suite: string;
  /** The case within the suite (a benchmark, an HTTP scenario: `items` in `api/items:p99`), when there is one. */
  case?: string;
  /** The metric's own name (`p99`, `wall`, `time`). */
  name: string;
  unit: Unit;
  direction: Direction;
  /** The latency percentile (0–100) it is, when it is one. */
  percentile?: number;
  /** Soak suites: how the metric is judged. */
  soak?: SoakRole;
  /** An instruction count: the counter that produced it (the report names it). */
  counter?: InstructionCounter;
  /**
   * The values are rates on a geometric grid of this relative step, each the highest grid rate that met
   * an objective (a capacity search's \`resolution\`): the gate widens by this step instead of reading
   * one from the values (\`core/gate/resolution.ts\`).
   */
  grid?: number;
}

/**
 * A note about a metric or the whole run (benchstat style: warnings are data). `code` says what
 * kind of note it is, so nothing branches on wording; `text` is a sentence that says what happened
 * and what to do about it; the renderers decide how to show it.
 */
export interface Warning {
  code: WarningCode;
  /** The metric it is about, when it is about one. */
  metric?: MetricId;
  text: string;
}

/**
 * Kinds of notes, each emitted where the comment says and matched by code, never by wording. (A
 * results file read back in report mode is checked for the shape of its codes only, by
 * `adapters/results-file.ts`; renderers show every note alike whatever its code.)
 */
export const WARNING_CODES = [
  /** A suite's adapter or harness parser said something about one sample (app/measure.ts). */
  'replicate',
  /** A budget rule matched no metric, or a metric matched several (app/report.ts). */
  'budget',
  /** max-time ran out before the gate decided (app/measure.ts). */
  'max-time',
  /** A suite or metric measured on head only (app/measure.ts, core/gate/notes.ts). */
  'new-on-head',
  /** Base ran head's benchmark code (`bench-from-head`; app/run.ts). */
  'bench-from-head',
  /** A look's level is below the smallest p the data can give yet (core/gate/notes.ts). */
  'interval-level',
  /** Values ≤ 0: the change is on the linear scale (core/gate/notes.ts). */
  'linear-scale',
  /** The base median is 0 (core/gate/notes.ts). */
  'zero-base',
  /** Values move in steps coarse next to the budget (core/gate/notes.ts). */
  'resolution',
  /** The interval straddles the budget or the bound at the last look (core/gate/notes.ts). */
  'inconclusive',
  /** Outliers on one side (core/gate/diagnostics.ts). */
  'outliers',
  /** The samples drift with the round (core/gate/diagnostics.ts). */
  'drift',
  /** Too noisy for the budget within max-rounds (core/gate/notes.ts). */
  'too-noisy',
  /** Soak growth: runs missing on a side (core/gate/growth.ts). */
  'soak-runs',
  /** Soak growth: undecided after its runs (core/gate/growth.ts). */
  'soak-undecided',
  /** What an accept label or line did or ignored (core/accept.ts). */
  'acceptance',
  /** Report mode skipped a symbolic link among the results (adapters/results-file.ts). */
  'symlink',
  /** Every sample on each side has the same value: decided by the values (core/gate/notes.ts). */
  'exact',
  /** Serial correlation within a side widened the interval (core/gate/notes.ts). */
  'serial-correlation',
  /** The values form two modes on a side (core/gate/modes.ts). */
  'two-modes',
  /** A suite on base is gone on head (app/run.ts). */
  'suite-removed',
  /** A build left a process running (app/run.ts). */
  'build-left-running',
  /** Which instruction counter measured (core/instructions.ts). */
  'counter',
  /** Instruction counts that vary between runs (core/instructions.ts). */
  'count-spread',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/**
 * One replicate: everything one run of a suite on one side measured (one fresh process, one
 * harness invocation, or one HTTP load run). Warnings are data (benchstat style): each is a
 * sentence that says what happened and what to do about it.
 */
export interface Replicate {
  values: MetricValue[];
  warnings: string[];
  /** Capacity suites: the load steps of each capacity search in this replicate. */
  curves?: CapacityCurve[];
}

/** One load step of a capacity search: the rate tried and what the server showed at it. */
export interface CapacityStep {
  /** Target arrival rate (1/s). */
  rate: number;
  /** Requests completed or failed per second. */
  achieved: number;
  /** The objective's latency percentile (s); null when no request succeeded. */
  latency: number | null;
  /** Failed fraction of the requests. */
  errors: number;
  /** Whether the objective held at this rate. */
  holds: boolean;
}

/**
 * The latency-versus-rate curve behind a capacity metric on one side: the steps of its capacity
 * searches (every replicate), for the report's chart.
 */
export interface CapacityCurve {
  /** The capacity metric, e.g. `api/items:capacity`. */
  metric: MetricId;
  side: Side;
  /** The objective, as written (`p99 < 50ms`). */
  slo: string;
  /** The objective's latency bound (s) and error bound (fraction). */
  bound: number;
  errorBound: number;
  steps: CapacityStep[];
}

/** The raw samples of one metric on both sides, in round order (index i = round i). */
export interface MetricSamples extends MetricFacts {
  base: number[];
  head: number[];
}

/**
 * A budget rule for a metric (parsed from `budget` / `budgets`).
 * - `relative`: the allowed worsening as a fraction (0.05 = 5 %). For lower-is-better metrics the
 *   head may be at most (1 + limit) × base; for higher-is-better ones at least (1 − limit) × base.
 * - `absolute`: a bound on the head value (its median), in the metric's canonical unit.
 * - `growth`: soak growth metrics: head's growth may exceed base's by at most `bound` (the soak's
 *   tolerance, per second, in the metric's unit).
 * - `off`: reported, never gated.
 */
export type BudgetRule =
  | { kind: 'relative'; limit: number; source: string }
  | { kind: 'absolute'; op: '<' | '<=' | '>' | '>='; bound: number; unit: Unit; source: string }
  | { kind: 'growth'; bound: number; unit: Unit; source: string }
  | { kind: 'off'; source: string };

/**
 * What perfgate concluded about one metric. Each follows from the metric's interval (`change`,
 * `headInterval` for absolute rules, `growthInterval` for soak growth) and its budget, by eye:
 * - `regression`: the whole interval is beyond the relative budget (or, for soak growth, the tolerance).
 *   Fails the gate.
 * - `breach`: the whole interval of the head's median breaks the absolute rule. Fails the gate.
 * - `improvement`: the whole interval is within budget and better than no change.
 * - `within-budget`: the whole interval is within the budget (or keeps the absolute rule).
 * - `inconclusive`: the interval straddles the budget when the limits were reached (a pass, with a note
 *   saying what would decide it); provisional while sampling continues.
 * - `ungated`: budget `off`; reported only.
 * - `added` / `removed`: present on one side only; shown, never compared (absolute rules still apply to
 *   a metric new on head).
 */
export const OUTCOMES = [
  'regression',
  'breach',
  'improvement',
  'within-budget',
  'inconclusive',
  'ungated',
  'added',
  'removed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that fail the gate. */
export const FAILING_OUTCOMES: ReadonlySet<Outcome> = new Set(['regression', 'breach']);

/**
 * The change of head against base, as a ratio head/base minus one (+0.031 = 3.1 % larger),
 * with its interval on the same scale. Direction-agnostic: whether larger is worse depends on the
 * metric's direction. For gated metrics the interval is the one that decided: valid at the look it
 * comes from and corrected across metrics, so its two ends may have different one-sided levels.
 */
export interface Change {
  /** Hodges–Lehmann point estimate of head/base − 1. */
  estimate: number;
  /** Lower end of the interval of head/base − 1. */
  low: number;
  /** Upper end of the interval of head/base − 1. */
  high: number;
  /** Nominal coverage of [low, high] (1 − the two ends' one-sided errors), e.g. 0.998. */
  confidence: number;
}

/** An estimate of a value in the metric's own unit with its interval (the head's median, for absolute rules). */
export interface ValueInterval {
  estimate: number;
  low: number;
  high: number;
  /** Nominal coverage of [low, high]. */
  confidence: number;
}

/** The full result for one metric: raw data, statistics, budget and outcome. */
export interface MetricResult extends MetricSamples {
  baseMedian: number | null;
  headMedian: number | null;
  /**
   * The change with its interval. For relative budgets it is the interval that decided (see
   * `Change`); for absolute rules and ungated metrics it is descriptive (a fixed 95 % interval or the
   * deciding look's). Null when no comparison could be made (added/removed, too few samples).
   */
  change: Change | null;
  /** Absolute rules: the head's median with the interval that decided against the bound. */
  headInterval?: ValueInterval;
  /** Growth budgets (soak): head's growth minus base's, per second, with the interval that decided. */
  growthInterval?: ValueInterval;
  /**
   * Raw one-sided p-value for "head is worse than base" (no change as the null), before any
   * sequential or multiplicity correction. Informational only: it is not what decided.
   */
  pValue: number | null;
  budget: BudgetRule;
  outcome: Outcome;
  /** Rounds (pairs) used for this metric's decision. */
  rounds: number;
  /** Why sampling stopped for this metric, in words (e.g. "within budget at look 1"). */
  stopReason: string;
  warnings: Warning[];
  /**
   * A maintainer accepted this failing metric (a PR label, or a `perfgate: accept` line in the PR
   * description): it is still shown, but does not fail the gate. Set from the GitHub API on every
   * run, never taken from a results file.
   */
  accepted?: Acceptance;
}

/** How a failing metric was accepted: `rule` is the label, or the description's pattern that named it. */
export interface Acceptance {
  by: 'label' | 'description';
  rule: string;
}

/** Overall verdict of a comparison. `error`: no comparison could be made. */
export type Verdict = 'pass' | 'fail' | 'error';

/** One side of the comparison: the commit measured. */
export interface Revision {
  sha: string;
  /** A human name for it when known (branch or ref), e.g. `main`. */
  ref?: string;
}

/**
 * How base and head were chosen, stated in the log and the report: the triggering event and
 * one sentence naming the rule (e.g. "merge queue: base is the group's base …").
 */
export interface Pairing {
  /** The triggering event (`pull_request`, `merge_group`, `push`, `schedule`, …, or `local`). */
  event: string;
  reason: string;
  /** Commits on head that base lacks, when the clone's history can tell. */
  commits?: number;
}

/** Where the measurements were taken (recorded so a reader can judge cross-run noise). */
export interface Environment {
  cpuModel: string;
  cores: number;
  os: string;
  node: string;
  /** Wall-clock seconds spent measuring (builds excluded). */
  durationS: number;
}

/** The settings of the statistics that produced a report, for the "method" line. */
export interface MethodSettings {
  /** Family-wise level: the most a run fails when every change is within its budget (after a shard split). */
  alpha: number;
  /** Samples paired by round (Wilcoxon signed-rank) or compared as two samples (Mann–Whitney). */
  analysis: 'paired' | 'two-sample';
  minRounds: number;
  maxRounds: number;
  /** Rounds (base+head pairs) actually run. */
  rounds: number;
  /** The planned looks (cumulative rounds at each interim analysis). */
  looks: number[];
  /**
   * The looks the gate took, in order, so that the comparison can be replayed from the samples
   * (report mode recomputes every outcome and trusts no recorded one).
   */
  trail?: LookRecord[];
  /**
   * Rounds run after the first regression was found (the verdict was known), to label the other
   * metrics (`complete-report`); absent when nothing regressed.
   */
  roundsAfterVerdict?: number;
}

/**
 * One look the gate took. At a look after `rounds` rounds, metric `i` of the report's results saw
 * the first min(its samples, `rounds`) samples of each side, except where `counts` says otherwise
 * (`[i, base, head]`: a metric missing from some rounds' output, or not yet measured).
 */
export interface LookRecord {
  rounds: number;
  /** The final look: the limits were reached and all remaining α was spent. */
  final: boolean;
  counts?: [number, number, number][];
}

/**
 * Everything one comparison produced. This is the results JSON written to disk (with
 * `formatVersion`), the input of every renderer (markdown, HTML), and what `report` mode reads
 * back. Renderers must treat every string in it as untrusted.
 */
export interface ComparisonReport {
  formatVersion: 1;
  verdict: Verdict;
  base: Revision;
  head: Revision;
  /** Why these two commits. Absent in reports written before it existed. */
  pairing?: Pairing;
  /** `owner/name`, when known. */
  repository?: string;
  pullRequest?: number;
  results: MetricResult[];
  /** Geometric mean of head/base − 1 over gated ratio metrics, with its interval (informational). */
  geomean: Change | null;
  method: MethodSettings;
  environment: Environment;
  /** Suite-level warnings (rendered as footnotes). */
  warnings: Warning[];
  /** Infrastructure errors (build failed, server never ready, …). Non-empty ⇒ verdict `error`. */
  errors: string[];
  /** A shell command that reproduces the comparison locally. */
  reproduce: string;
  /** Which share of the suites this report measured (`shard` input), when sharded. */
  shard?: { index: number; total: number };
  /**
   * The commit a check run is attached to: the PR's head commit (not the merge commit measured),
   * or, without a PR, the head measured.
   */
  checkSha?: string;
  /** Digest of the configuration that shapes verdicts (suites, budgets, statistics), so merged shards can be checked to agree. */
  configHash?: string;
  /**
   * Set when the run was cancelled (the signal, e.g. `SIGINT`): the results are what was
   * measured before, and the verdict is `error` — they are not a verdict.
   */
  cancelled?: string;
  /** Capacity suites: each capacity metric's latency-versus-rate steps per side. */
  curves?: CapacityCurve[];
  /** Profiles of both sides of suites that failed (or all, with `profile: always`): where the time went. */
  profiles?: SuiteProfile[];
}
