/**
 * The one model of a report that every renderer draws: the markdown comment and job summary,
 * the HTML report and the plain-text terminal report. It decides *what* is said — the words for
 * each outcome, the columns and the text of every cell, the headline, the notes, the method — and
 * each renderer only decides *how* its medium shows it (escaping, emphasis, alignment, layout).
 * The idea of columns as a list of {label, format} "dimensions" shared by several table
 * writers is google/tachometer's (`src/format.ts`); hyperfine's markup exporters share one table
 * the same way.
 *
 * Text here is untrusted and unescaped: every renderer escapes every `Span` for its medium.
 * Pure: data in, data out.
 */

import { withCounterNote } from '../instructions';
import {
  type BudgetRule,
  type ComparisonReport,
  type Direction,
  FAILING_OUTCOMES,
  type MethodSettings,
  type MetricResult,
  type Outcome,
  type Revision,
  type Unit,
  type Warning,
} from '../model';
import { fails } from '../report';
import { formatGrowth, formatSignedPercent, formatValue, plainNumber } from '../units';
import { plottable } from './charts';
import { middleEllipsis, oneLine, plural } from './text';

/** How an outcome is coloured: bad (fails the gate), good, warn (undecided), neutral. */
export type Tone = 'bad' | 'good' | 'warn' | 'neutral';

export interface OutcomeView {
  label: string;
  /** A symbol before the label where the medium shows emoji (the comment). */
  mark: string;
  tone: Tone;
  /** Nothing to act on: folded away in the comment, listed last. */
  folded: boolean;
  /** Worth a per-round picture in the comment. */
  charted: boolean;
}

const view = (label: string, mark: string, tone: Tone, folded = false, charted = false): OutcomeView => ({
  label,
  mark,
  tone,
  folded,
  charted,
});

/**
 * Every outcome's words and looks, in display order: what a reviewer must act on first. A new or
 * removed outcome is one line here (the type makes sure each has one).
 */
export const OUTCOME_VIEW: Readonly<Record<Outcome, OutcomeView>> = {
  regression: view('regression', '❌', 'bad', false, true),
  breach: view('over limit', '❌', 'bad', false, true),
  inconclusive: view('inconclusive', '❔', 'warn', false, true),
  improvement: view('improvement', '✅', 'good', false, true),
  added: view('added', '🆕', 'neutral'),
  removed: view('removed', '➖', 'neutral'),
  ungated: view('not gated', '', 'neutral', true),
  'within-budget': view('within budget', '', 'neutral', true),
};

const DISPLAY_ORDER = Object.keys(OUTCOME_VIEW) as Outcome[];

/** `a, b or c`. */
function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** What the folded rows are, in words (`not gated or within budget`). */
export const FOLDED_WORDS = orList(
  DISPLAY_ORDER.filter((o) => OUTCOME_VIEW[o].folded).map((o) => OUTCOME_VIEW[o].label),
);

/** What the shown rows that do not fail are, in words (`inconclusive, improvement, added or removed`). */
export const OTHER_WORDS = orList(
  DISPLAY_ORDER.filter((o) => !OUTCOME_VIEW[o].folded && OUTCOME_VIEW[o].tone !== 'bad').map(
    (o) => OUTCOME_VIEW[o].label,
  ),
);

// ---------------------------------------------------------------------------------------------
// Inline text

/**
 * A run of inline text. `code`: an id or command (monospace); `strong`: emphasis; `outcome`: an
 * outcome label with its tone and mark; `note`: footnote numbers. `full` is the whole text when
 * `text` was shortened for display.
 */
export interface Span {
  text: string;
  style?: 'code' | 'strong' | 'outcome' | 'note';
  tone?: Tone;
  mark?: string;
  full?: string;
}
export type Inline = readonly Span[];

const plain = (text: string): Span => ({ text });
const code = (text: string, full?: string): Span =>
  full && full !== text ? { text, style: 'code', full } : { text, style: 'code' };

/** The text of an inline with no markup (for titles, logs and tests). */
export function inlineText(spans: Inline): string {
  return spans.map((s) => (s.style === 'outcome' && s.mark ? `${s.mark} ${s.text}` : s.text)).join('');
}

