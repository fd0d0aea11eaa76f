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
import { addWorktrees, type Checkouts, copyFromHead, GitError, isDirty } from '../adapters/git';
import { commentMarker, GitHubPermissionError, MAX_COMMENT_BODY } from '../adapters/github';
import { survivors } from '../adapters/lifetime';
import { runMeasured } from '../adapters/process';
import { cancelledBy } from '../adapters/signals';
import { applyAcceptance, withoutAcceptance } from '../core/accept';
import type { ComparisonReport, Revision, Side, Verdict, Warning } from '../core/model';
import { renderMetricChart } from '../core/render/charts';
import { codeBlock } from '../core/render/escape';
import { renderHtmlReport } from '../core/render/html';
import { renderMarkdown, SUMMARY_LIMIT, utf8Length } from '../core/render/markdown';
import { countOutcomes, fails } from '../core/report';
import type { Settings } from '../settings/settings';
import { type Suite, soakTimeS } from '../settings/suites';
import { type BaseSuites, droppedOnHead, newOnHead, readBaseSuites } from './base-config';
import { eventRule } from './events';
import { compareFiles } from './files';
import type { RunIO, RunSources } from './io';
import { IsolationGuard } from './isolation';
import { type MeasureOutcome, measure } from './measure';

export type { RunIO, RunSources } from './io';

import { choosePair, type Pair } from './pair';
import { profileTargets, runProfiles } from './profile';
import { logReporter } from './progress';
import {
  assembleReport,
  type Comparison,
  createGate,
  environment,
  failedComparison,
  gateOptions,
  type RecordingGate,
  replayReport,
  UntrustedResultsError,
} from './report';
import { reproduceReported, reproduceRun } from './reproduce';
import { counterErrors, createRunner, type SuiteRunner } from './runners';
import { selectShard } from './shard';
import { trackInIssue } from './tracking-issue';

export interface RunResult {
  verdict: Verdict;
  report: ComparisonReport;
  resultsPath: string;
  htmlPath: string;
  /** The comment body (≤ GitHub's comment limit; may leave out charts and rows that pass). */
  markdown: string;
  /** The job summary: the whole report, up to the summary's own 1 MiB limit. */
  summary: string;
  commentUrl: string | null;
}

/**
 * Runs `build` in one checkout, with its output grouped in the log. Returns an error text or null;
 * processes the build left running (stopped) are named in `notes`.
 */
async function build(settings: Settings, side: Side, dir: string, io: RunIO, notes: Warning[]): Promise<string | null> {
  if (!settings.build) return null;
  return io.log.group(`Build ${side}: ${settings.build}`, async () => {
    const result = await runMeasured(settings.build, {
      cwd: dir,
      timeoutS: 3600,
      signal: io.signal,
      onOutput: io.local ? undefined : (chunk) => process.stdout.write(chunk),
    });
    io.signal?.throwIfAborted();
    if (result.lost)
      return `The ${side} build lost its supervision (${result.lost}; did it kill its parent process?). What it had started was stopped: ${result.leftBehind.join('; ') || 'nothing was left'}.`;
    if (result.leftBehind.length > 0) {
      const text = `The ${side} build left processes running; they were stopped: ${result.leftBehind.join('; ')}`;
      io.log.info(text);
      notes.push({ code: 'build-left-running', text });
    }
    if (result.exitCode === 0 && !result.timedOut) return null;
    const how = result.timedOut ? 'timed out' : `failed (exit code ${result.exitCode ?? result.signal})`;
    const tail = result.outputTail.trim().split('\n').slice(-15).join('\n');
    return `The ${side} build ${how}: ${settings.build}\n${tail}`;
  });
}

/** What a cancelled run says first (its first error). */
export function cancelMessage(signal: string, rounds: number): string {
  const when =
    rounds > 0
      ? `after ${rounds} complete round${rounds === 1 ? '' : 's'}: the figures below are what was measured so far`
      : 'before a round of measurements was complete';
  return `The run was cancelled (${signal}) ${when}. This is not a verdict.`;
}

/** Revisions of a run cancelled before they were resolved. */
const UNRESOLVED: Revision = { sha: '0000000', ref: 'not resolved' };

/**
 * Measures base against head (modes `full` and `measure`); then, after the verdict, profiles the
 * failing suites, writing raw profiles under `resultsDir`. Cancelled while measuring, it reports
 * the rounds completed; cancelled before, it throws the abort reason, with the revisions in
 * `known` once resolved.
 */
