/**
 * The markdown report, for the PR comment and (rendered separately, with its own limit) the job
 * summary. Pure: a `ComparisonReport` in, a string out. It draws the shared model (`view.ts`);
 * every string from the report goes through `escapeMarkdown` / `inlineCode` / `codeBlock`.
 *
 * Layout, so a reviewer can read it in ten seconds: a headline verdict; a table of the metrics
 * that matter (failures first, then undecided ones and improvements) with base, head, the change
 * with the interval that decided, the budget and the verdict; the rest folded away; per-round
 * charts; notes; the method in one line; and the command that reproduces the comparison.
 */

import { markdownTable } from 'markdown-table';
import { type ComparisonReport, FAILING_OUTCOMES, type MetricResult } from '../model';
import { capacityMarkdown } from './capacity';
import { codeBlock, escapeMarkdown, inlineCode } from './escape';
import { renderProfileMarkdown } from './profile-markdown';
import { plural } from './text';
import {
  buildView,
  type CellContext,
  COLUMNS,
  cellContext,
  displayName,
  FOLDED_WORDS,
  geomeanText,
  headline,
  type Inline,
  isAccepted,
  methodText,
  NAME_MAX,
  OTHER_WORDS,
  OUTCOME_VIEW,
  type ReportView,
  revisions,
} from './view';

/** GitHub's limit on an issue comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

/** GitHub's limit on one step's job summary: 1 MiB (of UTF-8). */
export const SUMMARY_LIMIT = 1024 * 1024;

/** The size of text in UTF-8 bytes, as the job summary's limit counts it. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

export interface MarkdownOptions {
  /** A hidden first line (the sticky-comment marker). */
  marker?: string;
  /** Pictures per metric (e.g. Mermaid charts); dropped first when space runs out. */
  chart?: (result: MetricResult) => string | null;
  /** A link to the workflow run (where the HTML report is uploaded). */
  detailsUrl?: string;
  /** Size limit for the whole body (default: GitHub's comment limit). */
  limit?: number;
  /** How `limit` counts (default: characters). */
  size?: (text: string) => number;
  /** Where a reader finds what this body leaves out to fit. */
  complete?: string;
}

const VERDICT_ICON = { pass: '✅', fail: '❌', error: '⚠️' } as const;

/** One inline run in markdown. */
function md(spans: Inline): string {
  return spans
    .map((s) => {
      switch (s.style) {
        case 'code':
          return inlineCode(s.text);
        case 'strong':
          return `**${escapeMarkdown(s.text)}**`;
        case 'outcome':
          return s.mark ? `${s.mark} ${escapeMarkdown(s.text)}` : escapeMarkdown(s.text);
        case 'note':
          return ` <sup>${escapeMarkdown(s.text)}</sup>`;
        default:
          return escapeMarkdown(s.text);
      }
    })
    .join('');
}

/** How much of the report a body holds; the first level that fits wins. */
interface Level {
  charts: boolean;
  /** The table of metrics folded away (`OUTCOME_VIEW[…].folded`). */
  folded: boolean;
  notes: boolean;
  /** Rows that do not fail the gate (undecided, improvements, added, removed). Failing rows always stay. */
  others: boolean;
  nameMax: number;
  /** Leave out the rounds column and emphasis. */
  compact: boolean;
}

const FULL: Level = { charts: true, folded: true, notes: true, others: true, nameMax: NAME_MAX, compact: false };

/** Ever smaller bodies: pictures go first, then folded rows, notes and other rows, then names get shorter. */
const LEVELS: Level[] = [
  FULL,
  { ...FULL, charts: false },
  { ...FULL, charts: false, folded: false },
  { ...FULL, charts: false, folded: false, notes: false },
  { ...FULL, charts: false, folded: false, notes: false, others: false },
  ...[48, 32, 24, 16].map((nameMax) => ({
    ...FULL,
    charts: false,
    folded: false,
    notes: false,
    others: false,
    nameMax,
    compact: nameMax <= 24,
  })),
];

function table(rows: readonly MetricResult[], ctx: CellContext, compact: boolean): string {
  const cols = COLUMNS.filter((c) => !compact || c.key !== 'rounds');
  const cell = (spans: Inline) => md(compact ? spans.map((s) => (s.style === 'strong' ? { text: s.text } : s)) : spans);
  return markdownTable(
    [cols.map((c) => c.label), ...rows.map((r) => cols.map((c) => cell(c.cell(r, ctx))))],
    // No padding: a long name would otherwise widen every row of the table.
    { align: cols.map((c) => (c.align === 'left' ? 'l' : 'r')), alignDelimiters: false },
  );
}

function details(summary: string, body: string): string[] {
  return [`<details><summary>${summary}</summary>`, '', body, '', '</details>'];
}

