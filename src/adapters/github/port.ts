/**
 * The GitHub adapter: a sticky PR comment and check runs, over `@actions/github`'s Octokit.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { describeGitHubError, isHttpError, isTransient, MAX_CHECK_SUMMARY, MAX_COMMENT_BODY } from './errors';
import { type IssueOperations, issueOperations } from './issues';
import { type CommentLike, hasMarker, isBotAuthor, withMarker } from './marker';
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
  upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
  ): Promise<{ url: string; id: number; created: boolean }>;
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
  updateCommentIfPresent(
    issueNumber: number,
    marker: string,
    body: string,
  ): Promise<{ url: string; id: number; created: boolean } | null>;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive integer, got ${value}.`);
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
  // Do not pass `request` here: it would replace @actions/github's proxy-aware fetch.
  const octokit = getOctokit(
    target.token,
    {
      baseUrl: target.apiUrl.replace(/\/+$/, ''),
      retry: { retries: policy.retries, retryAfterBaseValue: policy.retryDelayMs, doNotRetry: DO_NOT_RETRY },
      log: { debug: () => {}, info: () => {}, warn: policy.log, error: policy.log },
    },
    rateLimitRetry(policy),
    retry,
  );
  const { owner, repo } = target;
  const where = `${owner}/${repo}`;

  let viewerLogin: Promise<string | undefined> | undefined;
  /**
   * The token's own login, looked up once and only when a marked comment by a non-bot exists
   * (a personal access token). Installation tokens such as GITHUB_TOKEN cannot call GET /user;
   * then the login stays unknown and only bot-authored comments count.
   */
  function getViewerLogin(): Promise<string | undefined> {
    viewerLogin ??= octokit.rest.users.getAuthenticated({ request: { retries: 0 } }).then(
      (res) => res.data.login,
      () => undefined,
    );
    return viewerLogin;
  }

  /** Every comment on the issue that carries the marker and was written by us, oldest first. */
  async function findMarkedComments(issueNumber: number, marker: string): Promise<CommentLike[]> {
    const marked: CommentLike[] = [];
    try {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
      });
      for await (const page of pages) {
        for (const comment of page.data) {
          if (hasMarker(comment.body, marker)) marked.push(comment);
        }
      }
    } catch (error) {
      throw describeGitHubError(error, `list the comments of #${issueNumber}`, where, false);
    }
    return ours(marked);
  }

  /** Keeps what a bot or the token's own user wrote: a marker alone can be copied by anyone. */
  async function ours<T extends CommentLike>(items: T[]): Promise<T[]> {
    if (items.every((c) => isBotAuthor(c.user))) return items;
    const viewer = await getViewerLogin();
    return items.filter((c) => isBotAuthor(c.user) || (viewer !== undefined && c.user?.login === viewer));
  }

  async function updateComment(commentId: number, body: string) {
    try {
      const res = await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
      return res.data;
    } catch (error) {
      if (isHttpError(error) && error.status === 404) return undefined; // deleted meanwhile: create anew
      throw describeGitHubError(error, `update comment ${commentId}`, where, true);
    }
  }

  async function deleteDuplicates(duplicates: CommentLike[], marker: string): Promise<void> {
    for (const duplicate of duplicates) {
      try {
        await octokit.rest.issues.deleteComment({ owner, repo, comment_id: duplicate.id });
        policy.log(`Deleted duplicate perfgate comment ${duplicate.id} (marker ${marker}).`);
      } catch (error) {
        policy.log(`Could not delete duplicate perfgate comment ${duplicate.id}: ${(error as Error).message}`);
      }
    }
  }

  /** Updates the marked comment if there is one; never creates (for `comment: on-regression` after a fix). */
  async function updateCommentIfPresent(issueNumber: number, marker: string, body: string) {
    assertPositiveInteger(issueNumber, 'updateCommentIfPresent: the pull request number');
    const fullBody = withMarker(body, marker);
    const [existing] = await findMarkedComments(issueNumber, marker);
    if (!existing) return null;
    const updated = await updateComment(existing.id, fullBody);
    return updated ? { url: updated.html_url, id: updated.id, created: false } : null;
  }

  async function upsertComment(issueNumber: number, marker: string, body: string) {
    assertPositiveInteger(issueNumber, 'upsertComment: the pull request number');
    if (!/^<!--[\s\S]*-->$/.test(marker)) {
      throw new Error(
        `upsertComment: the marker must be a hidden HTML comment from commentMarker(), got ${JSON.stringify(marker)}.`,
      );
    }
    const fullBody = withMarker(body, marker);
    if (fullBody.length > MAX_COMMENT_BODY) {
      throw new Error(
        `upsertComment: the comment body is ${fullBody.length} characters (marker included), but GitHub accepts at most ` +
          `${MAX_COMMENT_BODY}. Shorten the report (e.g. collapse unchanged metrics) before posting.`,
      );
    }
    // Creating is not idempotent: a POST that failed with a 5xx may still have created the comment.
    // So creation is never retried blindly; each attempt first looks for the marker again.
    for (let attempt = 0; ; attempt++) {
      const [existing, ...duplicates] = await findMarkedComments(issueNumber, marker);
      if (existing) {
        const updated = await updateComment(existing.id, fullBody);
        if (updated) {
          await deleteDuplicates(duplicates, marker);
          return { url: updated.html_url, id: updated.id, created: false };
        }
      }
      try {
        const res = await octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: issueNumber,
          body: fullBody,
          request: { retries: 0 },
        });
        return { url: res.data.html_url, id: res.data.id, created: true };
      } catch (error) {
        if (!isTransient(error) || attempt >= policy.retries) {
          throw describeGitHubError(error, `comment on #${issueNumber}`, where, true);
        }
        policy.log(
          `Creating the comment on #${issueNumber} failed (${(error as Error).message}); ` +
            `looking for it again before retry ${attempt + 1} of ${policy.retries}.`,
        );
        await sleep((attempt + 1) ** 2 * policy.retryDelayMs);
      }
    }
  }

  async function createCheckRun(run: Parameters<GitHubPort['createCheckRun']>[0]) {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(run.headSha)) {
      throw new Error(
        `createCheckRun: headSha must be a full commit SHA (40 hex digits), got ${JSON.stringify(run.headSha)}.`,
      );
    }
    if (run.name.trim() === '' || run.title.trim() === '') {
      throw new Error('createCheckRun: the check run name and title must not be empty.');
    }
    if (run.summary.length > MAX_CHECK_SUMMARY) {
      throw new Error(
        `createCheckRun: the summary is ${run.summary.length} characters, but GitHub accepts at most ${MAX_CHECK_SUMMARY}. ` +
          'Shorten the report before posting.',
      );
    }
    try {
      const res = await octokit.rest.checks.create({
        owner,
        repo,
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
        where,
        true,
      );
    }
  }

  async function getPullRequest(pullNumber: number): Promise<PullRequestInfo> {
    assertPositiveInteger(pullNumber, 'getPullRequest: the pull request number');
    try {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber });
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
      throw describeGitHubError(error, `read pull request #${pullNumber}`, where, false);
    }
  }

  const issues = issueOperations({
    octokit,
    owner,
    repo,
    ours,
    retries: policy.retries,
    retryDelayMs: policy.retryDelayMs,
    log: policy.log,
  });
  return { upsertComment, updateCommentIfPresent, createCheckRun, getPullRequest, ...issues };
}
