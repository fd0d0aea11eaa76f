/** The GitHub adapter: sticky PR comment, check runs, retries and permission errors. */
export { GitHubPermissionError, MAX_CHECK_SUMMARY, MAX_COMMENT_BODY } from './errors';
export { commentMarker } from './marker';
export {
  createGitHubPort,
  type GitHubClient,
  type GitHubPort,
  type GitHubPortOptions,
  type GitHubTarget,
  type PullRequestInfo,
} from './port';
