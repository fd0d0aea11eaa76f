/**
 * A self-contained HTML report of one comparison: verdict, commits, a summary table and, per
 * metric, the per-round samples of both sides (drift), their distributions (strip + box), and the
 * estimate with its interval against the budget (a forest-plot row); per HTTP scenario a latency
 * percentile curve; and the environment and method of the run.
 *
 * Pure: data in, string out. Everything is inline (CSS and SVG generated here, no script at all),
 * and a Content-Security-Policy forbids any network access or script, so the file views offline
 * and a string that slipped past escaping still could not run. Every interpolated string goes
 * through the `html` tag below, which escapes it; only markup built by this module is `Raw`.
 *
 * Chart elements carry `data-chart` (`samples` | `distribution` | `forest` | `percentiles`),
 * `data-metric` and `data-points` (the number of `circle[data-series]` marks drawn), so a test
 * can check that each chart drew what the data holds.
 */
import { type BudgetRule, type ComparisonReport, FAILING_OUTCOMES, type MetricResult, type Outcome } from '../model';
import { fails } from '../report';
import { formatDuration, formatSignedPercent, formatValue } from '../units';
import { capacityHtml } from './capacity';
import { chooseDisplayScale, type DisplayScale, median, metricName, niceTicks, plainNumber, plottable } from './charts';
import { PROFILE_STYLE, renderProfileSection } from './flamegraph';

// ---------------------------------------------------------------------------------------------
// Escaping

/** Markup this module built itself; everything else interpolated into `html` is escaped. */
class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Raw | string | number | null | undefined | false | readonly Part[];

/** Escapes text for HTML element content and quoted attribute values (`& < > " '`). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

function part(p: Part): string {
  if (p === null || p === undefined || p === false) return '';
  if (p instanceof Raw) return p.value;
  if (Array.isArray(p)) return p.map(part).join('');
  return escapeHtml(String(p));
}

/** Tagged template: escapes every interpolation except `Raw` (arrays are joined). */
function html(strings: TemplateStringsArray, ...parts: Part[]): Raw {
  let out = strings[0];
  for (let i = 0; i < parts.length; i++) out += part(parts[i]) + strings[i + 1];
  return new Raw(out);
}

/** Shortens text drawn inside a chart (SVG text does not wrap); the full text is in the card title. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** A coordinate with one decimal, for compact SVG. */
function c(x: number): string {
  return String(Math.round(x * 10) / 10);
}

// ---------------------------------------------------------------------------------------------
// Words

const OUTCOME_LABEL: Record<Outcome, string> = {
  regression: 'regression',
  breach: 'budget breach',
  improvement: 'improvement',
  'within-budget': 'within budget',
  inconclusive: 'inconclusive',
  ungated: 'ungated',
  added: 'added',
  removed: 'removed',
};

/** The outcome in words, saying when a maintainer accepted it. */
function outcomeLabel(r: MetricResult): string {
  if (!r.accepted || !FAILING_OUTCOMES.has(r.outcome)) return OUTCOME_LABEL[r.outcome];
  return `${OUTCOME_LABEL[r.outcome]}, accepted ${r.accepted.by === 'label' ? 'by label' : 'in the PR description'}`;
}

/** The colour of a metric's outcome: an accepted failure is a warning, not a failure. */
function toneOf(r: MetricResult): ReturnType<typeof tone> {
  return r.accepted && FAILING_OUTCOMES.has(r.outcome) ? 'warn' : tone(r.outcome);
}

/** `formatValue`, or `—` for a value that is not a number a person could read (NaN, ±∞, > 1e300). */
function safeValue(v: number, unit: MetricResult['unit']): string {
  return plottable(v) ? formatValue(v, unit) : '—';
}

/** `formatSignedPercent`, or `—` for a change that is not a readable number. */
function signedPercent(fraction: number, digits?: number): string {
  return plottable(fraction) ? formatSignedPercent(fraction, digits) : '—';
}

/** Outcome → colour class: bad (fails the gate), good, warn (undecided), neutral. */
function tone(outcome: Outcome): 'bad' | 'good' | 'warn' | 'neutral' {
  if (FAILING_OUTCOMES.has(outcome)) return 'bad';
  if (outcome === 'improvement') return 'good';
  if (outcome === 'inconclusive') return 'warn';
  return 'neutral';
}