async function measureRevisions(
  settings: Settings,
  io: RunIO,
  resultsDir: string,
  known: { base?: Revision; head?: Revision; reproduce?: string },
): Promise<Comparison> {
  const { base, head, pairing } = await resolveRevisions(settings, io);
  // A reader's clone may lack the commits of a workflow run (a PR's merge commit): fetch them first.
  const reproduce = reproduceRun(settings, base, head, !io.local);
  Object.assign(known, { base, head, reproduce });
  const failed = (errors: string[]): Comparison => ({
    ...failedComparison(settings, base, head, errors, reproduce),
    pairing,
  });
  // What base's own configuration lists decides, before anything runs, which suites are new on head.
  const baseSuites = await readBaseSuites(settings, io.workspace, base, io.context);
  const suites = settings.shard
    ? selectShard(settings.suites, settings.shard.index, settings.shard.total)
    : settings.suites;
  // A counter that cannot count here fails the run now, not after the builds.
  const toolErrors = io.runnerFor ? [] : await counterErrors(suites);
  if (toolErrors.length > 0) return failed(toolErrors);
  const checkouts = await addWorktrees(io.workspace, path.join(io.tempDir, 'perfgate'), base, head, io.signal);
  let guard: IsolationGuard | undefined;
  try {
    const notes: Warning[] = [];
    const copied = await copyBenchFromHead(settings, checkouts, io, notes);
    if ('error' in copied) return failed([copied.error]);
    // Fingerprinted after bench-from-head wrote into base: from here on, neither side may change the other.
    guard = await IsolationGuard.start(checkouts, io.signal);
    const builds = await buildBoth(settings, checkouts, guard, io, notes);
    if (builds.breach) return failedComparison(settings, base, head, [builds.breach], reproduce);
    if (builds.errors.length > 0) return failed(builds.errors);
    const fresh = announceSuites(settings, suites, baseSuites, copied.newOnHead, io, notes);
    const built = { base, head, pairing, reproduce, baseSuites, suites, fresh, checkouts, isolation: guard, notes };
    return await measureAndProfile(settings, io, built, resultsDir);
  } finally {
    guard?.close();
    await checkouts.remove();
  }
}

/** Resolves base and head, says which they are and why, and warns of uncommitted changes a local run ignores. */
async function resolveRevisions(settings: Settings, io: RunIO): Promise<Pair> {
  const { base, head, pairing } = await choosePair(io.workspace, settings.base, io.context.event);
  io.signal?.throwIfAborted();
  io.log.info(
    `Comparing base ${base.sha.slice(0, 12)}${base.ref ? ` (${base.ref})` : ''} with head ${head.sha.slice(0, 12)}` +
      `${head.ref ? ` (${head.ref})` : ''}: ${pairing.reason}`,
  );
  if (io.local && (await isDirty(io.workspace))) {
    io.log.warning(
      'The working tree has uncommitted changes: they are not measured (perfgate checks out the commits). Commit them to include them.',
    );
  }
  return { base, head, pairing };
}

/**
 * `bench-from-head`: copies head's benchmark files into the base checkout, before building. Returns
 * the files head has and base does not, or the error (from git) that stops the run.
 */
async function copyBenchFromHead(
  settings: Settings,
  checkouts: Checkouts,
  io: RunIO,
  notes: Warning[],
): Promise<{ newOnHead: string[] } | { error: string }> {
  if (settings.benchFromHead.length === 0) return { newOnHead: [] };
  try {
    const done = await copyFromHead(checkouts, settings.benchFromHead);
    const text =
      `Base ran head's benchmark code (bench-from-head: ${settings.benchFromHead.join(', ')}): ` +
      `${done.copied} file${done.copied === 1 ? '' : 's'} copied from head into the base checkout before building` +
      (done.removed > 0 ? `, ${done.removed} base-only file${done.removed === 1 ? '' : 's'} removed` : '') +
      '.';
    io.log.info(text);
    notes.push({ code: 'bench-from-head', text });
    return { newOnHead: done.newOnHead };
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    return { error: error.message };
  }
}

/**
 * Builds base, then head, checking after each build that it left the other checkout alone.
 * Returns the build errors; `breach`, when a build changed the other side, ends the run there.
 */
