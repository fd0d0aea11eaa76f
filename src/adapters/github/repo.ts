/**
 * One repository as every GitHub operation sees it: the Octokit client, the retry policy, and the
 * filter that keeps only what perfgate wrote. Shared by comments, check runs, pull requests and
 * the tracking issue.
 */
import type { getOctokit } from '@actions/github';
import { describeGitHubError, isTransient } from './errors';
import type { CommentLike } from './marker';
import type { RetryPolicy } from './retry';

export interface RepoContext {
  octokit: ReturnType<typeof getOctokit>;
  owner: string;
  repo: string;
  /** `owner/repo`, for messages. */
  where: string;
  /** Keeps the items written by a bot or by the token's own user (a marker alone can be copied by anyone). */
  ours<T extends CommentLike>(items: T[]): Promise<T[]>;
  policy: RetryPolicy;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creating is not idempotent: a POST that failed with a 5xx may still have created the item. So
 * creation is never retried blindly: each attempt first looks for the marked item again and uses
 * it when found (`reuse`), and only then creates (`create`, not retried by the client itself).
 * `failing` names the attempt in the log ("Opening the issue"), `what` in the error ("open an issue").
 */
export async function createAtMostOnce<T>(
  ctx: RepoContext,
  step: { what: string; failing: string; reuse(): Promise<T | undefined>; create(): Promise<T> },
): Promise<T> {
  const { retries, retryDelayMs, log } = ctx.policy;
  for (let attempt = 0; ; attempt++) {
    const reused = await step.reuse();
    if (reused) return reused;
    try {
      return await step.create();
    } catch (error) {
      if (!isTransient(error) || attempt >= retries) throw describeGitHubError(error, step.what, ctx.where, true);
      log(
        `${step.failing} failed (${(error as Error).message}); looking for it again before retry ${attempt + 1} of ${retries}.`,
      );
      await sleep((attempt + 1) ** 2 * retryDelayMs);
    }
  }
}

export function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive integer, got ${value}.`);
  }
}
