/**
 * Reading results files back (report mode), treating every file as hostile: an artifact from a
 * fork PR is attacker-controlled. Files are bounded in size and count, validated against a
 * strict schema (unknown keys rejected, strings and arrays bounded, numbers finite), and only
 * data comes out — nothing in a file can name a command to run. Several files (shards) merge
 * into one report after checking that they agree on repository, PR, base, head and
 * configuration.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type ComparisonReport, INSTRUCTION_COUNTERS, OUTCOMES } from '../core/model';
import { decideVerdict } from '../core/report';
import { MAX_SHARDS } from '../settings/settings';

/** Limits on what report mode will read. */
export const RESULTS_LIMITS = {
  maxFiles: MAX_SHARDS,
  maxFileBytes: 16 * 1024 * 1024,
  maxDepth: 4,
  maxMetrics: 5000,
  maxSamples: 10_000,
  maxProfiles: 200,
  maxProfileNodes: 2000,
  /** The "Reproduce locally" block, which carries the configuration it ran with. */
  maxReproduceChars: 16_000,
  /** Looks the gate took: one after every round (planned looks, and checks of counts between them) and a final one. */
  maxLooks: 10_001,
};

const str = (max = 2000) => z.string().max(max);
const num = z.number().finite();
const warning = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
  metric: str(20_000).optional(),
  text: str(),
});
const samples = z.array(num).max(RESULTS_LIMITS.maxSamples);
const change = z.strictObject({ estimate: num, low: num, high: num, confidence: num.min(0).max(1) }).nullable();
const unit = str(40);
const budget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('relative'), limit: num, source: str(100) }),
  z.strictObject({
    kind: z.literal('absolute'),
    op: z.enum(['<', '<=', '>', '>=']),
    bound: num,
    unit,
    source: str(100),
  }),
  z.strictObject({ kind: z.literal('growth'), bound: num, unit, source: str(100) }),
  z.strictObject({ kind: z.literal('off'), source: str(100) }),
]);
const outcome = z.enum(OUTCOMES);
// Ids and names come from benchmark tools and may be long; renderers shorten them for display.
const nonNegative = num.min(0);
const index = z.number().int().min(0);
const profileView = z
  .strictObject({
    kind: z.enum(['cpu', 'heap']),
    unit: z.enum(['s', 'B', 'count']),
    per: z.enum(['run', 'request', 'operation', 'share']),
    functions: z
      .array(
        z.strictObject({
          name: str(500),
          file: str(1000),
          line: z.number().int().min(1).nullable(),
          package: str(500).optional(),
        }),
      )
      .max(RESULTS_LIMITS.maxProfileNodes + 100),
    top: z
      .array(
        z.strictObject({
          fn: index,
          baseSelf: nonNegative,
          headSelf: nonNegative,
          baseTotal: nonNegative,
          headTotal: nonNegative,
        }),
      )
      .max(100),
    grown: nonNegative.optional(),
    baseTotal: nonNegative,
    headTotal: nonNegative,
    perRun: z.strictObject({ base: nonNegative, head: nonNegative }).optional(),
    flame: z
      .array(z.strictObject({ fn: index, parent: z.number().int().min(-1), base: nonNegative, head: nonNegative }))
      .max(RESULTS_LIMITS.maxProfileNodes),
  })
  .refine(
    (v) =>
      v.top.every((c) => c.fn < v.functions.length) &&
      v.flame.every((n, i) => n.fn < v.functions.length && n.parent < i),
    'a profile refers to a function or parent node it does not hold',
  );
