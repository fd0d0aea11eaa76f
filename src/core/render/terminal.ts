/**
 * The plain-text report for a terminal (`perfgate run` / `compare`): the shared model (`view.ts`)
 * as aligned columns, with no markup of any kind — no HTML entities, no markdown escapes, no
 * zero-width characters — and error output with its real line breaks. Every string from the
 * report goes through `clean`/`neutralize`, so a name cannot carry a terminal escape sequence or
 * reorder the line (bidi controls). Pure: a report in, a string out.
 */
import stringWidth from 'string-width';
import type { ComparisonReport, MetricResult } from '../model';
import { profileSections } from './profile-view';
import { neutralize, oneLine, plural } from './text';
import {
  buildView,
  type CellContext,
  COLUMNS,
  cellContext,
  FOLDED_WORDS,
  failingIds,
  geomeanText,
  headline,
  type Inline,
  idList,
  methodText,
  type ReportView,
  revisions,
  type Tone,
} from './view';

/** Longest metric name in the table; the full id is in the results JSON and the HTML report. */
const NAME_MAX = 60;

const TONE_MARK: Record<Tone, string> = { bad: '✖ ', good: '✔ ', warn: '? ', neutral: '' };

/** Untrusted text on one line, safe for a terminal. */
function clean(text: string): string {
  return oneLine(neutralize(text));
}

function plain(spans: Inline): string {
  return spans
    .map((s) => {
      if (s.style === 'outcome') return `${TONE_MARK[s.tone ?? 'neutral']}${clean(s.text)}`;
      if (s.style === 'note') return ` [${clean(s.text)}]`;
      return clean(s.text);
    })
    .join('');
}

/**
 * Groups of rows as one table of aligned columns (widths by display width, so wide characters
 * line up), each group after its caption.
 */
function table(groups: { caption: string | null; rows: readonly MetricResult[] }[], ctx: CellContext): string[] {
  const cells = groups.map((g) => g.rows.map((r) => COLUMNS.map((c) => plain(c.cell(r, ctx)))));
  const header = COLUMNS.map((c) => c.label);
  const widths = header.map((h, i) => Math.max(stringWidth(h), ...cells.flat().map((row) => stringWidth(row[i]))));
  const line = (row: string[]) =>
    row
      .map((c, i) => {
        const pad = ' '.repeat(widths[i] - stringWidth(c));
        return COLUMNS[i].align === 'right' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  groups.forEach((g, i) => {
    if (cells[i].length === 0) return;
    if (g.caption) out.push('', g.caption);
    out.push(...cells[i].map(line));
  });
  return out;
}

/** Rows of each profiled suite's table, as in the comment. */
const PROFILE_ROWS = 5;

/** Plain aligned columns (widths by display width), the first left-aligned and the rest right. */
function aligned(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => stringWidth(r[i]))));
  return rows.map((row) =>
    row
      .map((c, i) => {
        const pad = ' '.repeat(widths[i] - stringWidth(c));
        return i === 0 ? c + pad : pad + c;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** "Where the time went", as the comment has it: the top rows of each failing suite's profile. */
function profileLines(report: ComparisonReport, options: TerminalOptions): string[] {
  const out: string[] = [];
  for (const s of profileSections(report, PROFILE_ROWS)) {
    out.push(`Where the time went: ${clean(s.profile.suite)}`);
    for (const b of s.blocks) {
      out.push(`  ${b.metrics.map(clean).join(', ')}: ${clean(b.caption)}.`);
      if (b.empty) {
        out.push(`  ${clean(b.empty)}`);
        continue;
      }
      const rows = b.rows.map((r) => [
        `${clean(r.name)}${r.where ? ` ${clean(r.where)}` : ''}`,
        r.base,
        r.head,
        r.change,
        r.share,
      ]);
      out.push(...aligned([['Function', 'Base', 'Head', 'Change', 'Share'], ...rows]).map((l) => `  ${l}`));
      out.push(`  ${clean(b.legend)}`);
    }
    for (const note of s.notes) out.push(`  - ${clean(note)}`);
    if (s.files) {
      const where = options.resultsDir
        ? `${options.resultsDir.replace(/\/+$/, '')}/${s.files.dir}`
        : `${s.files.dir} beside the results`;
      out.push(
        `  Raw profiles: ${s.files.count} files in ${clean(where)} (open in ${s.files.viewers.replace(/`/g, '')}); the HTML report has the flame graph.`,
      );
    }
    out.push('');
  }
  return out;
}

function indented(text: string, by: string): string[] {
  return neutralize(text)
    .trimEnd()
    .split('\n')
    .map((l) => `${by}${l}`.trimEnd());
}

function compose(v: ReportView, options: TerminalOptions): string {
  const report = v.report;
  const out: string[] = [];
  out.push(`perfgate ${report.verdict.toUpperCase()}: ${plain(headline(report, NAME_MAX))}`);
  out.push(plain(revisions(report)));
  if (report.pairing) out.push(clean(report.pairing.reason));
  out.push('');

  if (v.errors.length > 0) {
    out.push('Errors (infrastructure, not regressions):');
    for (const e of v.errors) {
      out.push(`  ✖ ${clean(e.title)}`);
      if (e.detail) out.push(...indented(e.detail, '      '));
    }
    out.push('');
  }

  if (v.shown.length + v.folded.length > 0) {
    const folded = `${plural(v.folded.length, 'metric')}: ${FOLDED_WORDS}`;
    const groups = [
      { caption: null, rows: v.shown },
      { caption: v.shown.length > 0 ? folded : null, rows: v.folded },
    ];
    out.push(...table(groups, cellContext(v, NAME_MAX)), '');
  }
  const geomean = geomeanText(report);
  if (geomean) out.push(clean(geomean), '');

  out.push(...profileLines(report, options));

  if (v.footnotes.size + v.runNotes.length > 0) {
    out.push('Notes:');
    for (const [text, n] of v.footnotes) out.push(`  [${n}] ${clean(text)}`);
    for (const text of v.runNotes) out.push(`  - ${clean(text)}`);
    out.push('');
  }
  out.push(clean(methodText(report)), '');
  out.push('Reproduce locally:', ...indented(report.reproduce, '  '));
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The failing metrics on one plain line for a log annotation: at most `max` display-shortened
 * ids, and how many more (`a, b and 490 more`).
 */
export function failingList(report: ComparisonReport, max = 10): string {
  return plain(idList(failingIds(report), max));
}

export interface TerminalOptions {
  /** Where the results (and `perfgate-profiles/` beside them) are kept, to name the raw profiles' path. */
  resultsDir?: string;
}

/** The whole report as plain text for a terminal: the comment's twin, unfolded. */
export function renderTerminal(report: ComparisonReport, options: TerminalOptions = {}): string {
  return compose(buildView(report), options);
}