function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The budget in words, on the side that counts as worse: `≤ +5.0%`, `≥ −5.0%`, `<= 100 MB`, `off`. */
export function budgetText(budget: BudgetRule, direction: MetricResult['direction']): string {
  switch (budget.kind) {
    case 'relative':
      return direction === 'lower' ? `≤ ${signedPercent(budget.limit)}` : `≥ ${signedPercent(-budget.limit)}`;
    case 'absolute':
      return `head ${budget.op} ${safeValue(budget.bound, budget.unit)}`;
    default:
      return 'off';
  }
}

function changeText(r: MetricResult): string {
  if (!r.change) return '—';
  const { estimate, low, high } = r.change;
  return `${signedPercent(estimate)} [${signedPercent(low)}, ${signedPercent(high)}]`;
}

function valueText(v: number | null, r: MetricResult): string {
  return v === null || !Number.isFinite(v) ? '—' : safeValue(v, r.unit);
}

function pText(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '—';
  if (p < 0.0001) return '< 0.0001';
  return plainNumber(p, 2);
}

/** The headline: what a reviewer needs first. */
function headline(report: ComparisonReport): string {
  if (report.verdict === 'error') return 'No comparison could be made';
  const failing = report.results.filter(fails);
  const accepted = report.results.filter((r) => FAILING_OUTCOMES.has(r.outcome) && r.accepted);
  if (failing.length === 0 && accepted.length > 0)
    return `${plural(accepted.length, 'accepted regression')} beyond budget: ${accepted
      .slice(0, 3)
      .map((r) => r.id)
      .join(', ')}${accepted.length > 3 ? ', …' : ''}`;
  if (failing.length === 0) return `No regression beyond budget in ${plural(report.results.length, 'metric')}`;
  const names = failing.slice(0, 3).map((r) => (r.change ? `${r.id} ${signedPercent(r.change.estimate)}` : r.id));
  return `${plural(failing.length, 'metric')} beyond budget: ${names.join(', ')}${failing.length > 3 ? ', …' : ''}`;
}

function outcomeCounts(results: readonly MetricResult[]): string {
  const counts = new Map<Outcome, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${n} ${OUTCOME_LABEL[o]}`).join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Numbers for charts

/** Quantile by linear interpolation between order statistics (Hyndman & Fan 1996, type 7; R's default). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const finiteOnly = (xs: readonly number[]): number[] => xs.filter(plottable);

/** A linear map from [d0, d1] to [r0, r1]. */
function linear(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * k;
}

/** A tick label in the chart's display scale: `412 ms`, `84.2 MB`, `11.8 k/s`. */
function tickLabel(v: number, scale: DisplayScale): string {
  return scale.suffix ? `${plainNumber(v, 4)} ${clip(scale.suffix, 10)}` : plainNumber(v, 4);
}

/** The value axis title: the metric's name and the display unit, e.g. `wall (ms)`. */
function valueTitle(r: MetricResult, scale: DisplayScale): string {
  const name = clip(metricName(r.id), 40);
  return scale.suffix ? `${name} (${clip(scale.suffix, 16)})` : name;
}

/** The value axis shared by a metric's samples and distribution charts (display units). */
function valueAxis(values: readonly number[], scale: DisplayScale): ReturnType<typeof niceTicks> {
  const shown = values.map((v) => v / scale.divisor);
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  const pad = max > min ? (max - min) * 0.06 : Math.abs(min) * 0.05 || 1;
  return niceTicks(min >= 0 ? Math.max(0, min - pad) : min - pad, max + pad, 5);
}

// ---------------------------------------------------------------------------------------------
// Charts (inline SVG)

const SIDES = ['base', 'head'] as const;

function svgOpen(kind: string, metric: string, points: number, w: number, h: number, label: string): Raw {
  return html`<svg class="chart" data-chart="${kind}" data-metric="${metric}" data-points="${points}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${label}">`;
}

/** Per-round samples of both sides over time: drift shows as both lines moving together. */
function samplesChart(r: MetricResult, scale: DisplayScale, axis: ReturnType<typeof niceTicks>): Raw {
  const W = 440;
  const H = 220;
  const m = { l: 52, r: 12, t: 24, b: 36 };
  const n = Math.max(r.base.length, r.head.length, 1);
  const dot = n > 60 ? 2 : 3;
  const x = linear(1, Math.max(n, 2), m.l + 6, W - m.r - 6);
  const y = linear(axis.lo, axis.hi, H - m.b, m.t);
  const parts: Raw[] = [];
  for (const t of axis.ticks) {
    parts.push(
      html`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${c(y(t))}" y2="${c(y(t))}"/><text class="tick" x="${m.l - 6}" y="${c(y(t) + 4)}" text-anchor="end">${plainNumber(t, 4)}</text>`,
    );
  }
  // Round ticks: 1, then multiples of a nice step (1, 5, 10, 15, 20 for 20 rounds).
  const xStep = Math.max(1, Math.round(niceTicks(0, n, 5).step));
  const xTicks = [1];
  for (let i = xStep; i <= n; i += xStep) if (i > 1) xTicks.push(i);
  for (const i of xTicks) {
    parts.push(html`<text class="tick" x="${c(x(i))}" y="${H - m.b + 16}" text-anchor="middle">${i}</text>`);
  }
  parts.push(html`<text class="axis-title" x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle">round</text>`);
  parts.push(html`<text class="axis-title" x="4" y="12">${valueTitle(r, scale)}</text>`);
  let points = 0;
  for (const side of SIDES) {
    const values = r[side];
    const drawn = values.map((v, i) => [i + 1, v] as const).filter(([, v]) => plottable(v));
    if (drawn.length === 0) continue;
    const med = median(drawn.map(([, v]) => v)) / scale.divisor;
    parts.push(
      html`<line class="median s-${side}" x1="${m.l}" x2="${W - m.r}" y1="${c(y(med))}" y2="${c(y(med))}"><title>${side} median ${tickLabel(med, scale)}</title></line>`,
    );
    const path = drawn.map(([i, v]) => `${c(x(i))},${c(y(v / scale.divisor))}`).join(' ');
    parts.push(html`<polyline class="series s-${side}" points="${path}"/>`);
    for (const [i, v] of drawn) {
      parts.push(
        html`<circle class="dot s-${side}" data-series="${side}" cx="${c(x(i))}" cy="${c(y(v / scale.divisor))}" r="${dot}"><title>${side}, round ${i}: ${safeValue(v, r.unit)}</title></circle>`,
      );
      points++;
    }
  }
  return html`${svgOpen('samples', r.id, points, W, H, `${r.id}: samples per round`)}${parts}</svg>`;
}