async function buildBoth(
  settings: Settings,
  checkouts: Checkouts,
  isolation: IsolationGuard,
  io: RunIO,
  notes: Warning[],
): Promise<{ errors: string[]; breach?: string }> {
  const errors: string[] = [];
  for (const side of ['base', 'head'] as const) {
    const error = await build(settings, side, checkouts[side], io, notes);
    if (error) errors.push(error);
    const breach = settings.build ? await isolation.after(side, 'the build') : null;
    if (breach) return { errors, breach };
  }
  return { errors };
}

/**
 * Says which suites this shard runs, which are new on head and which head dropped (as notes).
 * Returns the suites new on head, with why.
 */
function announceSuites(
  settings: Settings,
  suites: Suite[],
  baseSuites: BaseSuites,
  newBenchFiles: string[],
  io: RunIO,
  notes: Warning[],
): Map<string, string> {
  if (settings.shard)
    io.log.info(
      `Shard ${settings.shard.index}/${settings.shard.total}: ${suites.map((s) => s.name).join(', ') || 'no suites'}`,
    );
  const fresh = newOnHead(suites, baseSuites, newBenchFiles);
  for (const [name, why] of fresh) {
    const text = `Suite "${name}" is new on head: ${why}, so it is measured on head only (absolute budgets apply); nothing was compared.`;
    io.log.info(text);
    notes.push({ code: 'new-on-head', text });
  }
  for (const name of droppedOnHead(settings, baseSuites)) {
    const text = `Suite "${name}" is in base's configuration (${baseSuites.source}) but not in head's: it was not measured.`;
    io.log.info(text);
    notes.push({ code: 'suite-removed', text });
  }
  return fresh;
}

/** What `measureRevisions` has once both sides are built. */
interface BuiltRevisions extends Pair {
  reproduce: string;
  baseSuites: BaseSuites;
  /** This shard's suites. */
  suites: Suite[];
  /** The suites new on head, with why. */
  fresh: Map<string, string>;
  checkouts: Checkouts;
  isolation: IsolationGuard;
  notes: Warning[];
}

/** Measures the built revisions, then profiles them after the verdict: the comparison. */
async function measureAndProfile(
  settings: Settings,
  io: RunIO,
  built: BuiltRevisions,
  resultsDir: string,
): Promise<Comparison> {
  const { checkouts, notes } = built;
  const options = gateOptions(settings);
  const { gate, budgetWarnings } = createGate(settings, options);
  const runners = built.suites.map(io.runnerFor ?? createRunner);
  const outcome = await measureInterleaved(settings, io, built, runners, gate);
  // One side changed the other: nothing measured is a comparison of the commits.
  const results = outcome.isolationError ? [] : (outcome.look?.results ?? []);
  const cancelled = outcome.cancelled ? (cancelledBy(io.signal) ?? 'SIGINT') : undefined;
  const errors = measureErrors(outcome, built.baseSuites, cancelled);
  if (built.suites.length > 0 && results.length === 0 && errors.length === 0) errors.push('No metric was measured.');
  // After the verdict, so profiling can never change it: where the time went.
  const failed = new Set(outcome.errors.map((e) => e.suite));
  // Not after a cancel (stop now) nor when one side changed the other (nothing was compared).
  const profiles =
    cancelled || outcome.isolationError
      ? []
      : await runProfiles(
          profileTargets(
            settings.profile,
            runners.filter((r) => !failed.has(r.suite.name)),
            results,
          ),
          { checkouts, resultsDir, seed: io.seed, signal: io.signal, log: (line) => io.log.info(line) },
        );
  // Every command stops what it started; anything of theirs still running got past that.
  const escaped = survivors();
  if (escaped.length > 0)
    errors.push(
      `Processes started by the benchmarks were still running after every command had ended (they escaped their supervision): ${escaped.join('; ')}. They were stopped; they may have run alongside the measurements.`,
    );
  return {
    base: built.base,
    head: built.head,
    pairing: built.pairing,
    gate: options,
    looks: gate.looks,
    rounds: outcome.rounds,
    ...(outcome.verdictRound !== null ? { roundsAfterVerdict: outcome.rounds - outcome.verdictRound } : {}),
    results,
    geomean: outcome.isolationError ? null : (outcome.look?.geomean ?? null),
    cancelled,
    durationS: outcome.durationS,
    warnings: [...notes, ...outcome.warnings, ...(outcome.look?.warnings ?? []), ...budgetWarnings()],
    errors,
    reproduce: built.reproduce,
    ...(profiles.length > 0 ? { profiles } : {}),
    ...(outcome.curves.length && !outcome.isolationError ? { curves: outcome.curves } : {}),
    looksTaken: gate.calls,
  };
}

