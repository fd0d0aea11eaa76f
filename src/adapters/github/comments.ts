/**
 * The sticky PR comment: found again by the hidden marker at the start of its body (written by a
 * bot or the token's own user), edited in place, duplicates deleted; created only when none exists.
 */
import { describeGitHubError, isHttpError, MAX_COMMENT_BODY } from './errors';
import { type CommentLike, hasMarker, withMarker } from './marker';
import { assertPositiveInteger, createAtMostOnce, type RepoContext } from './repo';

export interface PostedComment {
  url: string;
  id: number;
  created: boolean;
}

/** Every comment on the issue that carries the marker and was written by us, oldest first. */
async function findMarkedComments(ctx: RepoContext, issueNumber: number, marker: string): Promise<CommentLike[]> {
  const { octokit, owner, repo } = ctx;
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
    throw describeGitHubError(error, `list the comments of #${issueNumber}`, ctx.where, false);
  }
  return ctx.ours(marked);
}

/** Edits a comment; undefined when it was deleted meanwhile (then it is created anew). */
async function updateComment(ctx: RepoContext, commentId: number, body: string) {
  try {
    const res = await ctx.octokit.rest.issues.updateComment({
      owner: ctx.owner,
      repo: ctx.repo,
      comment_id: commentId,
      body,
    });
    return res.data;
  } catch (error) {
    if (isHttpError(error) && error.status === 404) return undefined;
    throw describeGitHubError(error, `update comment ${commentId}`, ctx.where, true);
  }
}

async function deleteDuplicates(ctx: RepoContext, duplicates: CommentLike[], marker: string): Promise<void> {
  for (const duplicate of duplicates) {
    try {
      await ctx.octokit.rest.issues.deleteComment({ owner: ctx.owner, repo: ctx.repo, comment_id: duplicate.id });
      ctx.policy.log(`Deleted duplicate perfgate comment ${duplicate.id} (marker ${marker}).`);
    } catch (error) {
      ctx.policy.log(`Could not delete duplicate perfgate comment ${duplicate.id}: ${(error as Error).message}`);
    }
  }
}

/** Updates the marked comment if there is one; never creates (for `comment: on-regression` after a fix). */
export async function updateCommentIfPresent(
  ctx: RepoContext,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<PostedComment | null> {
  assertPositiveInteger(issueNumber, 'updateCommentIfPresent: the pull request number');
  const fullBody = withMarker(body, marker);
  const [existing] = await findMarkedComments(ctx, issueNumber, marker);
  if (!existing) return null;
  const updated = await updateComment(ctx, existing.id, fullBody);
  return updated ? { url: updated.html_url, id: updated.id, created: false } : null;
}

function checkComment(issueNumber: number, marker: string, fullBody: string): void {
  assertPositiveInteger(issueNumber, 'upsertComment: the pull request number');
  if (!/^<!--[\s\S]*-->$/.test(marker)) {
    throw new Error(
      `upsertComment: the marker must be a hidden HTML comment from commentMarker(), got ${JSON.stringify(marker)}.`,
    );
  }
  if (fullBody.length > MAX_COMMENT_BODY) {
    throw new Error(
      `upsertComment: the comment body is ${fullBody.length} characters (marker included), but GitHub accepts at most ` +
        `${MAX_COMMENT_BODY}. Shorten the report (e.g. collapse unchanged metrics) before posting.`,
    );
  }
}

/** Exactly one comment per marker on the PR: the oldest marked one updated (others deleted), or one created. */
export async function upsertComment(
  ctx: RepoContext,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<PostedComment> {
  const fullBody = withMarker(body, marker);
  checkComment(issueNumber, marker, fullBody);
  return createAtMostOnce<PostedComment>(ctx, {
    what: `comment on #${issueNumber}`,
    failing: `Creating the comment on #${issueNumber}`,
    reuse: async () => {
      const [existing, ...duplicates] = await findMarkedComments(ctx, issueNumber, marker);
      if (!existing) return undefined;
      const updated = await updateComment(ctx, existing.id, fullBody);
      if (!updated) return undefined;
      await deleteDuplicates(ctx, duplicates, marker);
      return { url: updated.html_url, id: updated.id, created: false };
    },
    create: async () => {
      const res = await ctx.octokit.rest.issues.createComment({
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issueNumber,
        body: fullBody,
        request: { retries: 0 },
      });
      return { url: res.data.html_url, id: res.data.id, created: true };
    },
  });
}