// ---------------------------------------------------------------------------------------------
// Cells

/** Default longest display name of a metric; the full id is in the results JSON and the HTML report. */
export const NAME_MAX = 80;

/** A metric id for display: one line, the middle cut to `max` characters. */
export function displayName(id: string, max = NAME_MAX): string {
  return middleEllipsis(oneLine(id), max);
}

function allZero(r: MetricResult): boolean {
  return r.base.length + r.head.length > 0 && r.base.every((v) => v === 0) && r.head.every((v) => v === 0);
}

/**
 * A median for display. A duration of exactly zero is never a real measurement: the tool's clock
 * or its rounding was too coarse, so it reads "0 (below resolution)" rather than "0 s".
 */
export function valueText(v: number | null, unit: Unit): string {
  if (v === null || !plottable(v)) return '—';
  if (v === 0 && unit === 's') return '0 (below resolution)';
  return formatValue(v, unit);
}

/** A side's median for its column: a soak growth per minute, as its tolerance is written; else `valueText`. */
function medianText(r: MetricResult, v: number | null): string {
  return r.soak?.role === 'growth' && v !== null && plottable(v) ? formatGrowth(v, r.unit) : valueText(v, r.unit);
}

/**
 * The head value shown beside the base median: the base median moved by the estimated change, so
 * the two columns and the change agree by construction (the change pairs rounds; head's own median
 * can differ from it when the samples are skewed or have two modes). The head's median where no
 * relative change was estimated (absolute rules, added metrics).
 */
export function headValue(r: MetricResult): number | null {
  if (
    r.budget.kind === 'absolute' ||
    r.budget.kind === 'growth' ||
    !r.change ||
    r.baseMedian === null ||
    !plottable(r.change.estimate)
  )
    return r.headMedian;
  return r.baseMedian + r.change.estimate * Math.abs(r.baseMedian);
}

/** A signed percentage, or `—` for a change that is not a readable number. */
export function percentText(fraction: number, digits?: number): string {
  return plottable(fraction) ? formatSignedPercent(fraction, digits) : '—';
}

/**
 * The estimate with the interval that decided the verdict, to read against the budget: the change
 * for a relative budget (`+9.2% (+4.1% … +14.6%)`), the head's median for an absolute rule
 * (`head 4.2 ms (4.1 ms … 4.3 ms)`).
 */
export function changeText(r: MetricResult): string {
  if (allZero(r)) return 'all values 0';
  if (r.budget.kind === 'absolute' && r.headInterval) {
    const { estimate, low, high } = r.headInterval;
    return `head ${valueText(estimate, r.unit)} (${valueText(low, r.unit)} … ${valueText(high, r.unit)})`;
  }
  if (r.growthInterval) {
    const { estimate, low, high } = r.growthInterval;
    const g = (v: number) => (plottable(v) ? formatGrowth(v, r.unit) : '—');
    return `head − base ${g(estimate)} (${g(low)} … ${g(high)})`;
  }
  if (!r.change) return '—';
  const { estimate, low, high } = r.change;
  return `${percentText(estimate)} (${percentText(low)} … ${percentText(high)})`;
}

/** The budget on the side that counts as worse, to read against the change: `≤ +5.0%`, `≥ −5.0%`, `head < 10 ms`, `off`. */
export function budgetText(budget: BudgetRule, direction: Direction): string {
  switch (budget.kind) {
    case 'relative':
      return direction === 'lower' ? `≤ ${percentText(budget.limit)}` : `≥ ${percentText(-budget.limit)}`;
    case 'absolute':
      return `head ${budget.op} ${plottable(budget.bound) ? formatValue(budget.bound, budget.unit) : '—'}`;
    case 'growth':
      return `head − base ≤ ${plottable(budget.bound) ? formatGrowth(budget.bound, budget.unit) : '—'}`;
    default:
      return 'off';
  }
}

/** A p-value for display (HTML only, labelled as not the decision). */
export function pText(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '—';
  if (p < 0.0001) return '< 0.0001';
  return plainNumber(p, 2);
}

