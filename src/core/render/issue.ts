/**
 * The tracking issue of a reference ("creep") check: a title and an opening that name the
 * metrics beyond budget, their change since the reference and the range of commits, above the
 * full report; and the comment that closes it once a run passes. Pure.
 */
import { type ComparisonReport, FAILING_OUTCOMES, type Revision } from '../model';
import { formatSignedPercent } from '../units';
import { escapeMarkdown, inlineCode } from './escape';

export interface IssueLinks {
  /** The repository's compare page for base…head, when known. */
  compareUrl?: string;
  /** This workflow run. */
  runUrl?: string;
}

function name(rev: Revision): string {
  return rev.ref && rev.ref !== rev.sha ? rev.ref : rev.sha.slice(0, 12);
}

function revision(rev: Revision): string {
  const sha = inlineCode(rev.sha.slice(0, 12));
  return rev.ref && rev.ref !== rev.sha ? `${sha} (${escapeMarkdown(rev.ref)})` : sha;
}

function failing(report: ComparisonReport) {
  return report.results.filter((r) => FAILING_OUTCOMES.has(r.outcome));
}

function changeText(estimate: number | undefined): string {
  return estimate === undefined ? 'over its limit' : formatSignedPercent(estimate);
}

/** The issue title: the failing metrics and their change since the reference (plain text). */
export function issueTitle(report: ComparisonReport): string {
  const bad = failing(report);
  const since = `since ${name(report.base)}`;
  const items = bad.map((r) => `${r.id} ${changeText(r.change?.estimate)}`);
  if (items.length === 1) return `perfgate: ${items[0]} ${since}`;
  return `perfgate: ${items.length} regressions ${since} (${items.slice(0, 3).join(', ')}${items.length > 3 ? ', …' : ''})`;
}

/** The opening of the issue body, above the full report. */
export function issueOpening(report: ComparisonReport, links: IssueLinks): string {
  const commits = report.pairing?.commits;
  const range = [
    `${commits === undefined ? 'Commits' : `${commits} commit${commits === 1 ? '' : 's'}`} from the reference`,
    `${revision(report.base)} to ${revision(report.head)}`,
    links.compareUrl ? `([compare](${links.compareUrl}))` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [
    `### ❌ perfgate: performance has regressed since ${escapeMarkdown(name(report.base))}`,
    '',
    `${range}.`,
    '',
    '| metric | change since the reference | interval | budget |',
    '|---|---|---|---|',
    ...failing(report).map((r) => {
      const c = r.change;
      const interval = c ? `${formatSignedPercent(c.low)} … ${formatSignedPercent(c.high)}` : '';
      return `| ${inlineCode(r.id)} | ${changeText(c?.estimate)} | ${interval} | ${inlineCode(r.budget.source)} |`;
    }),
    '',
    `Each failing run of this check updates this issue${links.runUrl ? ` ([latest run](${links.runUrl}))` : ''}; ` +
      'the first passing run closes it.',
    '',
    '---',
    '',
  ];
  return lines.join('\n');
}

/** The comment that closes the issue when a run passes. */
export function issueClosing(report: ComparisonReport, links: IssueLinks): string {
  return (
    `### ✅ perfgate passes again\n\nNo regression beyond budget from ${revision(report.base)} to ` +
    `${revision(report.head)}${links.runUrl ? ` ([run](${links.runUrl}))` : ''}. Closing this issue.`
  );
}
