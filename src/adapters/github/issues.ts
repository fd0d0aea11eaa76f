/**
 * One tracking issue per marker: found again by the hidden marker at the start of its body (like
 * the sticky comment), created or edited in place, and closed with a comment.
 */
import { describeGitHubError, MAX_COMMENT_BODY } from './errors';
import { type CommentLike, hasMarker, withMarker } from './marker';
import { createAtMostOnce, type RepoContext } from './repo';

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

interface MarkedIssue extends CommentLike {
  number: number;
  html_url: string;
}

/** Open issues (not pull requests) carrying the marker and written by us, oldest first. */
async function findOpen(ctx: RepoContext, marker: string): Promise<MarkedIssue[]> {
  const { octokit, owner, repo } = ctx;
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
    throw describeGitHubError(error, 'list the open issues', ctx.where, false);
  }
  return ctx.ours(marked);
}

async function upsertIssue(ctx: RepoContext, marker: string, title: string, body: string) {
  const { octokit, owner, repo } = ctx;
  const fullBody = withMarker(body, marker);
  if (fullBody.length > MAX_COMMENT_BODY) {
    throw new Error(
      `upsertIssue: the issue body is ${fullBody.length} characters (marker included), but GitHub accepts at most ` +
        `${MAX_COMMENT_BODY}. Shorten the report before posting.`,
    );
  }
  const shortTitle = title.length > MAX_ISSUE_TITLE ? `${title.slice(0, MAX_ISSUE_TITLE - 1)}…` : title;
  return createAtMostOnce<IssueRef & { created: boolean }>(ctx, {
    what: 'open an issue',
    failing: 'Opening the issue',
    reuse: async () => {
      const [existing] = await findOpen(ctx, marker);
      if (!existing) return undefined;
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
        throw describeGitHubError(error, `update issue #${existing.number}`, ctx.where, true);
      }
    },
    create: async () => {
      const { data } = await octokit.rest.issues.create({
        owner,
        repo,
        title: shortTitle,
        body: fullBody,
        request: { retries: 0 },
      });
      return { number: data.number, url: data.html_url, created: true };
    },
  });
}

async function closeIssue(ctx: RepoContext, marker: string, comment: string) {
  const { octokit, owner, repo } = ctx;
  const [existing] = await findOpen(ctx, marker);
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
    throw describeGitHubError(error, `close issue #${existing.number}`, ctx.where, true);
  }
  return { number: existing.number, url: existing.html_url };
}

export function issueOperations(ctx: RepoContext): IssueOperations {
  return {
    upsertIssue: (marker, title, body) => upsertIssue(ctx, marker, title, body),
    closeIssue: (marker, comment) => closeIssue(ctx, marker, comment),
  };
}
