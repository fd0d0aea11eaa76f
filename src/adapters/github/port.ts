/**
 * The GitHub adapter: a sticky PR comment and check runs, over `@actions/github`'s Octokit.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { type PostedComment, updateCommentIfPresent, upsertComment } from './comments';
import { describeGitHubError, MAX_CHECK_SUMMARY } from './errors';
import { type IssueOperations, issueOperations } from './issues';
import { type CommentLike, isBotAuthor } from './marker';
import { assertPositiveInteger, type RepoContext } from './repo';
import { DO_NOT_RETRY, type RetryPolicy, rateLimitRetry } from './retry';

export interface GitHubTarget {
  token: string;
  /** REST API base URL, e.g. `https://api.github.com` or `$GITHUB_API_URL`. */
  apiUrl: string;
  owner: string;
  repo: string;
}

export interface GitHubPort {
  /**
   * Exactly one comment per `marker` on the PR: find it (paginating through all comments), update it in place, or create it.
   * The posted body starts with the marker (prepended if `body` does not start with it) and must be ≤ 65,536 characters.
   */
  upsertComment(issueNumber: number, marker: string, body: string): Promise<PostedComment>;
  /** A completed check run on a commit (used by report mode for fork PRs). */
  createCheckRun(run: {
    headSha: string;
    name: string;
    conclusion: 'success' | 'failure' | 'neutral' | 'cancelled';
    title: string;
    summary: string;
  }): Promise<{ url: string }>;
}

/** What the adapter reads about a pull request (e.g. in report mode, where the event is not `pull_request`). */
export interface PullRequestInfo {
  number: number;
  base: { sha: string; ref: string };
  head: { sha: string; ref: string };
  /** Whether the head branch lives in another repository (a fork; its `pull_request` GITHUB_TOKEN is read-only). */
  fromFork: boolean;
  /** The PR's labels now (a re-run's event payload still has the labels of its first run). */
  labels: string[];
  /** The PR description ('' when empty). */
  body: string;
  /** The author's association with the repository: `OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, … */
  authorAssociation: string;
}

/** The port plus a read of one pull request and the tracking issue; additions to the GitHubPort contract. */
export interface GitHubClient extends GitHubPort, IssueOperations {
  getPullRequest(pullNumber: number): Promise<PullRequestInfo>;
  /** Updates the marked comment when one exists; never creates one. Null when there is none. */
  updateCommentIfPresent(issueNumber: number, marker: string, body: string): Promise<PostedComment | null>;
}

export interface GitHubPortOptions {
  /** Retries after the first attempt for transient failures (5xx, network, rate limits). Default 3. */
  retries?: number;
  /** Back-off unit in ms: retry k of a server error waits k² units; a rate limit waits its Retry-After seconds in units. Default 1000. */
  retryDelayMs?: number;
  /** Longest rate-limit wait worth sleeping through, in seconds; a longer one fails at once. Default 60. */
  maxRateLimitWaitSeconds?: number;
  /** Abort an attempt that got no answer within this many ms; it then counts as a transient failure. Default 30000. */
  requestTimeoutMs?: number;
  /** Receives one line per retry or repair (e.g. `core.info`). Default: silent. */
  log?: (msg: string) => void;
}

/** The options with their defaults, checked. */
function retryPolicy(options: GitHubPortOptions): RetryPolicy {
  const policy: RetryPolicy = {
    retries: options.retries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 1000,
    maxRateLimitWaitSeconds: options.maxRateLimitWaitSeconds ?? 60,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    log: options.log ?? (() => {}),
  };
  if (!Number.isInteger(policy.retries) || policy.retries < 0) {
    throw new Error(`createGitHubPort: retries must be a non-negative integer, got ${policy.retries}.`);
  }
  if (!(policy.retryDelayMs >= 0) || !(policy.requestTimeoutMs > 0) || !(policy.maxRateLimitWaitSeconds >= 0)) {
    throw new Error(
      'createGitHubPort: retryDelayMs and maxRateLimitWaitSeconds must be ≥ 0 and requestTimeoutMs > 0, got ' +
        `${policy.retryDelayMs}, ${policy.maxRateLimitWaitSeconds} and ${policy.requestTimeoutMs}.`,
    );
  }
  return policy;
}

function createOctokit(target: GitHubTarget, policy: RetryPolicy): RepoContext['octokit'] {
  // Do not pass `request` here: it would replace @actions/github's proxy-aware fetch.
  return getOctokit(
    target.token,
    {
      baseUrl: target.apiUrl.replace(/\/+$/, ''),
      retry: { retries: policy.retries, retryAfterBaseValue: policy.retryDelayMs, doNotRetry: DO_NOT_RETRY },
      log: { debug: () => {}, info: () => {}, warn: policy.log, error: policy.log },
    },
    rateLimitRetry(policy),
    retry,
  );
}

