/**
 * The one place a `ComparisonReport` is put together, whatever produced the comparison: base and
 * head measured here, harness files made elsewhere (`perfgate compare`), or a run that could not
 * compare anything (a failed build). Everything a report must carry to be trusted later (the
 * commits, the PR and its head commit, the configuration digest, the shard) comes from the
 * settings and the run's context here, so no path can leave it out.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { budgetFor } from '../core/budgets';
import { type GateOptions, type LookResult, SequentialGate } from '../core/gate/gate';
import type {
  CapacityCurve,
  Change,
  ComparisonReport,
  Environment,
  LookRecord,
  MetricId,
  MetricResult,
  MetricSamples,
  Pairing,
  Revision,
  SoakRole,
  Warning,
} from '../core/model';
import type { SuiteProfile } from '../core/profile/types';
import { decideVerdict } from '../core/report';
import type { Settings } from '../settings/settings';
import type { RunContext } from './io';

/** What one comparison produced, before it becomes a report. */
export interface Comparison {
  base: Revision;
  head: Revision;
  /** Why these two commits (absent for result files made elsewhere). */
  pairing?: Pairing;
  /** The gate's settings as used (alpha after the shard split; rounds fixed by the files for `compare`). */
  gate: GateOptions;
  /** The planned looks (cumulative rounds). */
  looks: number[];
  /** Rounds (base+head pairs) actually run. */
  rounds: number;
  /** Rounds run after the first regression was found (the verdict was known), to label the other metrics. */
  roundsAfterVerdict?: number;
  results: MetricResult[];
  geomean: Change | null;
  /** Wall-clock seconds spent measuring (builds excluded). */
  durationS: number;
  warnings: Warning[];
  /** Infrastructure errors; non-empty ⇒ verdict `error` unless something regressed. */
  errors: string[];
  /** Shell lines that reproduce the comparison locally. */
  reproduce: string;
  /** The signal that cancelled the run: what was measured is then no verdict. */
  cancelled?: string;
  /** Capacity suites: each capacity metric's latency-versus-rate steps per side. */
  curves?: CapacityCurve[];
  /** Profiles of both sides of the failing suites, taken after the verdict. */
  profiles?: SuiteProfile[];
  /** The looks the gate took (from `RecordingGate`), so the report can be replayed. */
  looksTaken?: LookCall[];
}

/** A comparison that could not run (a failed build): errors only, nothing measured. */
export function failedComparison(
  settings: Settings,
  base: Revision,
  head: Revision,
  errors: string[],
  reproduce: string,
): Comparison {
  return {
    base,
    head,
    gate: gateOptions(settings),
    looks: [],
    rounds: 0,
    results: [],
    geomean: null,
    durationS: 0,
    warnings: [],
    errors,
    reproduce,
  };
}

/** Assembles the report. Pure: the machine's description comes in as `environment`. */
export function assembleReport(
  settings: Settings,
  context: RunContext,
  comparison: Comparison,
  environment: Environment,
): ComparisonReport {
  const { gate } = comparison;
  return {
    formatVersion: 1,
    verdict: decideVerdict(comparison.results, comparison.errors, comparison.cancelled !== undefined),
    cancelled: comparison.cancelled,
    base: comparison.base,
    head: comparison.head,
    pairing: comparison.pairing,
    repository: context.repository,
    pullRequest: context.prNumber,
    results: comparison.results,
    geomean: comparison.geomean,
    method: {
      alpha: gate.alpha,
      analysis: gate.analysis ?? 'paired',
      minRounds: gate.minRounds,
      maxRounds: gate.maxRounds,
      rounds: comparison.rounds,
      looks: comparison.looks,
      ...(comparison.looksTaken ? { trail: trailOf(comparison.looksTaken, comparison.results) } : {}),
      ...(comparison.roundsAfterVerdict !== undefined ? { roundsAfterVerdict: comparison.roundsAfterVerdict } : {}),
    },
    environment,
    warnings: comparison.warnings,
    errors: comparison.errors,
    reproduce: comparison.reproduce,
    shard: settings.shard ?? undefined,
    configHash: configHash(settings),
    // The PR's head commit; without a PR, the head measured (a merge group, a pushed tip).
    checkSha: context.event.prHeadSha ?? (comparison.pairing ? comparison.head.sha : undefined),
    ...(comparison.curves?.length ? { curves: comparison.curves } : {}),
    ...(comparison.profiles?.length ? { profiles: comparison.profiles } : {}),
  };
}