const suiteProfile = z.strictObject({
  suite: str(200),
  profiler: z.enum(['v8', 'perf', 'callgrind', 'none']),
  metrics: z.array(str(300)).max(100),
  runs: z.strictObject({ base: index, head: index }),
  views: z.array(profileView).max(2),
  files: z.array(str(500)).max(500),
  costS: nonNegative,
  notes: z.array(str()).max(20),
});
const metric = z.strictObject({
  id: str(20_000),
  suite: str(200),
  case: str(20_000).optional(),
  name: str(20_000),
  percentile: num.min(0).max(100).optional(),
  soak: z
    .discriminatedUnion('role', [
      z.strictObject({ role: z.literal('growth'), tolerance: num, runs: z.number().int().min(1).max(100) }),
      z.strictObject({ role: z.literal('reported') }),
    ])
    .optional(),
  counter: z.enum(INSTRUCTION_COUNTERS).optional(),
  grid: num.min(0).max(10).optional(),
  unit,
  direction: z.enum(['lower', 'higher']),
  base: samples,
  head: samples,
  baseMedian: num.nullable(),
  headMedian: num.nullable(),
  change,
  pValue: num.nullable(),
  budget,
  outcome,
  rounds: z.number().int().min(0).max(RESULTS_LIMITS.maxSamples),
  stopReason: str(500),
  warnings: z.array(warning).max(50),
  // An end the head's interval cannot reach is ±Infinity, which JSON writes as null (report mode recomputes it).
  headInterval: z
    .strictObject({ estimate: num, low: num.nullable(), high: num.nullable(), confidence: num.min(0).max(1) })
    .optional(),
  growthInterval: z.strictObject({ estimate: num, low: num, high: num, confidence: num.min(0).max(1) }).optional(),
  // Written by measure mode for the record; report mode drops it and asks the API again.
  accepted: z.strictObject({ by: z.enum(['label', 'description']), rule: str(300) }).optional(),
});
const sha = z.string().regex(/^[0-9a-f]{7,64}$/i, 'expected a commit SHA');
const curve = z.strictObject({
  metric: str(300),
  side: z.enum(['base', 'head']),
  slo: str(100),
  bound: num,
  errorBound: num,
  steps: z
    .array(z.strictObject({ rate: num, achieved: num, latency: num.nullable(), errors: num, holds: z.boolean() }))
    .max(RESULTS_LIMITS.maxSamples),
});
export const reportSchema = z.strictObject({
  formatVersion: z.literal(1),
  verdict: z.enum(['pass', 'fail', 'error']),
  base: z.strictObject({ sha, ref: str(300).optional() }),
  head: z.strictObject({ sha, ref: str(300).optional() }),
  pairing: z
    .strictObject({ event: str(100), reason: str(1000), commits: z.number().int().min(0).optional() })
    .optional(),
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/)
    .optional(),
  pullRequest: z.number().int().positive().optional(),
  results: z.array(metric).max(RESULTS_LIMITS.maxMetrics),
  geomean: change,
  method: z.strictObject({
    alpha: num,
    analysis: z.enum(['paired', 'two-sample']),
    minRounds: z.number().int(),
    maxRounds: z.number().int(),
    rounds: z.number().int(),
    looks: z.array(z.number().int()).max(100),
    trail: z
      .array(
        z.strictObject({
          rounds: z.number().int().min(1).max(RESULTS_LIMITS.maxSamples),
          final: z.boolean(),
          counts: z
            .array(z.tuple([index, index, index]))
            .max(RESULTS_LIMITS.maxMetrics)
            .optional(),
        }),
      )
      .max(RESULTS_LIMITS.maxLooks)
      .optional(),
    roundsAfterVerdict: z.number().int().nonnegative().optional(),
  }),
  environment: z.strictObject({
    cpuModel: str(200),
    cores: z.number().int(),
    os: str(200),
    node: str(50),
    durationS: num,
  }),
  warnings: z.array(warning).max(500),
  errors: z.array(str(10_000)).max(100),
  reproduce: str(RESULTS_LIMITS.maxReproduceChars),
  shard: z.strictObject({ index: z.number().int().min(1), total: z.number().int().min(1).max(MAX_SHARDS) }).optional(),
  configHash: z
    .string()
    .regex(/^[0-9a-f]{16,64}$/)
    .optional(),
  checkSha: sha.optional(),
  cancelled: z
    .string()
    .regex(/^SIG[A-Z0-9]{1,10}$/)
    .optional(),
  curves: z.array(curve).max(RESULTS_LIMITS.maxMetrics).optional(),
  profiles: z.array(suiteProfile).max(RESULTS_LIMITS.maxProfiles).optional(),
});

/** A results file that failed validation; the message names the file and the key. */
export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

const RESULTS_NAME = /^perfgate-results.*\.json$/;

/**
 * Finds results files (`perfgate-results*.json`) under `dir`, recursively (artifact subfolders).
 * Symbolic links are never followed (an artifact's link could point anywhere on the runner);
 * those that would have been read are returned in `symlinks`.
 */
export function findResultsFiles(dir: string): { files: string[]; symlinks: string[] } {
  const found: string[] = [];
  const symlinks: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > RESULTS_LIMITS.maxDepth) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isSymbolicLink()) {
        if (RESULTS_NAME.test(entry.name) || statSyncOrNull(p)?.isDirectory()) symlinks.push(p);
        continue;
      }
      if (entry.isDirectory()) walk(p, depth + 1);
      else if (entry.isFile() && RESULTS_NAME.test(entry.name)) found.push(p);
      if (found.length > RESULTS_LIMITS.maxFiles) {
        throw new ResultsFileError(
          `more than ${RESULTS_LIMITS.maxFiles} results files under ${dir}; refusing to read them all`,
        );
      }
    }
  };
  walk(dir, 0);
  return { files: found.sort(), symlinks: symlinks.sort() };
}