/** Runs the suites' rounds, base and head interleaved, with the gate's sequential looks; logs how it went. */
async function measureInterleaved(
  settings: Settings,
  io: RunIO,
  built: BuiltRevisions,
  runners: SuiteRunner[],
  gate: RecordingGate,
): Promise<MeasureOutcome> {
  const { isolation } = built;
  const outcome = await measure(runners, {
    checkouts: built.checkouts,
    gate,
    maxRounds: settings.maxRounds,
    // A soak's runs are planned in full (their growth is compared once they are done): max-time comes on top.
    maxTimeS: settings.maxTimeS + soakTimeS(built.suites),
    seed: io.seed,
    signal: io.signal,
    reporter: io.progress ?? logReporter((line) => io.log.info(line)),
    isolation: (side, what) => isolation.after(side, what),
    headOnly: new Set(built.fresh.keys()),
    completeReport: settings.completeReport,
  });
  if (outcome.verdictRound !== null && outcome.rounds > outcome.verdictRound)
    io.log.info(
      `The verdict was known after round ${outcome.verdictRound} (a regression); ${outcome.rounds - outcome.verdictRound} more round${outcome.rounds - outcome.verdictRound === 1 ? '' : 's'} labelled the other metrics (complete-report: true).`,
    );
  io.log.info(
    `Side isolation: ${isolation.checks} checks of the other checkout, ${((isolation.seconds / Math.max(1, isolation.checks)) * 1000).toFixed(1)} ms each on average (${isolation.how})`,
  );
  return outcome;
}

/** The measurement's errors, first whatever stopped it (a cancel, then one side changing the other). */
function measureErrors(outcome: MeasureOutcome, baseSuites: BaseSuites, cancelled: string | undefined): string[] {
  // A suite that fails on base is not new on head unless base's configuration says so: say why.
  const onBase = baseSuites.names
    ? `it is in base's configuration (${baseSuites.source}), so it is not new on head`
    : `nothing shows it is new on head (${baseSuites.source})`;
  const suiteErrors = outcome.errors.map(
    (e) =>
      `${e.message}${e.side === 'base' ? ` — ${onBase}` : ''}` +
      `${e.outputTail ? `\n${e.outputTail.trim().split('\n').slice(-10).join('\n')}` : ''}`,
  );
  // A cancelled run's cancel message says why it stopped; the gate's "too few rounds" would blame the time limit.
  const errors = [...suiteErrors, ...(cancelled ? [] : (outcome.look?.errors ?? []))];
  if (outcome.isolationError) errors.unshift(outcome.isolationError);
  if (cancelled) errors.unshift(cancelMessage(cancelled, outcome.rounds));
  return errors;
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
    // to date, so a fixed PR does not keep showing a stale failure. A cancelled run only updates
    // an existing comment (its verdict would otherwise stand), never starts one.
    const posted =
      (settings.comment === 'on-regression' && report.verdict === 'pass') || report.cancelled
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
  // GitHub counts a neutral required check as passing: an error (no verdict) fails the check.
  const conclusion = report.cancelled ? 'cancelled' : report.verdict === 'pass' ? 'success' : 'failure';
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
    const reason =
      error instanceof GitHubPermissionError && !report.pullRequest
        ? `GitHub refused to let this token create a check run (${error.status}); grant the job \`permissions: { checks: write }\`.`
        : (error as Error).message;
    io.log.warning(`Could not create the check run: ${reason}`);
  }
}

/**
 * Report mode could not report (no results, a file that does not hold up, results for another
 * run): the job summary and a failing check run on the commit the triggering event names (never
 * one a results file names) say why, so a required check never waits for a result that will not
 * come, nor passes. Failures to post are warnings.
 */
async function refuseResults(error: Error, io: RunIO): Promise<void> {
  const title = 'perfgate: no verdict — the results were not reported';
  const summary = `### ⚠️ ${title}\n\n${codeBlock(error.message)}\n`;
  io.writeSummary(summary, false);
  const sha = io.context.event.workflowRunHeadSha ?? io.context.event.prHeadSha;
  if (!io.github || !sha) return;
  const cancelled = io.context.event.workflowRunConclusion === 'cancelled';
  try {
    const { url } = await io.github.createCheckRun({
      headSha: sha,
      name: 'perfgate',
      conclusion: cancelled ? 'cancelled' : 'failure',
      title,
      summary,
    });
    io.log.info(`Check run: ${url}`);
  } catch (e) {
    io.log.warning(`Could not create the check run: ${(e as Error).message}`);
  }
}

