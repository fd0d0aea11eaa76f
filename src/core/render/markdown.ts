/**
 * The markdown report: one body for the PR comment, the job summary and the terminal.
 * Pure: a `ComparisonReport` in, a string out. Every string from the report is untrusted and
 * goes through `escapeMarkdown` / `inlineCode`.
 *
 * Layout, so a reviewer can read it in ten seconds: a headline verdict; a table of the metrics
 * that matter (failures first, then improvements and undecided ones) with base, head, change
 * and interval, p-value, rounds, budget and outcome; unchanged metrics folded away; the commits
 * compared; the method in one line; warnings as numbered footnotes; and the command that
 * reproduces the comparison.
 */

import { markdownTable } from 'markdown-table';
import { type ComparisonReport, FAILING_OUTCOMES, type MetricResult, type Outcome } from '../model';
import { fails } from '../report';
import { formatSignedPercent, formatValue } from '../units';
import { capacityMarkdown } from './capacity';
import { codeBlock, escapeMarkdown, inlineCode } from './escape';
import { renderProfileMarkdown } from './profile-markdown';

/** GitHub's limit on an issue comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** A hidden first line (the sticky-comment marker). */
  marker?: string;
  /** Pictures per metric (e.g. Mermaid charts); dropped first when space runs out. */
  chart?: (result: MetricResult) => string | null;
  /** A link to the HTML report or artifact, when uploaded. */
  detailsUrl?: string;
  /** Character limit for the whole body (default: GitHub's comment limit). */
  limit?: number;
}

const LABEL: Record<Outcome, string> = {
  regression: '❌ regression',
  breach: '❌ over limit',
  improvement: '✅ improvement',
  'within-budget': 'within budget',
  inconclusive: '❔ inconclusive',
  ungated: 'not gated',
  added: '🆕 added',
  removed: '➖ removed',
};

/** Display order: what a reviewer must act on first. */
const ORDER: Outcome[] = [
  'regression',
  'breach',
  'inconclusive',
  'improvement',
  'added',
  'removed',
  'ungated',
  'within-budget',
];

/** Outcomes folded into a collapsed section. */
const FOLDED = new Set<Outcome>(['within-budget', 'ungated']);

/** Outcomes that get a picture when charts are enabled. */
const CHARTED = new Set<Outcome>(['regression', 'improvement', 'inconclusive', 'breach']);

/** The verdict cell of a metric a maintainer accepted. */
function acceptedLabel(r: MetricResult): string {
  return `☑️ ${LABEL[r.outcome].replace(/^❌ /, '')}, accepted ${r.accepted!.by === 'label' ? 'by label' : 'in the PR description'}`;
}

function headline(report: ComparisonReport): string {
  const count = (o: Outcome[]) => report.results.filter((r) => o.includes(r.outcome)).length;
  const failing = report.results.filter(fails).length;
  const accepted = report.results.filter((r) => FAILING_OUTCOMES.has(r.outcome) && r.accepted);
  const improved = count(['improvement']);
  const undecided = count(['inconclusive']);
  const parts: string[] = [];
  if (improved) parts.push(`${improved} improvement${improved === 1 ? '' : 's'}`);
  if (undecided) parts.push(`${undecided} undecided`);
  if (accepted.length && failing > 0) parts.push(`${accepted.length} accepted`);
  const extra = parts.length ? ` · ${parts.join(' · ')}` : '';
  if (report.verdict === 'error' && failing === 0) {
    return `### ⚠️ perfgate: no verdict — ${report.errors.length} error${report.errors.length === 1 ? '' : 's'} stopped the comparison`;
  }
  const list = (rs: MetricResult[]) => {
    const names = rs.map((r) => inlineCode(r.id));
    return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  };
  if (failing > 0) {
    return `### ❌ perfgate: ${failing} regression${failing === 1 ? '' : 's'} beyond budget — ${list(report.results.filter(fails))}${extra}`;
  }
  if (accepted.length > 0 && report.verdict === 'pass') {
    const how = new Set(accepted.map((r) => r.accepted!.by));
    const by =
      how.size > 1 ? 'by label and in the PR description' : how.has('label') ? 'by label' : 'in the PR description';
    return `### ☑️ perfgate: ${accepted.length} regression${accepted.length === 1 ? '' : 's'} beyond budget, accepted ${by} — ${list(accepted)}${extra}`;
  }
  return `### ✅ perfgate: no regression beyond budget (${report.results.length} metric${report.results.length === 1 ? '' : 's'})${extra}`;
}

function budgetText(r: MetricResult): string {
  return r.budget.kind === 'off' ? 'off' : escapeMarkdown(r.budget.source);
}

function changeText(r: MetricResult): string {
  if (!r.change) return '—';
  const { estimate, low, high } = r.change;
  const decided = r.outcome === 'regression' || r.outcome === 'improvement';
  const text = `${formatSignedPercent(estimate)} (${formatSignedPercent(low)} … ${formatSignedPercent(high)})`;
  return decided ? `**${text}**` : text;
}

function valueText(v: number | null, r: MetricResult): string {
  return v === null ? '—' : formatValue(v, r.unit);
}

function row(r: MetricResult, footnotes: Map<string, number>): string[] {
  const marks = r.warnings.map(({ text }) => {
    if (!footnotes.has(text)) footnotes.set(text, footnotes.size + 1);
    return footnotes.get(text)!;
  });
  const mark = marks.length ? ` <sup>${[...new Set(marks)].join(',')}</sup>` : '';
  return [
    `${inlineCode(r.id)}${mark}`,
    valueText(r.baseMedian, r),
    valueText(r.headMedian, r),
    changeText(r),
    String(r.rounds),
    budgetText(r),
    r.accepted && FAILING_OUTCOMES.has(r.outcome) ? acceptedLabel(r) : LABEL[r.outcome],
  ];
}