/**
 * The gate's settings. Shards split alpha (Bonferroni across shards, a union bound): with Holm
 * inside each shard at α/S, the family-wise error over the merged report stays ≤ α.
 * `rounds` fixes the number of rounds (files given to `perfgate compare`: one look at the end;
 * files carry no round structure, so they are compared as two independent samples).
 */
export function gateOptions(settings: Settings, rounds?: number): GateOptions {
  return {
    alpha: settings.shard ? settings.alpha / settings.shard.total : settings.alpha,
    minRounds: rounds ?? settings.minRounds,
    maxRounds: rounds ?? settings.maxRounds,
    analysis: rounds === undefined ? 'paired' : 'two-sample',
  };
}

/** What the gate saw at one look: the arguments of `SequentialGate.look`, with each metric's sample counts. */
export interface LookCall {
  rounds: number;
  final: boolean;
  counts: Map<MetricId, [number, number]>;
}

/** A gate that records every look it takes, so that the comparison can be replayed from its samples. */
export class RecordingGate extends SequentialGate {
  readonly calls: LookCall[] = [];

  override look(metrics: readonly MetricSamples[], rounds: number, final: boolean): LookResult {
    const result = super.look(metrics, rounds, final);
    this.calls.push({ rounds, final, counts: new Map(metrics.map((m) => [m.id, [m.base.length, m.head.length]])) });
    return result;
  }
}

/**
 * The looks as a report records them (`LookRecord`): per look, only the metrics whose sample
 * counts were not min(their samples, the look's rounds) — usually none. A metric's result keeps
 * the samples of the look that decided it (decisions stick); later looks skip it, so the samples
 * they saw beyond those are not needed to replay them.
 */
export function trailOf(calls: readonly LookCall[], results: readonly MetricResult[]): LookRecord[] {
  return calls.map(({ rounds, final, counts: seen }) => {
    const counts: [number, number, number][] = [];
    results.forEach((r, i) => {
      const [sb, sh] = seen.get(r.id) ?? [0, 0];
      const b = Math.min(sb, r.base.length);
      const h = Math.min(sh, r.head.length);
      if (b !== Math.min(r.base.length, rounds) || h !== Math.min(r.head.length, rounds)) counts.push([i, b, h]);
    });
    return counts.length > 0 ? { rounds, final, counts } : { rounds, final };
  });
}

/**
 * A soak growth metric's role as this job's configuration defines it: the tolerance and the runs come
 * from the trusted suite, never from the file (a file could raise its own tolerance). A growth metric
 * whose suite is not a soak suite here cannot be checked.
 */
function trustedSoak(settings: Settings, r: MetricResult, shown: string): SoakRole | undefined {
  if (r.soak?.role !== 'growth') return r.soak;
  const suite = settings.suites.find((s) => s.name === r.suite);
  const soak = suite?.kind === 'http' ? suite.soak : undefined;
  if (!soak)
    throw new UntrustedResultsError(
      `${shown}: metric ${JSON.stringify(r.id)} is a soak growth metric, but this job's configuration has no soak suite ` +
        `${JSON.stringify(r.suite)} to take its tolerance from: give the report job the same suites as the measure job.`,
    );
  const tolerance = r.id.endsWith(':fd-growth') ? soak.fdTolerance / 60 : soak.tolerance;
  return { role: 'growth', tolerance, runs: soak.rounds };
}

/** A results file that does not hold up when replayed: the message names the metric (or what else) and why. */
export class UntrustedResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntrustedResultsError';
  }
}

/**
 * What the gate was given about a metric besides its samples, as its result carries it: everything
 * but the gate's own output (so a fact the gate starts reading later is replayed too).
 */
function facts(r: MetricResult): Omit<MetricSamples, 'base' | 'head'> {
  const {
    base: _base,
    head: _head,
    baseMedian: _baseMedian,
    headMedian: _headMedian,
    change: _change,
    headInterval: _headInterval,
    growthInterval: _growthInterval,
    pValue: _pValue,
    budget: _budget,
    outcome: _outcome,
    rounds: _rounds,
    stopReason: _stopReason,
    warnings: _warnings,
    accepted: _accepted,
    ...given
  } = r;
  return given;
}

