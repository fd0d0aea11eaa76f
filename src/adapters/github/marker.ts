/**
 * Hidden markers that make a PR comment "sticky": perfgate finds its own comment again by the
 * marker and edits it instead of posting a new one on every run.
 */

/** Characters kept verbatim in a marker part; everything else is percent-encoded. */
const UNSAFE_MARKER_CHARS = /[^A-Za-z0-9._~-]/g;

function encodeMarkerPart(part: string, what: string): string {
  const trimmed = part.trim();
  if (trimmed === '') {
    throw new Error(`commentMarker: the ${what} name is empty; pass the workflow file (e.g. "ci.yml") and job id.`);
  }
  // Percent-encoding every character outside [A-Za-z0-9._~-] means a part can contain neither
  // `>` (so no `-->` that would end the HTML comment early) nor `/` (the separator between the
  // parts), so two different (workflow, job) pairs can never produce the same marker.
  return trimmed.replace(UNSAFE_MARKER_CHARS, (ch) =>
    Array.from(Buffer.from(ch, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * The hidden marker for one workflow + job, e.g. `<!-- perfgate:ci.yml/bench -->`.
 *
 * It is an HTML comment, so GitHub does not display it. It cannot be spoofed through rendered
 * text because the renderer escapes `<!--` in user-controlled strings, and the adapter only edits
 * marked comments written by a bot or by the token's own user.
 */
export function commentMarker(workflow: string, job: string): string {
  return `<!-- perfgate:${encodeMarkerPart(workflow, 'workflow')}/${encodeMarkerPart(job, 'job')} -->`;
}

/**
 * The hidden marker of the tracking issue for one workflow + job, e.g.
 * `<!-- perfgate-issue:creep.yml/check -->` (a different prefix, so it never matches a comment marker).
 */
export function issueMarker(workflow: string, job: string): string {
  return `<!-- perfgate-issue:${encodeMarkerPart(workflow, 'workflow')}/${encodeMarkerPart(job, 'job')} -->`;
}

/** The parts of an issue comment the sticky-comment logic looks at. */
export interface CommentLike {
  id: number;
  body?: string | null;
  user?: { login: string; type?: string } | null;
}

/** Whether a comment author is a bot account (GitHub App or `github-actions[bot]`). */
export function isBotAuthor(user: CommentLike['user']): boolean {
  if (!user) return false;
  return user.type === 'Bot' || user.login.endsWith('[bot]');
}

/**
 * Whether `body` is marked with `marker`: it must *start* with the exact marker (so `…/bench -->`
 * never matches `…/bench2 -->`). Requiring the start, not just anywhere, means a bot comment that
 * quotes or echoes someone else's text (which might contain the marker) is not taken for ours.
 */
export function hasMarker(body: string | null | undefined, marker: string): boolean {
  return typeof body === 'string' && body.startsWith(marker);
}

/** Returns `body` starting with `marker` (prepended on its own line unless the body already starts with it). */
export function withMarker(body: string, marker: string): string {
  return hasMarker(body, marker) ? body : `${marker}\n${body}`;
}