function statSyncOrNull(p: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Reads and validates one results file. */
export function readResultsFile(file: string, shown = file): ComparisonReport {
  const size = statSync(file).size;
  if (size > RESULTS_LIMITS.maxFileBytes) {
    throw new ResultsFileError(
      `${shown}: ${size} bytes is over the ${RESULTS_LIMITS.maxFileBytes}-byte limit for a results file`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ResultsFileError(`${shown}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ResultsFileError(`${shown} is not a perfgate results file (format version 1): ${first.join('; ')}`);
  }
  return parsed.data as ComparisonReport;
}

/**
 * Merges shard reports into one. They must agree on repository, PR, base, head, configuration
 * and shard count; a missing shard is an error in the merged report (never a silent pass).
 */
export function mergeReports(reports: ComparisonReport[], shown: string[]): ComparisonReport {
  if (reports.length === 0) throw new ResultsFileError('no results to report');
  const first = reports[0];
  for (const [i, r] of reports.entries()) {
    for (const [label, a, b] of [
      ['repository', r.repository, first.repository],
      ['pull request', r.pullRequest, first.pullRequest],
      ['base commit', r.base.sha, first.base.sha],
      ['head commit', r.head.sha, first.head.sha],
      ['configuration', r.configHash, first.configHash],
      ['shard count', r.shard?.total, first.shard?.total],
      ['PR head commit', r.checkSha, first.checkSha],
    ] as const) {
      if (a !== b)
        throw new ResultsFileError(
          `${shown[i]} disagrees with ${shown[0]} on the ${label} (${String(a)} vs ${String(b)}): they are not shards of one comparison`,
        );
    }
  }
  const errors = reports.flatMap((r) => r.errors);
  // Shards repeat the notes about the whole run (a suite base has and head dropped): once each.
  const warnings = reports
    .flatMap((r) => r.warnings)
    .filter((w, i, all) => all.findIndex((x) => x.text === w.text) === i);
  const total = first.shard?.total;
  if (total) {
    const seen = new Set(reports.map((r) => r.shard!.index));
    if (seen.size !== reports.length) errors.push('The same shard was reported twice; check the artifact names.');
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length > 0)
      errors.push(
        `Shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${total} did not report results (did that job fail or not upload its artifact?).`,
      );
  }
  // Each metric comes from exactly one file: two answers for one metric (a duplicated artifact,
  // overlapping shards, a tampered file) would otherwise be settled by file name order.
  const byId = new Map<string, { metric: ComparisonReport['results'][number]; file: number }>();
  for (const [i, r] of reports.entries()) {
    for (const m of r.results) {
      const seen = byId.get(m.id);
      if (!seen) {
        byId.set(m.id, { metric: m, file: i });
        continue;
      }
      const same = JSON.stringify(seen.metric) === JSON.stringify(m);
      const where = seen.file === i ? `${shown[i]} lists` : `${shown[seen.file]} and ${shown[i]} both have`;
      throw new ResultsFileError(
        `${where} results for metric ${JSON.stringify(m.id)}${same ? ' (identical: was one artifact downloaded twice?)' : ', and they disagree'}. ` +
          'Each metric must come from exactly one results file; remove the extra file or check the shard settings.',
      );
    }
  }
  const results = [...byId.values()].map((e) => e.metric);
  // A cancelled shard makes the whole report no verdict.
  const cancelled = reports.find((r) => r.cancelled)?.cancelled;
  if (reports.length === 1) return { ...first, errors, verdict: decideVerdict(results, errors, !!cancelled) };
  const profiles = reports.flatMap((r) => r.profiles ?? []);
  return {
    ...first,
    results,
    ...(profiles.length > 0 ? { profiles } : {}),
    // The geomean of one shard is not the suite's; it is recomputed only when one report covers everything.
    geomean: null,
    warnings,
    errors,
    cancelled,
    verdict: decideVerdict(results, errors, !!cancelled),
    ...(reports.some((r) => r.curves) ? { curves: reports.flatMap((r) => r.curves ?? []) } : {}),
    method: {
      ...first.method,
      rounds: Math.max(...reports.map((r) => r.method.rounds)),
      alpha: first.method.alpha * (total ?? 1),
    },
    environment: { ...first.environment, durationS: Math.max(...reports.map((r) => r.environment.durationS)) },
    shard: undefined,
  };
}

/**
 * Report mode: find, validate and merge every results file under `dir`. `check` turns each file,
 * once validated, into what this job trusts of it (its comparison decided again), before merging.
 */
export function loadResults(
  dir: string,
  workspace: string,
  check: (report: ComparisonReport, shown: string) => ComparisonReport = (r) => r,
): ComparisonReport {
  const root = path.resolve(workspace, dir);
  const { files, symlinks } = findResultsFiles(root);
  const show = (f: string) => path.relative(workspace, f) || f;
  const skipped = symlinks.length
    ? `skipped ${symlinks.length} symbolic link${symlinks.length === 1 ? '' : 's'} (${symlinks.slice(0, 3).map(show).join(', ')}${symlinks.length > 3 ? ', …' : ''}): results are read from regular files only, as a link could point anywhere on the runner`
    : '';
  if (files.length === 0)
    throw new ResultsFileError(
      skipped
        ? `no perfgate-results*.json that is a regular file under ${dir} (input "results"): ${skipped}. Upload and download the files themselves.`
        : `no perfgate-results*.json under ${dir} (input "results"): did the download-artifact step run?`,
    );
  const shown = files.map(show);
  const report = mergeReports(
    files.map((f, i) => check(readResultsFile(f, shown[i]), shown[i])),
    shown,
  );
  if (skipped) report.warnings = [...report.warnings, { code: 'symlink', text: `Report mode ${skipped}.` }];
  return report;
}
