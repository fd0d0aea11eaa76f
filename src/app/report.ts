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
import { type GateOptions, SequentialGate } from '../core/gate/gate';
import type {
  CapacityCurve,
  Change,
  ComparisonReport,
  Environment,
  MetricResult,
  Pairing,
  Revision,
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

/** A gate with the budgets of `settings` (a rule applies by the metric's id and unit). */
export function createGate(settings: Settings, options: GateOptions) {
  const budgetWarnings = new Set<string>();
  const gate = new SequentialGate(options, (metric) => {
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
