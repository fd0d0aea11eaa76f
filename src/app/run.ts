/**
 * `run(settings, io)`: the whole pipeline, taking its world as arguments so tests need no
 * module mocking. `main.ts` (the action) and `cli` (the terminal) only build `io`.
 *
 * full / measure:  resolve base & head → worktrees → build both → measure interleaved with
 *                  sequential looks → report (results JSON, HTML, markdown) → comment → verdict.
 * files (`perfgate compare`): harness result files → samples → the gate → report → verdict.
 * report:          read results written by measure jobs → merge → comment / check run → verdict.
 *
 * The report itself is assembled in one place, `assembleReport` (report.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addWorktrees, type EventFacts, isDirty, resolveRevisions } from '../adapters/git';
import { commentMarker, type GitHubClient, GitHubPermissionError, MAX_COMMENT_BODY } from '../adapters/github';
import { runMeasured } from '../adapters/process';
import { applyAcceptance, withoutAcceptance } from '../core/accept';
import { budgetFor } from '../core/budgets';
import type { ComparisonReport, Side, Verdict } from '../core/model';
import { renderMetricChart } from '../core/render/charts';
import { renderHtmlReport } from '../core/render/html';
import { renderMarkdown } from '../core/render/markdown';
import { countOutcomes, fails } from '../core/report';
import { applySoak } from '../core/soak';
import { formatValue } from '../core/units';
import type { Settings } from '../settings/settings';
import type { Suite } from '../settings/suites';
import { compareFiles, type ReplicateFiles } from './files';
import { measure } from './measure';
import { profileTargets, runProfiles } from './profile';
import { assembleReport, type Comparison, createGate, environment, failedComparison, gateOptions } from './report';
import { reproduceRun } from './reproduce';
import { createRunner, type SuiteRunner } from './runners';
import { selectShard } from './shard';

/** Where log lines go (the Actions log, or a terminal). */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Facts about the triggering event and job. */
export interface RunContext {
  eventName: string;
  event: EventFacts;
  /** `owner/name`. */
  repository?: string;
  prNumber?: number;
  /** The PR's labels, description and author association from the event payload (a fallback for the API). */
  prFacts?: { labels: string[]; body: string; authorAssociation?: string };
  workflow: string;
  job: string;
  /** Link to this workflow run, when known. */
  runUrl?: string;
}

/** The world `run` acts on. */
export interface RunIO {
  /** The repository checkout (GITHUB_WORKSPACE, or the current directory locally). */
  workspace: string;
  /** Scratch space for worktrees and default results (RUNNER_TEMP). */
  tempDir: string;
  context: RunContext;
  log: Logger;
  setOutput(name: string, value: string): void;
  writeSummary(markdown: string): void;
  /** The GitHub API, or null when there is no token / no PR (local runs). */
  github: GitHubClient | null;
  /** Seed of the randomized run order. */
  seed: number;
  signal?: AbortSignal;
  /** Replaces the real suite runners (tests). */
  runnerFor?: (suite: Suite) => SuiteRunner;
  /** Local runs: print progress and the report to a terminal. */
  local?: boolean;
}

export interface RunResult {
  verdict: Verdict;
  report: ComparisonReport;
  resultsPath: string;
  htmlPath: string;
  markdown: string;
  commentUrl: string | null;
}

/** Events under which a job has a write token and secrets while the code comes from a PR. */
const PRIVILEGED_EVENTS = new Set(['pull_request_target', 'workflow_run']);

/** Runs `build` in one checkout, with its output grouped in the log. Returns an error text or null. */
async function build(settings: Settings, side: Side, dir: string, io: RunIO): Promise<string | null> {
  if (!settings.build) return null;
  return io.log.group(`Build ${side}: ${settings.build}`, async () => {
    const result = await runMeasured(settings.build, {
      cwd: dir,
      timeoutS: 3600,
      signal: io.signal,
      onOutput: io.local ? undefined : (chunk) => process.stdout.write(chunk),
    });
    if (result.exitCode === 0 && !result.timedOut) return null;
    const how = result.timedOut ? 'timed out' : `failed (exit code ${result.exitCode ?? result.signal})`;
    const tail = result.outputTail.trim().split('\n').slice(-15).join('\n');
    return `The ${side} build ${how}: ${settings.build}\n${tail}`;
  });
}

