import { describe, expect, it } from 'vitest';
import {
  describeGitHubError,
  GitHubPermissionError,
  type HttpErrorLike,
  isRateLimit,
  isTransient,
  rateLimitWaitSeconds,
} from '../../src/adapters/github/errors';

function httpError(status: number, message: string, headers: Record<string, string> = {}): HttpErrorLike {
  return { status, message, response: { headers, data: { message } } };
}

describe('isRateLimit', () => {
  it('tells rate limits from refusals', () => {
    expect(isRateLimit(httpError(429, 'API rate limit exceeded'))).toBe(true);
    expect(isRateLimit(httpError(403, 'You have exceeded a secondary rate limit.'))).toBe(true);
    expect(isRateLimit(httpError(403, 'x', { 'x-ratelimit-remaining': '0' }))).toBe(true);
    expect(isRateLimit(httpError(403, 'x', { 'retry-after': '30' }))).toBe(true);
    expect(isRateLimit(httpError(403, 'Resource not accessible by integration'))).toBe(false);
    expect(isRateLimit(httpError(404, 'Not Found'))).toBe(false);
  });
});

describe('rateLimitWaitSeconds', () => {
  it('prefers Retry-After, then x-ratelimit-reset, else one minute', () => {
    expect(rateLimitWaitSeconds(httpError(429, 'x', { 'retry-after': '7' }), 0)).toBe(7);
    const reset = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1000' };
    expect(rateLimitWaitSeconds(httpError(403, 'x', reset), 990_500)).toBe(10);
    expect(rateLimitWaitSeconds(httpError(403, 'x', reset), 2_000_000)).toBe(0);
    expect(rateLimitWaitSeconds(httpError(403, 'secondary rate limit'), 0)).toBe(60);
  });
});

describe('isTransient', () => {
  it('is true for 5xx and 408 only', () => {
    expect(isTransient(httpError(502, 'Bad Gateway'))).toBe(true);
    expect(isTransient(httpError(408, 'Timeout'))).toBe(true);
    expect(isTransient(httpError(422, 'Validation Failed'))).toBe(false);
    expect(isTransient(new Error('boom'))).toBe(false);
  });
});

describe('describeGitHubError', () => {
  const where = 'octo/app';

  it('turns a refused write (403 or 404) into GitHubPermissionError that points to report mode', () => {
    for (const error of [httpError(403, 'Resource not accessible by integration'), httpError(404, 'Not Found')]) {
      const described = describeGitHubError(error, 'comment on #3', where, true);
      expect(described).toBeInstanceOf(GitHubPermissionError);
      expect(described.message).toContain(`comment on #3 in octo/app (${error.status} "${error.message}")`);
      expect(described.message).toContain('fork');
      expect(described.message).toContain('report mode');
      expect(described.cause).toBe(error);
    }
  });

  it('keeps a 404 on a read, a rate limit on a write and a 401 apart from permission errors', () => {
    expect(describeGitHubError(httpError(404, 'Not Found'), 'read pull request #3', where, false)).not.toBeInstanceOf(
      GitHubPermissionError,
    );
    const limited = describeGitHubError(httpError(403, 'You have exceeded a secondary rate limit'), 'x', where, true);
    expect(limited).not.toBeInstanceOf(GitHubPermissionError);
    expect(limited.message).toMatch(/rate-limited .* Re-run the job later/);
    expect(describeGitHubError(httpError(401, 'Bad credentials'), 'x', where, true).message).toMatch(
      /rejected the token .* \(401 "Bad credentials"\)/,
    );
  });

  it("quotes GitHub's validation details", () => {
    const error: HttpErrorLike = {
      status: 422,
      message: 'Validation Failed',
      response: { data: { message: 'Validation Failed', errors: [{ message: 'Body is too long' }] } },
    };
    expect(describeGitHubError(error, 'comment on #1', where, true).message).toBe(
      'Could not comment on #1 in octo/app: GitHub answered 422 "Validation Failed (Body is too long)".',
    );
  });

  it('passes non-HTTP errors through unchanged', () => {
    const error = new TypeError('boom');
    expect(describeGitHubError(error, 'x', where, true)).toBe(error);
  });
});