/** How a maintainer's acceptance reads: `by label`, `in the PR description`. */
export function acceptedBy(r: MetricResult): string {
  return r.accepted?.by === 'label' ? 'by label' : 'in the PR description';
}

/** A failing outcome a maintainer accepted: still shown, it no longer fails the check. */
export function isAccepted(r: MetricResult): boolean {
  return FAILING_OUTCOMES.has(r.outcome) && r.accepted !== undefined;
}

/** The tone of a metric's verdict: an accepted failure is a warning, not a failure. */
export function toneOf(r: MetricResult): Tone {
  return isAccepted(r) ? 'warn' : OUTCOME_VIEW[r.outcome].tone;
}

/**
 * A gated metric left undecided because its suite stopped at a look (a sibling metric regressed,
 * so the run could no longer pass), rather than at the limits.
 */
export function stoppedUndecided(r: MetricResult): boolean {
  return r.outcome === 'inconclusive' && r.budget.kind !== 'off' && r.stopReason.startsWith('undecided at look');
}

function outcomeSpan(r: MetricResult): Span {
  const o = OUTCOME_VIEW[r.outcome];
  if (stoppedUndecided(r))
    return { text: 'undecided: suite stopped at a regression', style: 'outcome', tone: o.tone, mark: o.mark };
  if (isAccepted(r))
    return { text: `${o.label}, accepted ${acceptedBy(r)}`, style: 'outcome', tone: 'warn', mark: '☑️' };
  return { text: o.label, style: 'outcome', tone: o.tone, mark: o.mark };
}

/** What a cell may depend on besides its metric. */
export interface CellContext {
  /** Longest display name. */
  nameMax: number;
  /** Footnote numbers of a metric's notes (none when notes are not shown). */
  notes(r: MetricResult): readonly number[];
}

export interface Column {
  key: 'metric' | 'base' | 'head' | 'change' | 'budget' | 'verdict' | 'rounds';
  label: string;
  align: 'left' | 'right';
  cell(r: MetricResult, ctx: CellContext): Inline;
}

/** The summary table's columns, shared by the comment, the terminal and the HTML report. */
export const COLUMNS: readonly Column[] = [
  {
    key: 'metric',
    label: 'Metric',
    align: 'left',
    cell: (r, ctx) => {
      const marks = ctx.notes(r);
      const name = code(displayName(r.id, ctx.nameMax), r.id);
      return marks.length ? [name, { text: marks.join(','), style: 'note' }] : [name];
    },
  },
  { key: 'base', label: 'Base', align: 'right', cell: (r) => [plain(medianText(r, r.baseMedian))] },
  { key: 'head', label: 'Head', align: 'right', cell: (r) => [plain(medianText(r, headValue(r)))] },
  {
    key: 'change',
    label: 'Change (interval)',
    align: 'right',
    cell: (r) => {
      const tone = OUTCOME_VIEW[r.outcome].tone;
      const text = changeText(r);
      return [tone === 'bad' || tone === 'good' ? { text, style: 'strong' } : plain(text)];
    },
  },
  { key: 'budget', label: 'Budget', align: 'right', cell: (r) => [plain(budgetText(r.budget, r.direction))] },
  { key: 'verdict', label: 'Verdict', align: 'left', cell: (r) => [outcomeSpan(r)] },
  { key: 'rounds', label: 'Rounds', align: 'right', cell: (r) => [plain(String(r.rounds))] },
];

/** The columns with these keys, in table order. */
export function columns(...keys: Column['key'][]): Column[] {
  return COLUMNS.filter((c) => keys.includes(c.key));
}

// ---------------------------------------------------------------------------------------------
// The report

export interface ErrorView {
  /** The first line: what failed. */
  title: string;
  /** The rest (an output tail), with its line breaks; empty when there is none. */
  detail: string;
}

