/**
 * Accepting an intended regression. A maintainer says so in the repository's own terms: a PR
 * label (every failing metric), or a line in the PR description naming metrics with the globs
 * budgets use:
 *
 *     perfgate: accept cli:wall, api/*:p99
 *
 * An accepted metric keeps its outcome and is still shown; it carries `accepted` and no longer
 * fails the gate. Anything not named still fails. Pure: the facts come from the GitHub API.
 */
import picomatch from 'picomatch';
import { type ComparisonReport, FAILING_OUTCOMES, type MetricResult, type Warning } from './model';
import { decideVerdict } from './report';

/** Author associations (GitHub's `author_association`) whose PR description may accept: people with write access. */
export const TRUSTED_ASSOCIATIONS: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** What the pull request says now. */
export interface AcceptanceFacts {
  /** The PR's labels. */
  labels: readonly string[];
  /** The label that accepts every failing metric (input `accept-label`). */
  label: string;
  /** The PR description (may be empty). */
  description: string;
  /** The PR author's association with the repository (`OWNER`, `MEMBER`, `CONTRIBUTOR`, …), when known. */
  authorAssociation?: string;
}

/**
 * The patterns of every `perfgate: accept …` line of a PR description. Lines inside HTML
 * comments (PR templates) and fenced code blocks (quoted documentation) do not count.
 */
export function parseAcceptLines(description: string): string[] {
  const visible = description.replace(/<!--[\s\S]*?(-->|$)/g, '');
  const patterns: string[] = [];
  let fence: string | null = null;
  for (const line of visible.split(/\r?\n/)) {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line);
    if (opener) {
      if (fence === null) fence = opener[1];
      else if (opener[1][0] === fence[0] && opener[1].length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const m = /^\s*perfgate:\s*accept\b(.*)$/i.exec(line);
    if (!m) continue;
    for (const p of m[1].split(/[\s,]+/)) {
      const pattern = p.replace(/^`+|`+$/g, '').trim();
      if (pattern) patterns.push(pattern);
    }
  }
  return [...new Set(patterns)];
}

/** The report without any acceptance (report mode: a results file never decides what is accepted). */
export function withoutAcceptance(report: ComparisonReport): ComparisonReport {
  const results = report.results.map(({ accepted: _, ...r }) => r);
  return { ...report, results, verdict: decideVerdict(results, report.errors, report.cancelled !== undefined) };
}

/**
 * Marks the failing metrics that the label or the description accepts, and decides the verdict
 * again. Notes (warnings with code `acceptance`) say what was ignored and why.
 */
export function applyAcceptance(report: ComparisonReport, facts: AcceptanceFacts): ComparisonReport {
  const notes: Warning[] = [];
  const failing = report.results.filter((r) => FAILING_OUTCOMES.has(r.outcome));
  const byLabel = facts.label !== '' && facts.labels.includes(facts.label);
  let patterns = parseAcceptLines(facts.description);
  if (patterns.length > 0 && !TRUSTED_ASSOCIATIONS.has(facts.authorAssociation ?? '')) {
    if (!byLabel)
      notes.push({
        code: 'acceptance',
        text:
          `The PR description's "perfgate: accept" line was ignored: the PR's author has no write access to the repository ` +
          `(author association ${facts.authorAssociation ?? 'unknown'}). A maintainer can add the label "${facts.label}" instead.`,
      });
    patterns = [];
  }
  const matchers = patterns.map((p) => ({ pattern: p, matches: picomatch(p, { dot: true }) }));
  const used = new Set<string>();
  const results = report.results.map((r): MetricResult => {
    const { accepted: _, ...rest } = r;
    if (!FAILING_OUTCOMES.has(r.outcome)) return rest;
    if (byLabel) return { ...rest, accepted: { by: 'label', rule: facts.label } };
    const hit = matchers.find((m) => m.matches(r.id));
    if (!hit) return rest;
    used.add(hit.pattern);
    return { ...rest, accepted: { by: 'description', rule: hit.pattern } };
  });
  if (!byLabel && failing.length > 0) {
    for (const m of matchers) {
      if (used.has(m.pattern)) continue;
      notes.push({
        code: 'acceptance',
        text: `"${m.pattern}" in the PR description's "perfgate: accept" line names no failing metric (ids look like suite/case:metric, e.g. ${failing[0].id}).`,
      });
    }
  }
  return {
    ...report,
    results,
    verdict: decideVerdict(results, report.errors),
    warnings: [...report.warnings.filter((w) => w.code !== 'acceptance'), ...notes],
  };
}
