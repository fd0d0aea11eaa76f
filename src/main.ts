/**
 * The action's entry point: read the inputs into `Settings`, build the world `run` acts on
 * from the runner's environment, run, and turn the verdict into the step's result.
 */
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import * as core from '@actions/core';
import { hasPersistedCredentials } from './adapters/git';
import { createGitHubPort } from './adapters/github';
import { hideSecrets } from './adapters/process';
import { loadResults } from './adapters/results-file';
import { cancelledBy, cancelOnSignals } from './adapters/signals';
import { contextFromEnv } from './app/context';
import { type RunIO, type RunResult, run } from './app/run';
import { failingList } from './core/render/terminal';
import { INPUT_NAMES, type InputName, parseSettings, type Settings, SettingsError } from './settings/settings';

/** `with:` keys the runner passed that this action does not know (typos are otherwise silent). */
function unknownInputs(env: NodeJS.ProcessEnv): string[] {
  const known = new Set(INPUT_NAMES.map((n) => `INPUT_${n.replace(/ /g, '_').toUpperCase()}`));
  return Object.keys(env)
    .filter((k) => k.startsWith('INPUT_') && !known.has(k))
    .map((k) => k.slice(6).toLowerCase());
}

export async function main(): Promise<void> {
  const env = process.env;
  // A cancelled job: stop everything, report what was measured, and fail the step. Should that
  // take too long (or a second signal come), the verdict output and a summary that says so are
  // still written before the forced exit.
  const summary = jobSummary(env.GITHUB_STEP_SUMMARY);
  const cancellation = cancelOnSignals({
    exitCode: () => 1,
    log: (m) => core.info(m),
    beforeForcedExit: (signal) => {
      core.setOutput('verdict', 'error');
      core.setFailed(`perfgate was cancelled (${signal}); this is not a verdict.`);
      summary.cancel(signal);
    },
  });
  try {
    for (const name of unknownInputs(env))
      core.warning(`Unknown input "${name}" is ignored. Known inputs: ${INPUT_NAMES.join(', ')}.`);
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const settings = parseSettings((name: InputName) => core.getInput(name), workspace);
    // From here on nothing needs the inputs or tokens in the environment, and no child may see them.
    hideSecrets(env, [settings.token]);
    if (settings.mode !== 'report' && hasPersistedCredentials(workspace))
      core.warning(
        "actions/checkout left the job's token in the repository's git config, where the code perfgate builds and runs can read it. Set `persist-credentials: false` on the checkout step.",
      );
    const io = actionIO(settings, env, workspace, summary, cancellation.signal);
    const result = await run(settings, io, {
      reports: (check) => loadResults(settings.resultsDir ?? '.', workspace, check),
    });
    concludeStep(settings, result, cancellation.signal, summary);
  } catch (error) {
    failStep(error);
  }
}

/**
 * The job summary, and what it holds so far: nothing, the verdict, or that the run was cancelled.
 * It is written synchronously, so a forced exit never cuts it short: it is either all there or
 * not yet begun.
 */
function jobSummary(file: string | undefined) {
  let summary: 'none' | 'verdict' | 'cancelled' = 'none';
  const appendSummary = (markdown: string) => {
    if (!file) return;
    try {
      appendFileSync(file, markdown);
    } catch (error) {
      core.warning(`Could not write the job summary: ${(error as Error).message}`);
    }
  };
  return {
    /** The report's summary; `cancelled` when it is that of a cancelled run. */
    write(markdown: string, cancelled: boolean) {
      appendSummary(markdown.endsWith('\n') ? markdown : `${markdown}\n`);
      summary = cancelled ? 'cancelled' : 'verdict';
    },
    /** A summary that says the run was cancelled, after whatever was written before. */
    cancel(signal: string) {
      if (summary === 'cancelled') return;
      appendSummary(
        summary === 'none'
          ? `### 🛑 perfgate: cancelled (${signal}) — not a verdict\n\nThe run was stopped before it could report what it measured.\n`
          : `\n### 🛑 perfgate: cancelled (${signal}) while reporting — the step fails as the job was cancelled\n`,
      );
      summary = 'cancelled';
    },
  };
}

type JobSummary = ReturnType<typeof jobSummary>;

/** The world `run` acts on, from the runner's environment: the workflow's context, the log, outputs, GitHub. */
function actionIO(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  workspace: string,
  summary: JobSummary,
  signal: AbortSignal,
): RunIO {
  const context = contextFromEnv(env);
  const [owner, repo] = (context.repository ?? '/').split('/');
  return {
    workspace,
    tempDir: env.RUNNER_TEMP || os.tmpdir(),
    context,
    log: {
      info: (m) => core.info(m),
      warning: (m) => core.warning(m),
      error: (m) => core.error(m),
      group: (name, fn) => core.group(name, fn),
    },
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary: (markdown, cancelled) => summary.write(markdown, cancelled),
    github:
      settings.token && owner && repo
        ? createGitHubPort({
            token: settings.token,
            apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
            owner,
            repo,
          })
        : null,
    seed: Number(env.PERFGATE_SEED) || Math.floor(Math.random() * 2 ** 31),
    signal,
  };
}

/** Turns the verdict into the step's result: a failure for an error, a cancel, or a regression (when it fails the step). */
function concludeStep(settings: Settings, result: RunResult, signal: AbortSignal, summary: JobSummary): void {
  if (signal.aborted && !result.report.cancelled) {
    // The signal came after the verdict was reached (while reporting): the job was still cancelled.
    summary.cancel(cancelledBy(signal) ?? 'SIGINT');
    core.setOutput('verdict', 'error');
    core.setFailed(
      `perfgate was cancelled while reporting its verdict (${result.verdict}); the step fails as the job was cancelled.`,
    );
  } else if (result.verdict === 'error') {
    core.setFailed(`perfgate could not compare: ${result.report.errors[0] ?? 'no metric was measured'}`);
  } else if (result.verdict === 'fail') {
    const message = `perfgate: regression beyond budget in ${failingList(result.report)}`;
    if (settings.failOnRegression) core.setFailed(message);
    else core.warning(`${message} (fail-on-regression is false)`);
  }
}

/** A run that threw (the settings, or something outside measuring): verdict `error`, and why. */
function failStep(error: unknown): void {
  if (error instanceof SettingsError) {
    for (const issue of error.issues.slice(0, 10))
      core.error(`${issue.where}: ${issue.message}`, { title: 'perfgate configuration' });
    core.setOutput('verdict', 'error');
    core.setFailed(error.message);
    return;
  }
  core.setOutput('verdict', 'error');
  core.setFailed(error instanceof Error ? error.message : String(error));
}

await main();
