/**
 * Retry policy for GitHub API calls.
 *
 * - Server errors (5xx, network failures, attempts without an answer within `requestTimeoutMs`)
 *   are retried by `@octokit/plugin-retry`: retry k waits k² × `retryDelayMs`.
 * - Rate limits (429, and 403 "secondary rate limit") are listed in the plugin's `doNotRetry`,
 *   because the plugin would retry every 403, including permission refusals. Instead a small
 *   plugin of ours, registered before it, marks rate-limited errors for retry with the wait
 *   GitHub asks for (`Retry-After`, `x-ratelimit-reset`), counted in `retryDelayMs` units of one
 *   second each, and gives up when that wait exceeds `maxRateLimitWaitSeconds`.
 * - 400, 401, 403, 404, 410, 422 and 451 are never retried: sending them again cannot help.
 */
import type { Octokit } from '@octokit/core';
import { type HttpErrorLike, isHttpError, isRateLimit, rateLimitWaitSeconds } from './errors';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** The back-off unit in milliseconds (1000 in production; tests make it tiny). */
  retryDelayMs: number;
  /** Longest rate-limit wait, in seconds, that is worth sleeping through instead of failing. */
  maxRateLimitWaitSeconds: number;
  /** Abort one attempt after this many milliseconds without an answer (a failed attempt, retried). */
  requestTimeoutMs: number;
  log: (msg: string) => void;
}

/** Statuses `@octokit/plugin-retry` must not retry: its defaults plus 429, which we handle ourselves. */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

interface RetryableError extends HttpErrorLike {
  request?: HttpErrorLike['request'] & { request?: Record<string, unknown> };
}

interface HookOptions {
  method?: string;
  url?: string;
  request?: { retryCount?: number; retries?: number; signal?: AbortSignal };
}

function describeRequest(options: HookOptions): string {
  return `${options.method ?? 'GET'} ${options.url ?? '?'}`;
}

/**
 * An Octokit plugin that marks rate-limited failures for retry and logs every retry.
 * It must be passed to `getOctokit` before `retry` so that its error hook runs first.
 */
export function rateLimitRetry(policy: RetryPolicy) {
  return (octokit: Octokit): void => {
    // Registered before @octokit/plugin-retry, so this wrap runs inside its retry loop and every
    // attempt gets a fresh timeout. A timed-out attempt fails with status 500 and is retried.
    octokit.hook.wrap('request', (request, endpointOptions) => {
      const options = endpointOptions as HookOptions;
      options.request = { ...options.request, signal: AbortSignal.timeout(policy.requestTimeoutMs) };
      return request(endpointOptions);
    });
    octokit.hook.error('request', (error, endpointOptions) => {
      const options = endpointOptions as HookOptions;
      if (!isHttpError(error)) throw error;
      const attempt = (options.request?.retryCount ?? 0) + 1;
      const retriesLeft = policy.retries - (attempt - 1);
      const what = error.response
        ? `GitHub API ${describeRequest(options)} answered ${error.status}`
        : `GitHub API ${describeRequest(options)} failed (${error.message})`;
      if (isRateLimit(error)) {
        const waitSeconds = rateLimitWaitSeconds(error, Date.now());
        const inner = (error as RetryableError).request;
        if (retriesLeft > 0 && waitSeconds <= policy.maxRateLimitWaitSeconds && inner?.request) {
          // The contract of @octokit/plugin-retry's `retryRequest`: the limiter reads `retries`
          // and `retryAfter` (in units of `retryAfterBaseValue`) from the error's request options.
          inner.request = { ...inner.request, retries: policy.retries, retryAfter: Math.max(waitSeconds, 1) };
          policy.log(`${what} (rate limited); retrying in ${Math.max(waitSeconds, 1)} s (attempt ${attempt + 1}).`);
        }
      } else if (!DO_NOT_RETRY.includes(error.status)) {
        const retries = options.request?.retries ?? policy.retries;
        if (retries - (attempt - 1) > 0) {
          policy.log(`${what}; retrying (attempt ${attempt + 1} of at most ${retries + 1}).`);
        }
      }
      throw error;
    });
  };
}