/** Where on a row of height `band` the i-th dot sits: a golden-ratio sequence, so dots spread without randomness. */
function jitter(i: number, band: number): number {
  return (((i * 0.6180339887) % 1) - 0.5) * band;
}

/** Both distributions on one value axis: a box (quartiles, median, Tukey whiskers) over the strip of samples. */
function distributionChart(r: MetricResult, scale: DisplayScale, axis: ReturnType<typeof niceTicks>): Raw {
  const W = 440;
  const H = 150;
  const m = { l: 48, r: 16, t: 10, b: 34 };
  const x = linear(axis.lo, axis.hi, m.l, W - m.r);
  const rowH = (H - m.t - m.b) / 2;
  const parts: Raw[] = [];
  for (const t of axis.ticks) {
    parts.push(
      html`<line class="grid" x1="${c(x(t))}" x2="${c(x(t))}" y1="${m.t}" y2="${H - m.b}"/><text class="tick" x="${c(x(t))}" y="${H - m.b + 14}" text-anchor="middle">${plainNumber(t, 4)}</text>`,
    );
  }
  parts.push(
    html`<text class="axis-title" x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle">${valueTitle(r, scale)}</text>`,
  );
  let points = 0;
  SIDES.forEach((side, row) => {
    const cy = m.t + rowH * row + rowH / 2;
    parts.push(
      html`<text class="row-label s-${side}" x="${m.l - 8}" y="${c(cy + 4)}" text-anchor="end">${side}</text>`,
    );
    const values = finiteOnly(r[side]).map((v) => v / scale.divisor);
    if (values.length === 0) {
      parts.push(html`<text class="note" x="${m.l + 8}" y="${c(cy + 4)}">no samples</text>`);
      return;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const q1 = quantile(sorted, 0.25);
    const q2 = quantile(sorted, 0.5);
    const q3 = quantile(sorted, 0.75);
    const iqr = q3 - q1;
    const wLo = sorted.find((v) => v >= q1 - 1.5 * iqr) ?? sorted[0];
    const wHi = [...sorted].reverse().find((v) => v <= q3 + 1.5 * iqr) ?? sorted[sorted.length - 1];
    const bh = rowH * 0.62;
    parts.push(
      html`<g class="box s-${side}"><title>${side}: median ${tickLabel(q2, scale)}, quartiles ${tickLabel(q1, scale)} – ${tickLabel(q3, scale)}</title><line x1="${c(x(wLo))}" x2="${c(x(q1))}" y1="${c(cy)}" y2="${c(cy)}"/><line x1="${c(x(q3))}" x2="${c(x(wHi))}" y1="${c(cy)}" y2="${c(cy)}"/><rect x="${c(x(q1))}" y="${c(cy - bh / 2)}" width="${c(Math.max(1, x(q3) - x(q1)))}" height="${c(bh)}"/><line class="med" x1="${c(x(q2))}" x2="${c(x(q2))}" y1="${c(cy - bh / 2)}" y2="${c(cy + bh / 2)}"/></g>`,
    );
    values.forEach((v, i) => {
      parts.push(
        html`<circle class="dot s-${side}" data-series="${side}" cx="${c(x(v))}" cy="${c(cy + jitter(i, bh * 0.8))}" r="2.6"><title>${side}, round ${i + 1}: ${tickLabel(v, scale)}</title></circle>`,
      );
      points++;
    });
  });
  return html`${svgOpen('distribution', r.id, points, W, H, `${r.id}: distributions of base and head`)}${parts}</svg>`;
}

/**
 * The budget as a position on the change scale (head/base − 1) and the side that is worse.
 * An absolute bound is placed at bound/base-median − 1 (where the head median would sit on it).
 */
function budgetOnChangeScale(r: MetricResult): { at: number; worseRight: boolean; label: string } | null {
  const b = r.budget;
  if (b.kind === 'relative' && plottable(b.limit)) {
    return r.direction === 'lower'
      ? { at: b.limit, worseRight: true, label: `budget ${signedPercent(b.limit)}` }
      : { at: -b.limit, worseRight: false, label: `budget ${signedPercent(-b.limit)}` };
  }
  const at = b.kind === 'absolute' && r.baseMedian && r.baseMedian > 0 ? b.bound / r.baseMedian - 1 : Number.NaN;
  if (b.kind === 'absolute' && plottable(at)) {
    return {
      at,
      worseRight: b.op === '<' || b.op === '<=',
      label: `${b.op} ${safeValue(b.bound, b.unit)}`,
    };
  }
  return null;
}

/** A forest-plot row: the estimate and its interval on the change scale, against zero and the budget. */
function forestChart(r: MetricResult): Raw {
  const W = 440;
  const H = 96;
  const m = { l: 16, r: 16, t: 22, b: 34 };
  const ch = r.change;
  const budget = ch ? budgetOnChangeScale(r) : null;
  const domainValues = [0, ...(budget ? [budget.at] : []), ...(ch ? [ch.low, ch.high, ch.estimate] : [])].filter(
    plottable,
  );
  const lo = Math.min(...domainValues);
  const hi = Math.max(...domainValues);
  const pad = Math.max((hi - lo) * 0.12, 0.01);
  const axis = niceTicks((lo - pad) * 100, (hi + pad) * 100, 6);
  const x = linear(axis.lo / 100, axis.hi / 100, m.l, W - m.r);
  const cy = m.t + (H - m.t - m.b) / 2;
  const parts: Raw[] = [];
  if (budget) {
    const bx = x(budget.at);
    const [rx, rw] = budget.worseRight ? [bx, W - m.r - bx] : [m.l, bx - m.l];
    parts.push(
      html`<rect class="beyond" x="${c(rx)}" y="${m.t - 4}" width="${c(Math.max(0, rw))}" height="${c(H - m.t - m.b + 8)}"><title>beyond budget</title></rect><line class="budget" x1="${c(bx)}" x2="${c(bx)}" y1="${m.t - 4}" y2="${H - m.b + 4}"/><text class="tick budget-label" x="${c(bx)}" y="${m.t - 8}" text-anchor="middle">${budget.label}</text>`,
    );
  }
  let points = 0;
  if (ch && [ch.low, ch.high, ch.estimate].every(plottable)) {
    const digits = axis.step < 1 ? 1 : 0;
    for (const t of axis.ticks) {
      parts.push(
        html`<text class="tick" x="${c(x(t / 100))}" y="${H - m.b + 18}" text-anchor="middle">${signedPercent(t / 100, digits)}</text>`,
      );
    }
    parts.push(html`<line class="zero" x1="${c(x(0))}" x2="${c(x(0))}" y1="${m.t - 4}" y2="${H - m.b + 4}"/>`);
    const worse = r.direction === 'lower' ? 'worse →' : '← worse';
    parts.push(
      html`<text class="axis-title" x="${W / 2}" y="${H - 4}" text-anchor="middle">head vs base (${r.direction === 'lower' ? 'lower is better' : 'higher is better'}; ${worse})</text>`,
    );
    const t = tone(r.outcome);
    parts.push(
      html`<g class="ci t-${t}"><line x1="${c(x(ch.low))}" x2="${c(x(ch.high))}" y1="${c(cy)}" y2="${c(cy)}"/><line x1="${c(x(ch.low))}" x2="${c(x(ch.low))}" y1="${c(cy - 7)}" y2="${c(cy + 7)}"/><line x1="${c(x(ch.high))}" x2="${c(x(ch.high))}" y1="${c(cy - 7)}" y2="${c(cy + 7)}"/><circle data-series="estimate" cx="${c(x(ch.estimate))}" cy="${c(cy)}" r="5.5"><title>estimate ${signedPercent(ch.estimate)}, ${Math.round(ch.confidence * 100)}% interval ${signedPercent(ch.low)} to ${signedPercent(ch.high)}</title></circle></g>`,
    );
    points = 1;
  } else {
    parts.push(
      html`<text class="note" x="${W / 2}" y="${c(cy + 4)}" text-anchor="middle">no change estimate: not compared</text>`,
    );
  }
  return html`${svgOpen('forest', r.id, points, W, H, `${r.id}: change with interval against budget`)}${parts}</svg>`;
}

const PERCENTILE = /^(.+):p(\d+(?:\.\d+)?)$/;

/** HTTP scenarios (`SUITE/SCENARIO`) with at least two latency percentiles, in report order. */
function percentileGroups(results: readonly MetricResult[]): Map<string, { p: number; r: MetricResult }[]> {
  const groups = new Map<string, { p: number; r: MetricResult }[]>();
  for (const r of results) {
    const match = PERCENTILE.exec(r.id);
    if (!match?.[1].includes('/')) continue;
    const p = Number(match[2]);
    if (!(p > 0 && p < 100)) continue;
    const list = groups.get(match[1]) ?? [];
    list.push({ p, r });
    groups.set(match[1], list);
  }
  for (const [key, list] of groups) {
    if (list.length < 2) groups.delete(key);
    else list.sort((a, b) => a.p - b.p);
  }
  return groups;
}

/** The latency percentile curve of both sides (median over rounds of each percentile), on a 1/(1−p) axis. */
function percentileChart(scenario: string, list: { p: number; r: MetricResult }[]): Raw {
  const W = 440;
  const H = 220;
  const m = { l: 52, r: 16, t: 24, b: 36 };
  const pos = (p: number) => Math.log10(1 / (1 - p / 100));
  const medians = list.map(({ p, r }) => ({
    p,
    unit: r.unit,
    base: finiteOnly(r.base).length ? median(finiteOnly(r.base)) : Number.NaN,
    head: finiteOnly(r.head).length ? median(finiteOnly(r.head)) : Number.NaN,
  }));
  const all = finiteOnly(medians.flatMap((d) => [d.base, d.head]));
  const unit = list[0].r.unit;
  const scale = chooseDisplayScale(unit, all);
  const axis = niceTicks(0, all.length ? Math.max(...all) / scale.divisor : 1, 5);
  const x = linear(pos(list[0].p), pos(list[list.length - 1].p), m.l + 14, W - m.r - 14);
  const y = linear(axis.lo, axis.hi, H - m.b, m.t);
  const parts: Raw[] = [];
  for (const t of axis.ticks) {
    parts.push(
      html`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${c(y(t))}" y2="${c(y(t))}"/><text class="tick" x="${m.l - 6}" y="${c(y(t) + 4)}" text-anchor="end">${plainNumber(t, 4)}</text>`,
    );
  }
  for (const d of medians) {
    parts.push(
      html`<line class="grid" x1="${c(x(pos(d.p)))}" x2="${c(x(pos(d.p)))}" y1="${m.t}" y2="${H - m.b}"/><text class="tick" x="${c(x(pos(d.p)))}" y="${H - m.b + 16}" text-anchor="middle">p${plainNumber(d.p)}</text>`,
    );
  }
  parts.push(
    html`<text class="axis-title" x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle">percentile</text>`,
  );
  parts.push(
    html`<text class="axis-title" x="4" y="12">${scale.suffix ? `latency (${clip(scale.suffix, 16)})` : 'latency'}</text>`,
  );
  let points = 0;
  for (const side of SIDES) {
    const drawn = medians.filter((d) => plottable(d[side]));
    if (drawn.length === 0) continue;
    const path = drawn.map((d) => `${c(x(pos(d.p)))},${c(y(d[side] / scale.divisor))}`).join(' ');
    parts.push(html`<polyline class="series s-${side}" points="${path}"/>`);
    for (const d of drawn) {
      parts.push(
        html`<circle class="dot s-${side}" data-series="${side}" cx="${c(x(pos(d.p)))}" cy="${c(y(d[side] / scale.divisor))}" r="3.5"><title>${side} p${plainNumber(d.p)}: ${safeValue(d[side], d.unit)}</title></circle>`,
      );
      points++;
    }
  }
  return html`${svgOpen('percentiles', scenario, points, W, H, `${scenario}: latency percentiles`)}${parts}</svg>`;
}

/** The numbers behind the percentile curve: medians per side, the change and the outcome per percentile. */
function percentileTable(list: { p: number; r: MetricResult }[]): Raw {
  const rows = list.map(
    ({ p, r }) =>
      html`<tr><td>p${plainNumber(p)}</td><td class="num">${valueText(r.baseMedian, r)}</td><td class="num">${valueText(r.headMedian, r)}</td><td class="num">${changeText(r)}</td><td><span class="badge t-${tone(r.outcome)}">${OUTCOME_LABEL[r.outcome]}</span></td></tr>`,
  );
  return html`<table class="pct"><thead><tr><th>percentile</th><th class="num">base</th><th class="num">head</th><th class="num">change [interval]</th><th>outcome</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Page

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--grid:#e4e8ec;--card:#f6f8fa;--border:#d1d9e0;
--base:#3f6fa8;--head:#e06c00;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700;--neutral:#59636e;--beyond:rgba(207,34,46,.09)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--grid:#262c34;--card:#151b23;
--border:#3d444d;--base:#79a8e0;--head:#f5a35c;--bad:#ff7b72;--good:#56d364;--warn:#e3b341;--neutral:#9198a1;--beyond:rgba(248,81,73,.14)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:1420px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:15px;margin:0 0 4px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--card);border:1px solid var(--border);border-radius:4px;padding:0 4px;overflow-wrap:anywhere}
pre{background:var(--card);border:1px solid var(--border);border-radius:6px;padding:10px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
pre code{border:0;padding:0}
a{color:var(--base)}
.muted{color:var(--muted)}
.verdict{display:inline-block;font-size:13px;font-weight:700;letter-spacing:.05em;padding:2px 10px;border-radius:999px;color:#fff;vertical-align:middle;margin-right:8px}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}.verdict.error{background:#9a6700}
.badge{white-space:nowrap;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;border:1px solid currentColor}
.t-bad{color:var(--bad)}.t-good{color:var(--good)}.t-warn{color:var(--warn)}.t-neutral{color:var(--neutral)}
.legend{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-1px;margin-right:5px}
.swatch.s-base{background:var(--base)}.swatch.s-head{background:var(--head)}
.scroll{overflow-x:auto;max-width:100%}
table.summary code{white-space:nowrap;overflow-wrap:normal}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--border);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12.5px}
td.num,th.num{text-align:right;white-space:nowrap}
table.pct{width:auto;flex:0 1 auto;margin-top:8px}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:14px 16px;margin:14px 0}
.card.o-bad{border-left:4px solid var(--bad)}.card.o-good{border-left:4px solid var(--good)}.card.o-warn{border-left:4px solid var(--warn)}
.stats{margin:0 0 8px;color:var(--muted);font-size:13px}
.charts{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:flex-start}
figure{margin:0}figcaption{font-size:12px;color:var(--muted);margin-left:4px}
svg.chart{display:block;max-width:100%;height:auto;overflow:visible;font-size:11px}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .tick{fill:var(--muted);font-size:10.5px;font-variant-numeric:tabular-nums}
svg .axis-title{fill:var(--muted);font-size:11px}
svg .note{fill:var(--muted);font-style:italic}
svg .row-label{font-weight:600;font-size:12px}
svg .row-label.s-base{fill:var(--base)}svg .row-label.s-head{fill:var(--head)}
svg .series{fill:none;stroke-width:1.6;stroke-linejoin:round;opacity:.75}
svg .series.s-base{stroke:var(--base)}svg .series.s-head{stroke:var(--head)}
svg .dot.s-base{fill:var(--base)}svg .dot.s-head{fill:var(--head)}
svg .dot{fill-opacity:.8;stroke:var(--bg);stroke-width:.8}
svg .median{stroke-width:1.2;stroke-dasharray:5 4;opacity:.9}
svg .median.s-base{stroke:var(--base)}svg .median.s-head{stroke:var(--head)}
svg .box rect{fill:none;stroke-width:1.5}svg .box line{stroke-width:1.3}svg .box .med{stroke-width:3}
svg .box.s-base rect,svg .box.s-base line{stroke:var(--base)}svg .box.s-head rect,svg .box.s-head line{stroke:var(--head)}
svg .beyond{fill:var(--beyond)}
svg .budget{stroke:var(--bad);stroke-width:1.4;stroke-dasharray:4 3}
svg .budget-label{fill:var(--bad)}
svg .zero{stroke:var(--muted);stroke-width:1}
svg .ci line{stroke:currentColor;stroke-width:2.2}svg .ci circle{fill:currentColor;stroke:var(--bg);stroke-width:1.5}
ul.warnings{margin:6px 0 0;padding-left:20px;color:var(--warn);font-size:13px}
ul.errors{color:var(--bad)}
dl.env{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
dl.env dt{color:var(--muted)}dl.env dd{margin:0}
`;

function revisionHtml(label: string, rev: ComparisonReport['base']): Raw {
  return html`<span class="rev"><span class="swatch s-${label}"></span><strong>${label}</strong> ${rev.ref ? html`<code>${rev.ref}</code> @ ` : ''}<code title="${rev.sha}">${shortSha(rev.sha)}</code></span>`;
}

function summaryTable(report: ComparisonReport): Raw {
  const rows = report.results.map(
    (r, i) =>
      html`<tr><td><a href="#m-${i}"><code>${r.id}</code></a></td><td class="num">${valueText(r.baseMedian, r)}</td><td class="num">${valueText(r.headMedian, r)}</td><td class="num">${changeText(r)}</td><td class="num">${budgetText(r.budget, r.direction)}</td><td><span class="badge t-${toneOf(r)}">${outcomeLabel(r)}</span></td></tr>`,
  );
  const conf = report.results.find((r) => r.change)?.change?.confidence ?? 0.95;
  return html`<table class="summary"><thead><tr><th>metric</th><th class="num">base median</th><th class="num">head median</th><th class="num">change [${Math.round(conf * 100)}% interval]</th><th class="num">budget</th><th>outcome</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const SWATCHES = new Raw('<span class="swatch s-base"></span>base <span class="swatch s-head"></span>head');

function metricCard(r: MetricResult, index: number): Raw {
  const all = finiteOnly([...r.base, ...r.head]);
  const scale = chooseDisplayScale(r.unit, all);
  const axis = all.length ? valueAxis(all, scale) : niceTicks(0, 1, 5);
  const conf = r.change ? `${Math.round(r.change.confidence * 100)}%` : '';
  const stats = [
    html`base median <strong>${valueText(r.baseMedian, r)}</strong>`,
    html`head median <strong>${valueText(r.headMedian, r)}</strong>`,
    r.change
      ? html`change <strong>${signedPercent(r.change.estimate)}</strong> [${signedPercent(r.change.low)}, ${signedPercent(r.change.high)}] at ${conf}`
      : html`no change estimate`,
    html`budget ${budgetText(r.budget, r.direction)}`,
    r.pValue === null ? null : html`raw p ${pText(r.pValue)} (vs no change, uncorrected; not the decision)`,
    html`${plural(r.rounds, 'round')}`,
    r.stopReason ? html`${r.stopReason}` : null,
  ].filter((x): x is Raw => x !== null);
  const warnings = r.warnings.length
    ? html`<ul class="warnings">${r.warnings.map((w) => html`<li>${w.text}</li>`)}</ul>`
    : '';
  const t = toneOf(r);
  return html`<article class="card metric o-${t}" id="m-${index}"><h3><code>${r.id}</code><span class="badge t-${t}">${outcomeLabel(r)}</span></h3><p class="stats">${stats.map((s, i) => html`${i ? ' · ' : ''}${s}`)}</p><div class="charts"><figure>${samplesChart(r, scale, axis)}<figcaption>Samples per round: ${SWATCHES} (dashed: medians)</figcaption></figure><figure>${distributionChart(r, scale, axis)}<figcaption>Distributions (box: quartiles and median; whiskers: 1.5 IQR)</figcaption>${forestChart(r)}<figcaption>Change with its interval against the budget (shaded: beyond budget)</figcaption></figure></div>${warnings}</article>`;
}

function environmentSection(report: ComparisonReport): Raw {
  const { environment: env, method } = report;
  const rows: [string, string][] = [
    ['CPU', env.cpuModel],
    ['cores', String(env.cores)],
    ['OS', env.os],
    ['Node.js', env.node],
    ['time measuring', formatDuration(env.durationS)],
    [
      'rounds',
      `${method.rounds} (min ${method.minRounds}, max ${method.maxRounds}; looks at ${method.looks.join(', ')})`,
    ],
    [
      'method',
      `Hodges–Lehmann estimate on log values; repeated confidence intervals (${method.analysis === 'paired' ? 'Wilcoxon signed-rank, paired by round' : 'Mann–Whitney'}), Holm-corrected across metrics; fail only when the whole interval is beyond the budget; α ${plainNumber(method.alpha, 3)}`,
    ],
  ];
  if (report.geomean) {
    const g = report.geomean;
    rows.push([
      'geometric mean',
      `${signedPercent(g.estimate)} [${signedPercent(g.low)}, ${signedPercent(g.high)}] over gated ratio metrics`,
    ]);
  }
  return html`<section class="card"><h2 style="margin-top:0;border:0">Environment and method</h2><dl class="env">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>${report.reproduce ? html`<p class="muted" style="margin:12px 0 4px">Reproduce locally:</p><pre><code>${report.reproduce}</code></pre>` : ''}</section>`;
}

/**
 * Renders the whole report as one self-contained HTML document (no network, no script). Safe for
 * any string content of `report`. Deterministic: the same report gives the same bytes.
 */
export function renderHtmlReport(report: ComparisonReport): string {
  const where = [
    report.repository ? html`<code>${report.repository}</code>` : null,
    report.pullRequest !== undefined ? html`pull request #${report.pullRequest}` : null,
  ].filter((x): x is Raw => x !== null);
  const title = `perfgate ${report.verdict}: ${headline(report)}`;
  const errors = report.errors.length
    ? html`<section class="card o-bad"><h2 style="margin-top:0;border:0">Errors</h2><ul class="warnings errors">${report.errors.map((e) => html`<li>${e}</li>`)}</ul></section>`
    : '';
  const warnings = report.warnings.length
    ? html`<section class="card o-warn"><h2 style="margin-top:0;border:0">Warnings</h2><ul class="warnings">${report.warnings.map((w) => html`<li>${w.text}</li>`)}</ul></section>`
    : '';

  // Group metric cards by suite, in report order; an HTTP scenario's percentile curve opens its group.
  const groups = percentileGroups(report.results);
  const suites = new Map<string, { r: MetricResult; i: number }[]>();
  report.results.forEach((r, i) => {
    const list = suites.get(r.suite) ?? [];
    list.push({ r, i });
    suites.set(r.suite, list);
  });
  const sections = [...suites].map(([suite, list]) => {
    const curves = [...groups]
      .filter(([, g]) => g[0].r.suite === suite)
      .map(
        ([scenario, g]) =>
          html`<article class="card"><h3>Latency percentiles of <code>${scenario}</code></h3><div class="charts"><figure>${percentileChart(scenario, g)}<figcaption>Median over rounds of each percentile: ${SWATCHES}</figcaption></figure><div class="scroll">${percentileTable(g)}</div></div></article>`,
      );
    const failing = list.map(({ r }) => r).filter((r) => FAILING_OUTCOMES.has(r.outcome));
    const profiles = (report.profiles ?? [])
      .filter((p) => p.suite === suite)
      .map((p) => new Raw(renderProfileSection(p, failing)));
    return html`<section class="suite"><h2>Suite <code>${suite}</code></h2>${curves}${list.map(({ r, i }) => metricCard(r, i))}${profiles}</section>`;
  });

  const body = html`<main>
<header><h1><span class="verdict ${report.verdict}">${report.verdict.toUpperCase()}</span>${headline(report)}</h1>
<p class="muted">${outcomeCounts(report.results)}</p>
<div class="legend">${revisionHtml('base', report.base)}<span class="muted">→</span>${revisionHtml('head', report.head)}${where.length ? html`<span class="muted">${where.map((w, i) => html`${i ? ' · ' : ''}${w}`)}</span>` : ''}</div>
</header>
${errors}${warnings}
<section><h2>Summary</h2><div class="scroll">${summaryTable(report)}</div></section>${new Raw(capacityHtml(report))}
${sections}
${environmentSection(report)}
<p class="muted" style="font-size:12px">Generated by perfgate. Self-contained: no network access is needed to view this file.</p>
</main>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${report.profiles?.length ? PROFILE_STYLE : ''}</style>
</head>
<body>
${body.value}
</body>
</html>
`;
}