/**
 * Report mode: the comparison of a results file (a measure job's, perhaps a fork's) decided again
 * from its raw samples, with the budgets and α of `settings` — the configuration this job trusts —
 * by replaying the gate's looks as recorded (`method.trail`), so an honest file always agrees.
 * Every metric's outcome and the verdict must agree with what the file recorded; otherwise it is
 * rejected (`UntrustedResultsError`, naming the metric). The report returned holds the replayed
 * results (budgets, intervals and outcomes this job computed), no acceptance (asked anew) and no
 * reproduce block (the caller builds it). `shown`: the file, for messages.
 */
export function replayReport(settings: Settings, report: ComparisonReport, shown: string): ComparisonReport {
  const cancelled = report.cancelled !== undefined;
  const options: GateOptions = {
    alpha: settings.alpha / (report.shard?.total ?? 1),
    minRounds: report.method.minRounds,
    maxRounds: report.method.maxRounds,
    analysis: report.method.analysis,
  };
  const ids = new Set(report.results.map((r) => r.id));
  if (ids.size !== report.results.length)
    throw new UntrustedResultsError(`${shown} lists a metric twice; a results file has one entry per metric.`);
  const { results, look, warnings } = replayLooks(settings, report, options, shown);
  checkOutcomes(report, results, options.alpha, shown);
  const errors = [...new Set([...report.errors, ...(cancelled ? [] : (look?.errors ?? []))])];
  checkVerdict(report, results, errors, cancelled, shown);
  errors.push(...suitesNotCompared(settings, results));
  const seen = new Set<string>();
  return {
    ...report,
    results,
    geomean: look?.geomean ?? null,
    errors,
    warnings: [...report.warnings, ...warnings].filter((w) => !seen.has(w.text) && seen.add(w.text)),
    verdict: decideVerdict(results, errors, cancelled),
    method: { ...report.method, alpha: options.alpha },
    reproduce: '',
  };
}

/** The gate's looks replayed as the file records them (`method.trail`): the last look, its results and notes. */
function replayLooks(
  settings: Settings,
  report: ComparisonReport,
  options: GateOptions,
  shown: string,
): { results: MetricResult[]; look: LookResult | null; warnings: Warning[] } {
  if (report.results.length === 0) return { results: [], look: null, warnings: [] };
  const trail = report.method.trail;
  if (!trail || trail.length === 0)
    throw new UntrustedResultsError(
      `${shown} has results but no record of the gate's looks (method.trail), so its outcomes cannot be checked: ` +
        'measure and report with the same version of perfgate.',
    );
  const { gate, budgetWarnings } = createGate(settings, options);
  let look: LookResult | null = null;
  try {
    for (const step of trail) look = gate.look(lookMetrics(settings, report, step, shown), step.rounds, step.final);
  } catch (error) {
    throw new UntrustedResultsError(
      `${shown}: its record of the gate's looks cannot be replayed (${(error as Error).message}).`,
    );
  }
  return { results: look?.results ?? [], look, warnings: [...(look?.warnings ?? []), ...budgetWarnings()] };
}

/**
 * The samples the gate saw at one recorded look: each metric's first min(its samples, the look's
 * rounds) on each side, unless the look records other counts for it (metrics with none are left out).
 */
function lookMetrics(settings: Settings, report: ComparisonReport, step: LookRecord, shown: string): MetricSamples[] {
  const except = new Map((step.counts ?? []).map(([i, b, h]) => [i, [b, h] as const]));
  for (const [i, [b, h]] of except) {
    const r = report.results[i];
    if (!r || b > r.base.length || h > r.head.length)
      throw new RangeError(`the look at round ${step.rounds} counts samples that metric ${i} does not have`);
  }
  return report.results.flatMap((r, i): MetricSamples[] => {
    const [b, h] = except.get(i) ?? [Math.min(r.base.length, step.rounds), Math.min(r.head.length, step.rounds)];
    return b + h === 0
      ? []
      : [
          {
            ...facts(r),
            soak: trustedSoak(settings, r, shown),
            base: r.base.slice(0, b),
            head: r.head.slice(0, h),
          },
        ];
  });
}