/**
 * The body at one level. What a reviewer reads in ten seconds stays open — the headline, the
 * commits, the rows to act on, the top of "where the time went", one line of method and the
 * links; everything else (rows within budget, charts, notes, the command that reproduces it) is
 * folded, the folded sections one after another.
 */
function compose(v: ReportView, options: MarkdownOptions, level: Level): string {
  const report = v.report;
  const out: string[] = [];
  if (options.marker) out.push(options.marker);
  const accepted = report.verdict === 'pass' && report.results.some(isAccepted);
  const icon = report.cancelled ? '🛑' : accepted ? '☑️' : VERDICT_ICON[report.verdict];
  out.push(`### ${icon} perfgate: ${md(headline(report, level.nameMax))}`, '');
  const pairing = report.pairing ? ` <sub>· ${escapeMarkdown(report.pairing.reason)}</sub>` : '';
  out.push(`${md(revisions(report))}${pairing}`, '');

  if (v.errors.length > 0) {
    out.push('**Errors** (infrastructure, not regressions):', '');
    for (const e of v.errors) {
      out.push(`- ${escapeMarkdown(e.title)}`);
      if (e.detail) out.push('', codeBlock(e.detail).replace(/^/gm, '  '), '');
    }
    if (out[out.length - 1] !== '') out.push('');
  }

  const ctx = cellContext(v, level.nameMax, level.notes);
  const shown = level.others ? v.shown : v.shown.filter((r) => FAILING_OUTCOMES.has(r.outcome));
  const left = v.shown.length - shown.length;
  if (shown.length > 0) out.push(table(shown, ctx, level.compact), '');
  if (left > 0)
    out.push(`_${plural(left, 'other metric')} (${OTHER_WORDS}) left out to fit; see ${complete(options)}._`, '');

  // Where the time went comes right under the rows: it is what a reviewer reads next.
  out.push(...renderProfileMarkdown(report));

  const folded: string[][] = [];
  if (v.folded.length > 0) {
    const what = `${plural(v.folded.length, 'metric')}: ${FOLDED_WORDS}`;
    if (level.folded) folded.push(details(what, table(v.folded, ctx, level.compact)));
    else out.push(`_${what}: left out to fit; see ${complete(options)}._`, '');
  }
  if (level.charts && options.chart) {
    const charts = shown
      .filter((x) => OUTCOME_VIEW[x.outcome].charted)
      .map((r) => [r, options.chart!(r)] as const)
      .filter(([, chart]) => chart);
    if (charts.length > 0)
      folded.push(
        details(
          `Base vs head per round (${plural(charts.length, 'metric')})`,
          charts.map(([r, chart]) => `${inlineCode(displayName(r.id, 60))}\n\n${chart}`).join('\n\n'),
        ),
      );
  }
  if (level.charts) {
    const capacity = capacityMarkdown(report);
    if (capacity.length) out.push(...capacity);
  }
  const noteCount = v.footnotes.size + v.runNotes.length;
  if (noteCount > 0) {
    if (level.notes) {
      const lines = [
        ...[...v.footnotes].map(([text, n]) => `${n}. ${escapeMarkdown(text)}`),
        ...v.runNotes.map((text) => `- ${escapeMarkdown(text)}`),
      ];
      folded.push(details(`Notes (${noteCount})`, lines.join('\n')));
    } else {
      out.push(`_${plural(noteCount, 'note')} left out to fit; see ${complete(options)}._`, '');
    }
  }
  folded.push(details('Reproduce locally', codeBlock(report.reproduce, 'sh')));
  out.push(...folded.flat(), '');

  const geomean = geomeanText(report);
  out.push(`<sub>${geomean ? `${escapeMarkdown(geomean)} ` : ''}${escapeMarkdown(methodText(report))}</sub>`);
  if (options.detailsUrl)
    out.push('', `[Workflow run, with the HTML report when uploaded as an artifact](${encodeURI(options.detailsUrl)})`);
  return `${out.join('\n').trimEnd()}\n`;
}

function complete(options: MarkdownOptions): string {
  return options.complete ?? 'the job summary and the results JSON';
}

/**
 * Renders the report within `limit`: charts go first, then the folded rows, the notes and the
 * rows that do not fail, then names get shorter and rows plainer. Every failing row stays; only a
 * report whose failing rows alone exceed the limit is cut, at a line boundary, with a note.
 */
export function renderMarkdown(report: ComparisonReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const size = options.size ?? ((text: string) => text.length);
  const v = buildView(report);
  let body = '';
  for (const level of LEVELS) {
    body = compose(v, options, level);
    if (size(body) <= limit) return body;
  }
  const note = `\n\n_… cut to fit the size limit; see ${complete(options)}._\n`;
  let cut = body.slice(0, Math.max(0, limit - size(note)));
  while (size(cut) > limit - size(note)) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))) + note;
}
