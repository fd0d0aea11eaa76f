/** The GitHub adapter: sticky PR comment, check runs, retries and permission errors. */
export { GitHubPermissionError, MAX_CHECK_SUMMARY, MAX_COMMENT_BODY } from './errors';
export { type IssueOperations, type IssueRef, MAX_ISSUE_TITLE } from './issues';
export { commentMarker, issueMarker } from './marker';
export {
  createGitHubPort,
  type GitHubClient,
  type GitHubPort,
  type GitHubPortOptions,
  type GitHubTarget,
  type PullRequestInfo,
} from './port';