export interface ReportView {
  report: ComparisonReport;
  /** Results in display order, split into those to act on and those folded away. */
  shown: MetricResult[];
  folded: MetricResult[];
  errors: ErrorView[];
  /** Footnotes: each distinct metric note's text, numbered from 1 in display order. */
  footnotes: Map<string, number>;
  /** Notes about the whole run that are not already a footnote. */
  runNotes: string[];
  /** Metrics per outcome, in display order, outcomes with none left out. */
  counts: [Outcome, number][];
}

/** By outcome in display order, then by id with numbers in numeric order (`run-2` before `run-10`). */
export function sortResults(results: readonly MetricResult[]): MetricResult[] {
  return [...results].sort(
    (a, b) =>
      DISPLAY_ORDER.indexOf(a.outcome) - DISPLAY_ORDER.indexOf(b.outcome) ||
      a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
}

/**
 * Whether a metric's note is shown: only where it changes what a reader should do or believe about
 * that row, and never beside a verdict it contradicts. Notes that explain why a metric is
 * undecided (noise, an interval end the data cannot reach yet, outliers, drift, a coarse
 * resolution) are shown on undecided rows only: on a decided row the verdict already holds
 * despite them. Drift is shown only when rounds are not paired: pairing by round cancels it (the
 * note says so itself). Every note stays in the results JSON.
 */
export function noteShown(w: Warning, r: MetricResult, analysis: MethodSettings['analysis'] = 'paired'): boolean {
  switch (w.code) {
    case 'drift':
      return analysis !== 'paired' && r.outcome === 'inconclusive';
    case 'interval-level':
    case 'too-noisy':
    case 'outliers':
    case 'resolution':
      return r.outcome === 'inconclusive';
    default:
      return true;
  }
}

/** The notes of a metric that are shown, in a report analysed as `analysis`. */
export function shownNotes(r: MetricResult, analysis: MethodSettings['analysis'] = 'paired'): Warning[] {
  return r.warnings.filter((w) => noteShown(w, r, analysis));
}

export function buildView(report: ComparisonReport): ReportView {
  const sorted = sortResults(report.results.map(withCounterNote));
  const footnotes = new Map<string, number>();
  for (const r of sorted)
    for (const w of shownNotes(r, report.method.analysis))
      if (!footnotes.has(w.text)) footnotes.set(w.text, footnotes.size + 1);
  const runNotes = [...new Set(report.warnings.map((w) => w.text))].filter((t) => !footnotes.has(t));
  const counts = new Map<Outcome, number>();
  for (const r of sorted) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return {
    report,
    shown: sorted.filter((r) => !OUTCOME_VIEW[r.outcome].folded),
    folded: sorted.filter((r) => OUTCOME_VIEW[r.outcome].folded),
    errors: report.errors.map((e) => {
      const [title, ...rest] = e.split(/\r\n|\n|\r/);
      return { title, detail: rest.join('\n').trim() };
    }),
    footnotes,
    runNotes,
    counts: [...counts],
  };
}

/** A cell context that numbers notes by `view.footnotes`. */
export function cellContext(v: ReportView, nameMax = NAME_MAX, notes = true): CellContext {
  return {
    nameMax,
    notes: (r) =>
      notes
        ? [
            ...new Set(
              shownNotes(r)
                .map((w) => v.footnotes.get(w.text))
                .filter((n) => n !== undefined),
            ),
          ]
        : [],
  };
}

/** `a, b, c and 7 more`: at most `max` ids, display-shortened, as code. */
export function idList(ids: readonly string[], max: number, nameMax = NAME_MAX): Inline {
  const out: Span[] = [];
  ids.slice(0, max).forEach((id, i) => {
    if (i > 0) out.push(plain(', '));
    out.push(code(displayName(id, nameMax), id));
  });
  if (ids.length > max) out.push(plain(` and ${ids.length - max} more`));
  return out;
}

/** The ids of the metrics that fail the gate, in display order. */
export function failingIds(report: ComparisonReport): string[] {
  return sortResults(report.results)
    .filter(fails)
    .map((r) => r.id);
}

/** The verdict in a sentence, without the verdict word or symbol (each medium adds its own). */
export function headline(report: ComparisonReport, nameMax = NAME_MAX): Inline {
  if (report.cancelled) return [plain(`cancelled (${oneLine(report.cancelled)}) — not a verdict`)];
  const failing = failingIds(report);
  const tones = report.results.map((r) => OUTCOME_VIEW[r.outcome].tone);
  const improved = tones.filter((t) => t === 'good').length;
  const undecided = tones.filter((t) => t === 'warn').length;
  // A gate that was lost (a gated metric measured on base and not on head) is named, not only folded away.
  const removed = report.results.filter((r) => r.outcome === 'removed' && r.budget.kind !== 'off').map((r) => r.id);
  const extras = [
    ...[improved ? plural(improved, 'improvement') : '', undecided ? `${undecided} undecided` : '']
      .filter(Boolean)
      .map((t) => plain(` · ${t}`)),
    ...(removed.length > 0
      ? [plain(` · ${plural(removed.length, 'gated metric')} removed: `), ...idList(removed, 3, Math.min(nameMax, 60))]
      : []),
  ];
  const acceptedCount = report.results.filter(isAccepted).length;
  if (failing.length > 0) {
    return [
      plain(`${plural(failing.length, 'regression')} beyond budget — `),
      ...idList(failing, 3, Math.min(nameMax, 60)),
      ...extras,
      ...(acceptedCount ? [plain(` · ${acceptedCount} accepted`)] : []),
    ];
  }
  if (report.verdict === 'error') {
    return [plain(`no verdict — ${plural(report.errors.length, 'error')} stopped the comparison`), ...extras];
  }
  const accepted = sortResults(report.results).filter(isAccepted);
  if (accepted.length > 0) {
    const how = new Set(accepted.map(acceptedBy));
    return [
      plain(`${plural(accepted.length, 'regression')} beyond budget, accepted ${[...how].join(' and ')} — `),
      ...idList(
        accepted.map((r) => r.id),
        3,
        Math.min(nameMax, 60),
      ),
      ...extras,
    ];
  }
  return [plain(`no regression beyond budget (${plural(report.results.length, 'metric')})`), ...extras];
}

/** A commit for display: 7 hex digits, or a short form of whatever else names it. */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7) : middleEllipsis(oneLine(sha), 12);
}