/**
 * Measures base against head (modes `full` and `measure`); then, after the verdict, profiles the
 * failing suites, writing raw profiles under `resultsDir`.
 */
async function measureRevisions(settings: Settings, io: RunIO, resultsDir: string): Promise<Comparison> {
  const { base, head } = await resolveRevisions(io.workspace, settings.base, io.context.event);
  io.log.info(
    `Comparing base ${base.sha.slice(0, 12)}${base.ref ? ` (${base.ref})` : ''} with head ${head.sha.slice(0, 12)}`,
  );
  if (io.local && (await isDirty(io.workspace))) {
    io.log.warning(
      'The working tree has uncommitted changes: they are not measured (perfgate checks out the commits). Commit them to include them.',
    );
  }
  // A reader's clone may lack the commits of a workflow run (a PR's merge commit): fetch them first.
  const reproduce = reproduceRun(settings, base, head, !io.local);
  const checkouts = await addWorktrees(io.workspace, path.join(io.tempDir, 'perfgate'), base, head);
  try {
    const buildErrors: string[] = [];
    for (const side of ['base', 'head'] as const) {
      const error = await build(settings, side, checkouts[side], io);
      if (error) buildErrors.push(error);
    }
    if (buildErrors.length > 0) return failedComparison(settings, base, head, buildErrors, reproduce);

    const suites = settings.shard
      ? selectShard(settings.suites, settings.shard.index, settings.shard.total)
      : settings.suites;
    if (settings.shard)
      io.log.info(
        `Shard ${settings.shard.index}/${settings.shard.total}: ${suites.map((s) => s.name).join(', ') || 'no suites'}`,
      );
    const options = gateOptions(settings);
    const { gate, units, budgetWarnings } = createGate(settings, options);
    const runners = suites.map(io.runnerFor ?? createRunner);
    const outcome = await measure(runners, {
      checkouts,
      gate,
      maxRounds: settings.maxRounds,
      maxTimeS: settings.maxTimeS,
      seed: io.seed,
      signal: io.signal,
      log: (line) => io.log.info(line),
      unitsSeen: units,
    });
    // Soak growth metrics are decided from the runs' series, not their few replicate values.
    const results = applySoak(
      outcome.look?.results ?? [],
      outcome.series,
      options.alpha,
      (id) => budgetFor(id, units.get(id) ?? 'count', settings.budgets, settings.defaultBudget).rule.kind === 'off',
      formatValue,
    );
    const suiteErrors = outcome.errors.map(
      (e) => `${e.message}${e.outputTail ? `\n${e.outputTail.trim().split('\n').slice(-10).join('\n')}` : ''}`,
    );
    const errors = [...suiteErrors, ...(outcome.look?.errors ?? [])];
    if (suites.length > 0 && results.length === 0 && errors.length === 0) errors.push('No metric was measured.');
    // After the verdict, so profiling can never change it: where the time went.
    const failed = new Set(outcome.errors.map((e) => e.suite));
    const profiles = await runProfiles(
      profileTargets(
        settings.profile,
        runners.filter((r) => !failed.has(r.suite.name)),
        results,
      ),
      { checkouts, resultsDir, seed: io.seed, signal: io.signal, log: (line) => io.log.info(line) },
    );
    return {
      base,
      head,
      gate: options,
      looks: gate.looks,
      rounds: outcome.rounds,
      results,
      geomean: outcome.look?.geomean ?? null,
      durationS: outcome.durationS,
      warnings: [...outcome.warnings, ...(outcome.look?.warnings ?? []), ...budgetWarnings()],
      errors,
      reproduce,
      ...(profiles.length > 0 ? { profiles } : {}),
      ...(outcome.curves.length ? { curves: outcome.curves } : {}),
    };
  } finally {
    await checkouts.remove();
  }
}