/**
 * Keeps what a bot or the token's own user wrote: a marker alone can be copied by anyone. The
 * token's login is looked up once, and only when a marked item by a non-bot exists (a personal
 * access token). Installation tokens such as GITHUB_TOKEN cannot call GET /user; then the login
 * stays unknown and only bot-authored items count.
 */
function oursFilter(octokit: RepoContext['octokit']): RepoContext['ours'] {
  let viewerLogin: Promise<string | undefined> | undefined;
  return async (items) => {
    if (items.every((c) => isBotAuthor(c.user))) return items;
    viewerLogin ??= octokit.rest.users.getAuthenticated({ request: { retries: 0 } }).then(
      (res) => res.data.login,
      () => undefined,
    );
    const viewer = await viewerLogin;
    return items.filter((c: CommentLike) => isBotAuthor(c.user) || (viewer !== undefined && c.user?.login === viewer));
  };
}

function checkRunProblem(run: Parameters<GitHubPort['createCheckRun']>[0]): string | null {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(run.headSha))
    return `createCheckRun: headSha must be a full commit SHA (40 hex digits), got ${JSON.stringify(run.headSha)}.`;
  if (run.name.trim() === '' || run.title.trim() === '')
    return 'createCheckRun: the check run name and title must not be empty.';
  if (run.summary.length > MAX_CHECK_SUMMARY)
    return (
      `createCheckRun: the summary is ${run.summary.length} characters, but GitHub accepts at most ${MAX_CHECK_SUMMARY}. ` +
      'Shorten the report before posting.'
    );
  return null;
}

async function createCheckRun(ctx: RepoContext, run: Parameters<GitHubPort['createCheckRun']>[0]) {
  const problem = checkRunProblem(run);
  if (problem) throw new Error(problem);
  try {
    const res = await ctx.octokit.rest.checks.create({
      owner: ctx.owner,
      repo: ctx.repo,
      name: run.name,
      head_sha: run.headSha,
      status: 'completed',
      conclusion: run.conclusion,
      completed_at: new Date().toISOString(),
      output: { title: run.title, summary: run.summary },
    });
    return { url: res.data.html_url ?? res.data.url };
  } catch (error) {
    throw describeGitHubError(
      error,
      `create the check run "${run.name}" on ${run.headSha.slice(0, 12)}`,
      ctx.where,
      true,
    );
  }
}

async function getPullRequest(ctx: RepoContext, pullNumber: number): Promise<PullRequestInfo> {
  assertPositiveInteger(pullNumber, 'getPullRequest: the pull request number');
  try {
    const { data } = await ctx.octokit.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: pullNumber });
    return {
      number: data.number,
      base: { sha: data.base.sha, ref: data.base.ref },
      head: { sha: data.head.sha, ref: data.head.ref },
      // Not `head.repo.fork`: that is also true for a same-repository PR in a repository that is itself a fork.
      // A deleted head repository (`null`) can only have been a fork.
      fromFork: data.head.repo?.full_name !== data.base.repo.full_name,
      labels: (data.labels ?? []).map((l) => l.name ?? '').filter((n) => n !== ''),
      body: data.body ?? '',
      authorAssociation: data.author_association ?? 'NONE',
    };
  } catch (error) {
    throw describeGitHubError(error, `read pull request #${pullNumber}`, ctx.where, false);
  }
}

/**
 * Creates the GitHub adapter for one repository.
 *
 * The token needs `pull-requests: write` (or `issues: write`) for comments and `checks: write`
 * for check runs; a read-only token makes writes throw GitHubPermissionError.
 */
export function createGitHubPort(target: GitHubTarget, options: GitHubPortOptions = {}): GitHubClient {
  if (!target.token)
    throw new Error('createGitHubPort: the GitHub token is empty; pass `github.token` as the token input.');
  const policy = retryPolicy(options);
  const octokit = createOctokit(target, policy);
  const { owner, repo } = target;
  const ctx: RepoContext = { octokit, owner, repo, where: `${owner}/${repo}`, ours: oursFilter(octokit), policy };
  return {
    upsertComment: (issueNumber, marker, body) => upsertComment(ctx, issueNumber, marker, body),
    updateCommentIfPresent: (issueNumber, marker, body) => updateCommentIfPresent(ctx, issueNumber, marker, body),
    createCheckRun: (run) => createCheckRun(ctx, run),
    getPullRequest: (pullNumber) => getPullRequest(ctx, pullNumber),
    ...issueOperations(ctx),
  };
}
