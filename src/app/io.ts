/**
 * The world `run` acts on and what it is handed (run.ts): the types of the app's IO, in a module of
 * their own so that the modules `run` calls can name them without importing `run`.
 */
import type { GitHubClient } from '../adapters/github';
import type { ComparisonReport } from '../core/model';
import type { HarnessFormat, Suite } from '../settings/suites';
import type { EventFacts } from './events';
import type { MeasureReporter } from './progress';
import type { SuiteRunner } from './runners';

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
  /** GITHUB_SERVER_URL, e.g. `https://github.com`. */
  serverUrl?: string;
  /** GITHUB_WORKFLOW_REF: `owner/repo/.github/workflows/perf.yml@refs/…`, the workflow file of this run. */
  workflowRef?: string;
  /** GITHUB_ACTION_REPOSITORY: the repository of the action being run (`OWNER/perfgate`); empty for a local action. */
  actionRepository?: string;
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
  /** Writes the job summary; `cancelled`: it is the report of a cancelled run (it says so). */
  writeSummary(markdown: string, cancelled: boolean): void;
  /** The GitHub API, or null when there is no token / no PR (local runs). */
  github: GitHubClient | null;
  /** Seed of the randomized run order. */
  seed: number;
  /** Cancels the run (SIGINT/SIGTERM): it then reports what was measured so far, as no verdict. */
  signal?: AbortSignal;
  /** Replaces the real suite runners (tests). */
  runnerFor?: (suite: Suite) => SuiteRunner;
  /** Local runs: print progress and the report to a terminal. */
  local?: boolean;
  /** Where measuring progress goes; default: plain lines through `log.info` (CI logs). */
  progress?: MeasureReporter;
}

/** Result files given to `perfgate compare`. */
export interface ReplicateFiles {
  format: HarnessFormat;
  /** Suite name in the metric ids. */
  name: string;
  base: string[];
  head: string[];
}

/** What a run compares when it does not measure two commits itself. */
export interface RunSources {
  /**
   * Report mode: the results the measure jobs wrote, validated, each file passed through `check`
   * (what this job trusts of it), and merged.
   */
  reports?: (check: (report: ComparisonReport, shown: string) => ComparisonReport) => ComparisonReport;
  /** `perfgate compare`: harness result files made elsewhere. */
  files?: ReplicateFiles;
}