/** Writes the results JSON and the HTML report; returns their paths. */
function writeResults(
  report: ComparisonReport,
  dir: string,
  name = 'perfgate-results',
): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const html = path.join(dir, name.replace('results', 'report') + '.html');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtmlReport(report));
  return { json, html };
}

/**
 * Report mode reads the PR number from a results artifact, which a fork controls. Before
 * commenting, bind it to the event: the artifact's PR head commit must be the commit whose
 * workflow run triggered this one, and the PR it names must have that head commit. Otherwise a
 * crafted artifact could make perfgate comment on an unrelated PR.
 */
async function verifyReportTarget(report: ComparisonReport, io: RunIO): Promise<string | null> {
  const runSha = io.context.event.workflowRunHeadSha;
  if (!runSha) return null; // not triggered by workflow_run: the operator chose the results explicitly
  if (report.checkSha !== runSha) {
    return `the results are for PR head ${report.checkSha ?? '(none)'}, but the triggering workflow run built ${runSha}`;
  }
  if (!report.pullRequest || !io.github) return null;
  try {
    const pr = await io.github.getPullRequest(report.pullRequest);
    if (pr.head.sha !== runSha) return `PR #${report.pullRequest} has head ${pr.head.sha}, not ${runSha}`;
  } catch (error) {
    return `could not look up PR #${report.pullRequest}: ${(error as Error).message}`;
  }
  return null;
}

/** Posts or updates the sticky comment per the `comment` policy. Never throws: failures are warnings. */
async function postComment(
  settings: Settings,
  report: ComparisonReport,
  io: RunIO,
  marker: string,
  body: string,
): Promise<string | null> {
  const pr = report.pullRequest ?? io.context.prNumber;
  if (settings.comment === 'never' || !pr || !io.github) return null;
  try {
    // on-regression: no new comment for a pass, but an earlier regression comment is brought up
    // to date, so a fixed PR does not keep showing a stale failure.
    const posted =
      settings.comment === 'on-regression' && report.verdict === 'pass'
        ? await io.github.updateCommentIfPresent(pr, marker, body)
        : await io.github.upsertComment(pr, marker, body);
    if (!posted) return null;
    const { url } = posted;
    io.log.info(`Comment: ${url}`);
    return url;
  } catch (error) {
    const reason =
      error instanceof GitHubPermissionError
        ? error.message
        : `could not post the PR comment: ${(error as Error).message}`;
    io.log.warning(`${reason} The report is in the job summary; the verdict is unaffected.`);
    return null;
  }
}

/**
 * Report mode: a check run on the PR's head commit, so the verdict shows on the PR even though
 * this workflow (workflow_run) is not attached to it. Failures are warnings.
 */