/** The replayed metrics must be the file's, each with the outcome it records. */
function checkOutcomes(report: ComparisonReport, results: readonly MetricResult[], alpha: number, shown: string): void {
  const recorded = new Map(report.results.map((r) => [r.id, r]));
  if (results.length !== report.results.length)
    throw new UntrustedResultsError(
      `${shown}: replaying its looks gives ${results.length} metrics, but it lists ${report.results.length}.`,
    );
  for (const r of results) {
    const was = recorded.get(r.id);
    if (!was)
      throw new UntrustedResultsError(
        `${shown}: replaying its looks gives metric ${JSON.stringify(r.id)}, which it does not list.`,
      );
    if (was.outcome !== r.outcome) throw new UntrustedResultsError(disagreement(shown, report, was, r, alpha));
  }
}

/** The replayed results and errors must give the verdict the file records. */
function checkVerdict(
  report: ComparisonReport,
  results: readonly MetricResult[],
  errors: string[],
  cancelled: boolean,
  shown: string,
): void {
  const recorded = new Map(report.results.map((r) => [r.id, r]));
  // The file's verdict was decided with its accepted regressions; they are asked anew afterwards.
  const asRecorded = results.map((r) =>
    recorded.get(r.id)?.accepted ? { ...r, accepted: recorded.get(r.id)!.accepted } : r,
  );
  const verdict = decideVerdict(asRecorded, errors, cancelled);
  if (verdict !== report.verdict)
    throw new UntrustedResultsError(
      `${shown} records the verdict "${report.verdict}", but its results and errors give "${verdict}": the file was changed after it was written.`,
    );
}

/** A suite this job's configuration has is not new: without base samples, nothing was compared. */
function suitesNotCompared(settings: Settings, results: readonly MetricResult[]): string[] {
  const errors: string[] = [];
  const trusted = new Set(settings.suites.map((suite) => suite.name));
  for (const suite of new Set(results.map((r) => r.suite))) {
    const metrics = results.filter((r) => r.suite === suite);
    if (trusted.has(suite) && metrics.every((r) => r.base.length === 0))
      errors.push(
        `Suite "${suite}" is in this job's configuration (${settings.suitesSource}), but the results have no base ` +
          'samples for it: it did not run on base, so nothing was compared.',
      );
  }
  return errors;
}

/** Why a recorded outcome disagrees with the replayed one, naming the metric and any difference in configuration. */
function disagreement(
  shown: string,
  report: ComparisonReport,
  was: MetricResult,
  now: MetricResult,
  alpha: number,
): string {
  const differences = [
    was.budget.source !== now.budget.source
      ? `the file was gated with budget "${was.budget.source}", this job's configuration gives "${now.budget.source}"`
      : '',
    report.method.alpha !== alpha
      ? `the file was gated at α ${report.method.alpha}, this job's configuration at ${alpha}`
      : '',
  ].filter(Boolean);
  return (
    `${shown}: metric ${JSON.stringify(was.id)} is recorded as "${was.outcome}", but its samples give "${now.outcome}" ` +
    `with this job's configuration${differences.length ? ` (${differences.join('; ')})` : ''}. ` +
    (differences.length
      ? "The report job gates with its own configuration (its inputs and its checkout's config file): give it the same budgets and alpha as the measure job."
      : 'The file was changed after it was written.')
  );
}

/** A gate with the budgets of `settings` (a rule applies by the metric's id and unit). */
export function createGate(settings: Settings, options: GateOptions) {
  const budgetWarnings = new Set<string>();
  const gate = new RecordingGate(options, (metric) => {
    const lookup = budgetFor(metric.id, metric.unit, settings.budgets, settings.defaultBudget);
    for (const w of lookup.warnings) budgetWarnings.add(w);
    return lookup.rule;
  });
  return {
    gate,
    /** Budget rules that matched a metric but could not apply to it. */
    budgetWarnings: (): Warning[] => [...budgetWarnings].map((text) => ({ code: 'budget', text })),
  };
}

/** Digest of everything that shapes verdicts, so shards of one comparison can be checked to agree. */
export function configHash(settings: Settings): string {
  const shape = {
    suites: settings.suites,
    build: settings.build,
    benchFromHead: settings.benchFromHead,
    budget: settings.defaultBudget.source,
    budgets: settings.budgets.map((b) => [b.pattern, b.rule.source]),
    alpha: settings.alpha,
    rounds: [settings.minRounds, settings.maxRounds],
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32);
}

/** The machine the measurements ran on, for the report. */
export function environment(durationS: number): Environment {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() || 'unknown',
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    durationS,
  };
}
