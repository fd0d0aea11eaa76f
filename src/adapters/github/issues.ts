/**
 * One tracking issue per marker: found again by the hidden marker at the start of its body (like
 * the sticky comment), created or edited in place, and closed with a comment.
 */
import type { getOctokit } from '@actions/github';
import { describeGitHubError, isTransient, MAX_COMMENT_BODY } from './errors';
import { type CommentLike, hasMarker, withMarker } from './marker';

/** GitHub's limit on an issue title, in characters. */
export const MAX_ISSUE_TITLE = 256;

export interface IssueRef {
  number: number;
  url: string;
}

export interface IssueOperations {
  /**
   * Exactly one open issue per marker: the oldest open issue whose body starts with the marker
   * (written by a bot or the token's user) gets the new title and body; with none, one is opened.
   */
  upsertIssue(marker: string, title: string, body: string): Promise<IssueRef & { created: boolean }>;
  /** Comments on the open marked issue and closes it as completed; null when none is open. */
  closeIssue(marker: string, comment: string): Promise<IssueRef | null>;
}

interface Context {
  octokit: ReturnType<typeof getOctokit>;
  owner: string;
  repo: string;
  /** Keeps the items written by a bot or by the token's own user (the marker alone can be copied). */
  ours<T extends CommentLike>(items: T[]): Promise<T[]>;
  retries: number;
  retryDelayMs: number;
  log(message: string): void;
}

interface MarkedIssue extends CommentLike {
  number: number;
  html_url: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function issueOperations(ctx: Context): IssueOperations {
  const { octokit, owner, repo } = ctx;
  const where = `${owner}/${repo}`;

  /** Open issues (not pull requests) carrying the marker and written by us, oldest first. */
  async function findOpen(marker: string): Promise<MarkedIssue[]> {
    const marked: MarkedIssue[] = [];
    try {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        state: 'open',
        sort: 'created',
        direction: 'asc',
        per_page: 100,
      });
      for await (const page of pages) {
        for (const issue of page.data) {
          // The issues list includes pull requests; a PR is never the tracking issue.
          if (!issue.pull_request && hasMarker(issue.body, marker)) marked.push(issue);
        }
      }
    } catch (error) {
      throw describeGitHubError(error, 'list the open issues', where, false);
    }
    return ctx.ours(marked);
  }

  async function upsertIssue(marker: string, title: string, body: string) {
    const fullBody = withMarker(body, marker);
    if (fullBody.length > MAX_COMMENT_BODY) {
      throw new Error(
        `upsertIssue: the issue body is ${fullBody.length} characters (marker included), but GitHub accepts at most ` +
          `${MAX_COMMENT_BODY}. Shorten the report before posting.`,
      );
    }
    const shortTitle = title.length > MAX_ISSUE_TITLE ? `${title.slice(0, MAX_ISSUE_TITLE - 1)}…` : title;
    // Opening is not idempotent: a POST that failed with a 5xx may still have opened the issue.
    // So each attempt first looks for the marker again.
    for (let attempt = 0; ; attempt++) {
      const [existing] = await findOpen(marker);
      if (existing) {
        try {
          const { data } = await octokit.rest.issues.update({
            owner,
            repo,
            issue_number: existing.number,
            title: shortTitle,
            body: fullBody,
          });
          return { number: data.number, url: data.html_url, created: false };
        } catch (error) {
          throw describeGitHubError(error, `update issue #${existing.number}`, where, true);
        }
      }
      try {
        const { data } = await octokit.rest.issues.create({
          owner,
          repo,
          title: shortTitle,
          body: fullBody,
          request: { retries: 0 },
        });
        return { number: data.number, url: data.html_url, created: true };
      } catch (error) {
        if (!isTransient(error) || attempt >= ctx.retries)
          throw describeGitHubError(error, 'open an issue', where, true);
        ctx.log(
          `Opening the issue failed (${(error as Error).message}); looking for it again before retry ${attempt + 1} of ${ctx.retries}.`,
        );
        await sleep((attempt + 1) ** 2 * ctx.retryDelayMs);
      }
    }
  }

  async function closeIssue(marker: string, comment: string) {
    const [existing] = await findOpen(marker);
    if (!existing) return null;
    try {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: existing.number, body: comment });
      await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: existing.number,
        state: 'closed',
        state_reason: 'completed',
      });
    } catch (error) {
      throw describeGitHubError(error, `close issue #${existing.number}`, where, true);
    }
    return { number: existing.number, url: existing.html_url };
  }

  return { upsertIssue, closeIssue };
}
