/**
 * Errors of the GitHub adapter, and how an Octokit failure is turned into one of them.
 */

/** GitHub's limit on an issue or PR comment body, in characters (API answers 422 "Body is too long"). */
export const MAX_COMMENT_BODY = 65_536;
/** GitHub's limit on a check run's `output.summary`, in characters. */
export const MAX_CHECK_SUMMARY = 65_535;

/**
 * The token cannot write (fork PR, missing permissions): 403 "Resource not accessible by
 * integration" or 404 on write.
 */
export class GitHubPermissionError extends Error {
  /** The HTTP status GitHub answered (403 or 404). */
  readonly status: number;
  constructor(message: string, options: { status: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'GitHubPermissionError';
    this.status = options.status;
  }
}

/** The shape of an `@octokit/request-error` RequestError, duck-typed so no transitive package is imported. */
export interface HttpErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  request?: { method?: string; url?: string };
}

export function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** GitHub's own error message from the response body, falling back to Octokit's message. */
export function gitHubMessage(error: HttpErrorLike): string {
  const data = error.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    const message = (data as { message: string }).message;
    const details = (data as { errors?: unknown }).errors;
    if (Array.isArray(details) && details.length > 0) {
      const parts = details.map((d) =>
        typeof d === 'object' && d !== null && 'message' in d ? String(d.message) : JSON.stringify(d),
      );
      return `${message} (${parts.join('; ')})`;
    }
    return message;
  }
  return error.message;
}

function header(error: HttpErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * Whether an error is a rate limit rather than a refusal: 429, or 403 with `Retry-After`,
 * `x-ratelimit-remaining: 0`, or GitHub's "secondary rate limit" wording.
 * Source: docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api#rate-limit-errors
 */
export function isRateLimit(error: HttpErrorLike): boolean {
  if (error.status === 429) return true;
  if (error.status !== 403) return false;
  return (
    header(error, 'retry-after') !== undefined ||
    header(error, 'x-ratelimit-remaining') === '0' ||
    /rate limit|abuse detection/i.test(gitHubMessage(error))
  );
}

/**
 * Seconds GitHub asks us to wait before retrying a rate-limited request: `Retry-After`, else the
 * time until `x-ratelimit-reset`, else one minute (GitHub's advice for secondary rate limits).
 */
export function rateLimitWaitSeconds(error: HttpErrorLike, nowMs: number): number {
  const retryAfter = Number(header(error, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter;
  const reset = Number(header(error, 'x-ratelimit-reset'));
  if (header(error, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset)) {
    return Math.max(0, Math.ceil(reset - nowMs / 1000));
  }
  return 60;
}

/** Whether a failed request may succeed if sent again: 5xx, 408, or no HTTP answer at all. */
export function isTransient(error: unknown): boolean {
  if (!isHttpError(error)) return false;
  return error.status >= 500 || error.status === 408 || error.status === 0;
}

/**
 * Turns an Octokit failure into a clear error: GitHubPermissionError for a write the token may
 * not make, otherwise an Error naming the operation, the status and GitHub's message.
 */
export function describeGitHubError(error: unknown, operation: string, target: string, write: boolean): Error {
  if (error instanceof GitHubPermissionError || !isHttpError(error)) return error as Error;
  const message = gitHubMessage(error);
  if (write && ((error.status === 403 && !isRateLimit(error)) || error.status === 404)) {
    return new GitHubPermissionError(
      `GitHub refused to let this token ${operation} in ${target} (${error.status} "${message}"). ` +
        'The token cannot write: this is probably a pull request from a fork, whose GITHUB_TOKEN is read-only. ' +
        "Use perfgate's report mode: benchmark on `pull_request`, upload the result as an artifact, and post it " +
        'from a `workflow_run` workflow. For same-repository pull requests, grant the job ' +
        '`permissions: { pull-requests: write, checks: write }`.',
      { status: error.status, cause: error },
    );
  }
  if (error.status === 401) {
    return new Error(
      `GitHub rejected the token while trying to ${operation} in ${target} (401 "${message}"). ` +
        'Pass a valid token (the default `github.token` works for same-repository pull requests).',
      { cause: error },
    );
  }
  if (isRateLimit(error)) {
    return new Error(
      `GitHub rate-limited the request to ${operation} in ${target} (${error.status} "${message}"), and perfgate ` +
        'stopped retrying (retries used up, or the requested wait was too long). Re-run the job later.',
      { cause: error },
    );
  }
  if (!error.response) {
    return new Error(`Could not ${operation} in ${target}: the request to GitHub failed (${message}).`, {
      cause: error,
    });
  }
  return new Error(`Could not ${operation} in ${target}: GitHub answered ${error.status} "${message}".`, {
    cause: error,
  });
}