const HEADER = ['Metric', 'Base', 'Head', 'Change (interval)', 'Rounds', 'Budget', 'Verdict'];

function table(rows: string[][]): string {
  return markdownTable([HEADER, ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'r', 'l'] });
}

function sortResults(results: MetricResult[]): MetricResult[] {
  return [...results].sort((a, b) => ORDER.indexOf(a.outcome) - ORDER.indexOf(b.outcome) || a.id.localeCompare(b.id));
}

function shortSha(sha: string): string {
  return /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7) : escapeMarkdown(sha.slice(0, 12));
}

function revision(label: string, rev: ComparisonReport['base']): string {
  return `${label} ${inlineCode(shortSha(rev.sha))}${rev.ref ? ` (${escapeMarkdown(rev.ref)})` : ''}`;
}

/** One line on how the verdict was reached. */
export function methodLine(report: ComparisonReport): string {
  const m = report.method;
  const looks = m.looks.length > 1 ? `looks at rounds ${m.looks.join(', ')}` : `a fixed ${m.maxRounds} rounds`;
  const test = m.analysis === 'paired' ? 'Wilcoxon signed-rank, paired by round' : 'Mann–Whitney';
  return (
    `Method: ${m.rounds} interleaved rounds (base and head in random order each round; ${looks}); ` +
    `Hodges–Lehmann change on log values; each interval is valid at its look and Holm-corrected across metrics (${test}); ` +
    `a regression is a change whose whole interval is beyond its budget, so a run fails with probability ≤ ${m.alpha} when every change is within budget.`
  );
}

interface Parts {
  charts: boolean;
  folded: boolean;
  footnotes: boolean;
}

function compose(report: ComparisonReport, options: MarkdownOptions, parts: Parts): string {
  const out: string[] = [];
  if (options.marker) out.push(options.marker);
  out.push(headline(report), '');
  out.push(`${revision('Base', report.base)} → ${revision('head', report.head)}`, '');

  if (report.errors.length > 0) {
    out.push('**Errors** (infrastructure, not regressions):', '');
    for (const e of report.errors) out.push(`- ${escapeMarkdown(e)}`);
    out.push('');
  }

  const footnotes = new Map<string, number>();
  const sorted = sortResults(report.results);
  const shown = sorted.filter((r) => !FOLDED.has(r.outcome));
  const folded = sorted.filter((r) => FOLDED.has(r.outcome));
  if (shown.length > 0) out.push(table(shown.map((r) => row(r, footnotes))), '');
  if (folded.length > 0) {
    if (parts.folded) {
      out.push(
        `<details><summary>${folded.length} metric${folded.length === 1 ? '' : 's'} within budget or ungated</summary>`,
        '',
        table(folded.map((r) => row(r, footnotes))),
        '',
        '</details>',
        '',
      );
    } else {
      out.push(`_${folded.length} metrics within budget or ungated are not listed (the report was too long)._`, '');
    }
  }
  if (report.geomean) {
    const g = report.geomean;
    out.push(
      `Geometric mean of all ratio changes: ${formatSignedPercent(g.estimate)} (${formatSignedPercent(g.low)} … ${formatSignedPercent(g.high)}).`,
      '',
    );
  }

  out.push(...renderProfileMarkdown(report));

  if (parts.charts && options.chart) {
    const pictures = shown.filter((r) => CHARTED.has(r.outcome));
    for (const r of pictures) {
      const chart = options.chart(r);
      if (chart)
        out.push(
          `<details><summary>${inlineCode(r.id)}: base vs head per round</summary>`,
          '',
          chart,
          '',
          '</details>',
          '',
        );
    }
  }

  if (parts.charts) out.push(...capacityMarkdown(report));

  const suiteWarnings = report.warnings.map((w) => w.text).filter((w) => !footnotes.has(w));
  if (parts.footnotes && (footnotes.size > 0 || suiteWarnings.length > 0)) {
    out.push('<details><summary>Notes</summary>', '');
    for (const [w, n] of footnotes) out.push(`${n}. ${escapeMarkdown(w)}`);
    for (const w of suiteWarnings) out.push(`- ${escapeMarkdown(w)}`);
    out.push('', '</details>', '');
  } else if (footnotes.size > 0 || suiteWarnings.length > 0) {
    out.push(
      `_${footnotes.size + suiteWarnings.length} notes omitted for length; see the job summary or results JSON._`,
      '',
    );
  }

  out.push(`<sub>${escapeMarkdown(methodLine(report))}</sub>`, '');
  out.push('Reproduce locally:', '', codeBlock(report.reproduce, 'sh'));
  if (options.detailsUrl)
    out.push('', `[Workflow run, with the HTML report when uploaded as an artifact](${encodeURI(options.detailsUrl)})`);
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Renders the report, degrading gracefully to fit `limit` characters: pictures go first, then
 * the folded unchanged rows, then footnotes; as a last resort the body is cut at a line
 * boundary with a note. Regressions and the headline always survive.
 */
export function renderMarkdown(report: ComparisonReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const attempts: Parts[] = [
    { charts: true, folded: true, footnotes: true },
    { charts: false, folded: true, footnotes: true },
    { charts: false, folded: false, footnotes: true },
    { charts: false, folded: false, footnotes: false },
  ];
  let body = '';
  for (const parts of attempts) {
    body = compose(report, options, parts);
    if (body.length <= limit) return body;
  }
  const note = '\n\n_… report cut to fit GitHub’s comment limit; the job summary and results JSON have everything._\n';
  const cut = body.slice(0, limit - note.length);
  return cut.slice(0, cut.lastIndexOf('\n')) + note;
}
