/** The GitHub adapter: sticky PR comment, check runs, retries and permission errors. */
export { GitHubPermissionError, MAX_COMMENT_BODY } from './errors';
export { MAX_ISSUE_TITLE } from './issues';
export { commentMarker, issueMarker } from './marker';
export { createGitHubPort, type GitHubClient, type GitHubPortOptions } from './port';