/** `Base 1111111 (main) → head 2222222`. */
export function revisions(report: ComparisonReport): Inline {
  const rev = (label: string, r: Revision): Span[] => [
    plain(`${label} `),
    code(shortSha(r.sha), r.sha),
    ...(r.ref ? [plain(` (${oneLine(r.ref)})`)] : []),
  ];
  return [...rev('Base', report.base), plain(' → '), ...rev('head', report.head)];
}

/**
 * The geometric-mean line, when the report has one. Its changes are oriented (a throughput that
 * halves counts like a time that doubles), so it says which way is worse.
 */
export function geomeanText(report: ComparisonReport): string | null {
  const g = report.geomean;
  if (!g) return null;
  const way = g.estimate >= 0.0005 ? ' worse' : g.estimate <= -0.0005 ? ' better' : '';
  return `Geometric mean of the gated changes: ${percentText(g.estimate)}${way} (${percentText(g.low)} … ${percentText(g.high)}; positive is worse).`;
}

/** One line on how the verdict was reached. */
export function methodText(report: ComparisonReport): string {
  const m = report.method;
  const looks = m.looks.length > 1 ? `looks at rounds ${m.looks.join(', ')}` : `a fixed ${m.maxRounds} rounds`;
  const test = m.analysis === 'paired' ? 'Wilcoxon signed-rank, paired by round' : 'Mann–Whitney';
  const after = m.roundsAfterVerdict
    ? ` ${m.roundsAfterVerdict} of the rounds ran after the first regression was found, to label the other metrics (complete-report).`
    : '';
  return (
    `Method: ${m.rounds} interleaved rounds (base and head in random order each round; ${looks}); ` +
    `Hodges–Lehmann change on log values; each interval is valid at its look, its fail end Holm-corrected (${test}); ` +
    `a regression is a change whose whole interval is beyond its budget, so a run fails with probability ≤ ${m.alpha} when every change is within budget.` +
    after +
    ' Base is the base median; Head is it moved by the estimated change.'
  );
}
