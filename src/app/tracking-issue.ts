/**
 * Reporting without a pull request: a check run on the head commit, and, for a reference
 * ("creep") check, one tracking issue that a failing run opens or updates in place and a passing
 * run closes. Failures to write are warnings: the verdict never depends on them.
 */
import { GitHubPermissionError, issueMarker, MAX_COMMENT_BODY } from '../adapters/github';
import type { ComparisonReport } from '../core/model';
import { renderMetricChart } from '../core/render/charts';
import { type IssueLinks, issueClosing, issueOpening, issueTitle } from '../core/render/issue';
import { renderMarkdown } from '../core/render/markdown';
import type { Settings } from '../settings/settings';
import { eventRule } from './events';
import type { RunIO } from './io';

/**
 * Whether this run is a reference check: it compares with the `base` input (a release tag, a
 * branch) outside pull requests and merge queues — on a schedule, by hand, or on a push.
 */
export function isReferenceCheck(settings: Settings, io: RunIO): boolean {
  return (
    settings.mode === 'full' &&
    settings.base !== null &&
    !io.context.prNumber &&
    eventRule(io.context.eventName).tracking === 'reference'
  );
}

function links(report: ComparisonReport, io: RunIO): IssueLinks {
  const { serverUrl, repository, runUrl } = io.context;
  return {
    compareUrl:
      serverUrl && repository
        ? `${serverUrl}/${repository}/compare/${report.base.sha}...${report.head.sha}`
        : undefined,
    runUrl,
  };
}

/**
 * Opens or updates the tracking issue on a failure, closes it on a pass, leaves it on an error
 * (no comparison is not a pass). Returns the issue's URL when one was written.
 */
export async function trackInIssue(settings: Settings, report: ComparisonReport, io: RunIO): Promise<string | null> {
  if (!settings.trackingIssue || !isReferenceCheck(settings, io) || !io.github) return null;
  const marker = issueMarker(io.context.workflow, io.context.job);
  const where = links(report, io);
  try {
    if (report.verdict === 'fail') {
      const opening = issueOpening(report, where);
      const body =
        opening +
        renderMarkdown(report, {
          chart: renderMetricChart,
          limit: MAX_COMMENT_BODY - marker.length - opening.length - 2,
          detailsUrl: io.context.runUrl,
        });
      const issue = await io.github.upsertIssue(marker, issueTitle(report), body);
      io.log.info(`Tracking issue ${issue.created ? 'opened' : 'updated'}: ${issue.url}`);
      return issue.url;
    }
    if (report.verdict === 'pass') {
      const closed = await io.github.closeIssue(marker, issueClosing(report, where));
      if (closed) io.log.info(`Tracking issue closed: ${closed.url}`);
      return closed?.url ?? null;
    }
    io.log.info('No verdict: the tracking issue, if any, is left as it is.');
    return null;
  } catch (error) {
    const reason =
      error instanceof GitHubPermissionError
        ? `GitHub refused to let this token write the tracking issue (${error.status}). Grant the job ` +
          '`permissions: { issues: write }`, or set tracking-issue: false.'
        : `Could not write the tracking issue (it needs \`permissions: { issues: write }\`; tracking-issue: false turns ` +
          `it off): ${(error as Error).message}`;
    io.log.warning(`${reason} The report is in the job summary; the verdict is unaffected.`);
    return null;
  }
}