async function postCheckRun(report: ComparisonReport, io: RunIO, markdown: string): Promise<void> {
  if (!io.github || !report.checkSha) return;
  const conclusion = report.verdict === 'pass' ? 'success' : report.verdict === 'fail' ? 'failure' : 'neutral';
  const title =
    markdown
      .split('\n')
      .find((l) => l.startsWith('### '))
      ?.replace(/^### /, '') ?? `perfgate: ${report.verdict}`;
  try {
    const { url } = await io.github.createCheckRun({
      headSha: report.checkSha,
      name: 'perfgate',
      conclusion,
      title: title.slice(0, 200),
      summary: markdown,
    });
    io.log.info(`Check run: ${url}`);
  } catch (error) {
    io.log.warning(`Could not create the check run: ${(error as Error).message}`);
  }
}

/**
 * Marks failing metrics a maintainer accepted (the `accept-label` label, or a `perfgate: accept`
 * line in the PR description), read from the GitHub API now — never from a results file. Only
 * full/measure mode falls back on the event payload when the API cannot be read.
 */
async function accept(settings: Settings, report: ComparisonReport, io: RunIO): Promise<ComparisonReport> {
  if (!report.results.some(fails)) return report;
  const pr = report.pullRequest ?? io.context.prNumber;
  if (!pr) return report;
  let facts: { labels: string[]; body: string; authorAssociation?: string } | undefined;
  if (io.github) {
    try {
      const info = await io.github.getPullRequest(pr);
      facts = { labels: info.labels, body: info.body, authorAssociation: info.authorAssociation };
    } catch (error) {
      io.log.info(`Could not read PR #${pr} for accepted regressions: ${(error as Error).message}`);
    }
  }
  if (!facts && settings.mode !== 'report') facts = io.context.prFacts;
  if (!facts) return report;
  const accepted = applyAcceptance(report, {
    labels: facts.labels,
    label: settings.acceptLabel,
    description: facts.body,
    authorAssociation: facts.authorAssociation,
  });
  for (const r of accepted.results.filter((m) => m.accepted))
    io.log.info(
      `${r.id}: regression accepted ${r.accepted!.by === 'label' ? `by the label "${r.accepted!.rule}"` : `in the PR description ("${r.accepted!.rule}")`}`,
    );
  return accepted;
}

/** What a run compares when it does not measure two commits itself. */
export interface RunSources {
  /** Report mode: the results the measure jobs wrote (validated and merged). */
  reports?: () => ComparisonReport;
  /** `perfgate compare`: harness result files made elsewhere. */
  files?: ReplicateFiles;
}

/** Runs perfgate. Never throws for measurement trouble: that is verdict `error` with a report. */
export async function run(settings: Settings, io: RunIO, sources: RunSources = {}): Promise<RunResult> {
  if (settings.mode !== 'report' && PRIVILEGED_EVENTS.has(io.context.eventName) && !settings.allowUnsafePrCheckout) {
    throw new Error(
      `perfgate refuses to check out and run pull-request code under "${io.context.eventName}": that event runs with a ` +
        'write token and secrets, so PR code could steal them. Measure under "pull_request" (mode: measure) and post the ' +
        'comment from a separate "workflow_run" workflow (mode: report) — see the README, "Fork pull requests". ' +
        'If you understand the risk, set allow-unsafe-pr-checkout: true.',
    );
  }
  const resultsDir = settings.resultsDir ? path.resolve(io.workspace, settings.resultsDir) : io.tempDir;
  let report: ComparisonReport;
  if (settings.mode === 'report') {
    if (!sources.reports) throw new Error('report mode needs the results to read');
    // What is accepted is asked anew below; a results file (a fork's artifact) never decides it.
    report = withoutAcceptance(sources.reports());
    const mismatch = await verifyReportTarget(report, io);
    if (mismatch)
      throw new Error(
        `perfgate will not post these results: ${mismatch}. The artifact does not belong to this workflow run.`,
      );
  } else {
    const comparison = sources.files
      ? compareFiles(settings, sources.files)
      : await measureRevisions(settings, io, resultsDir);
    report = assembleReport(settings, io.context, comparison, environment(comparison.durationS));
  }
  report = await accept(settings, report, io);
  const marker = commentMarker(io.context.workflow, io.context.job); // one sticky comment per workflow and job
  const files = settings.mode === 'report' ? writeResults(report, io.tempDir) : writeResults(report, resultsDir);
  const markdown = renderMarkdown(report, {
    chart: renderMetricChart,
    limit: MAX_COMMENT_BODY - marker.length - 2,
    // The run page lists the uploaded artifacts (the HTML report, when the workflow uploads it).
    detailsUrl: io.context.runUrl,
  });
  io.writeSummary(markdown);
  const commentUrl = settings.mode === 'measure' ? null : await postComment(settings, report, io, marker, markdown);
  if (settings.mode === 'report') await postCheckRun(report, io, markdown);
  const counts = countOutcomes(report);
  io.setOutput('verdict', report.verdict);
  io.setOutput('regressions', String(counts.regressions));
  io.setOutput('improvements', String(counts.improvements));
  io.setOutput('accepted', String(counts.accepted));
  io.setOutput('results', files.json);
  io.setOutput('html', files.html);
  io.setOutput('comment-url', commentUrl ?? '');
  return { verdict: report.verdict, report, resultsPath: files.json, htmlPath: files.html, markdown, commentUrl };
}