/** `measureRevisions`, or, when the run is cancelled before measuring, an empty comparison that says so. */
async function measureOrCancel(settings: Settings, io: RunIO, resultsDir: string): Promise<Comparison> {
  const known: { base?: Revision; head?: Revision; reproduce?: string } = {};
  try {
    return await measureRevisions(settings, io, resultsDir, known);
  } catch (error) {
    const signal = cancelledBy(io.signal);
    if (!signal) throw error;
    const { base = UNRESOLVED, head = UNRESOLVED, reproduce = '' } = known;
    return { ...failedComparison(settings, base, head, [cancelMessage(signal, 0)], reproduce), cancelled: signal };
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

/** Runs perfgate. Never throws for measurement trouble: that is verdict `error` with a report. */
export async function run(settings: Settings, io: RunIO, sources: RunSources = {}): Promise<RunResult> {
  if (settings.mode !== 'report' && eventRule(io.context.eventName).privileged && !settings.allowUnsafePrCheckout) {
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
    const load = sources.reports;
    try {
      // Each file's comparison is decided again from its samples with this job's configuration;
      // what is accepted is asked anew below: a results file (a fork's artifact) decides nothing.
      report = withoutAcceptance(load((file, shown) => replayReport(settings, file, shown)));
      const mismatch = await verifyReportTarget(report, io);
      if (mismatch)
        throw new UntrustedResultsError(
          `perfgate will not post these results: ${mismatch}. The artifact does not belong to this workflow run.`,
        );
    } catch (error) {
      await refuseResults(error as Error, io);
      throw error;
    }
    report = { ...report, reproduce: reproduceReported(settings, report) };
  } else {
    const comparison = sources.files
      ? compareFiles(settings, sources.files)
      : await measureOrCancel(settings, io, resultsDir);
    report = assembleReport(settings, io.context, comparison, environment(comparison.durationS));
  }
  report = await accept(settings, report, io);
  const marker = commentMarker(io.context.workflow, io.context.job); // one sticky comment per workflow and job
  const files = settings.mode === 'report' ? writeResults(report, io.tempDir) : writeResults(report, resultsDir);
  // The run page lists the uploaded artifacts (the HTML report, when the workflow uploads it).
  const detailsUrl = io.context.runUrl;
  const markdown = renderMarkdown(report, {
    chart: renderMetricChart,
    limit: MAX_COMMENT_BODY - marker.length - 2,
    detailsUrl,
  });
  // Rendered on its own: the summary allows 1 MiB where a comment allows 64 K characters.
  const summary = renderMarkdown(report, {
    chart: renderMetricChart,
    limit: SUMMARY_LIMIT,
    size: utf8Length,
    detailsUrl,
    complete: 'the results JSON and the HTML report',
  });
  io.writeSummary(summary, report.cancelled !== undefined);
  // The outputs first: a cancelled run may be cut short while it talks to GitHub.
  const counts = report.cancelled ? { regressions: 0, improvements: 0, accepted: 0 } : countOutcomes(report);
  io.setOutput('verdict', report.verdict);
  io.setOutput('regressions', String(counts.regressions));
  io.setOutput('improvements', String(counts.improvements));
  io.setOutput('accepted', String(counts.accepted));
  io.setOutput('results', files.json);
  io.setOutput('html', files.html);
  const commentUrl = settings.mode === 'measure' ? null : await postComment(settings, report, io, marker, markdown);
  // Report mode, or a run with no PR to comment on (merge queue, push, schedule): a check run.
  if (settings.mode === 'report' || (settings.mode === 'full' && !report.pullRequest))
    await postCheckRun(report, io, markdown);
  const issueUrl = await trackInIssue(settings, report, io);
  io.setOutput('comment-url', commentUrl ?? '');
  io.setOutput('issue-url', issueUrl ?? '');
  return {
    verdict: report.verdict,
    report,
    resultsPath: files.json,
    htmlPath: files.html,
    markdown,
    summary,
    commentUrl,
  };
}
