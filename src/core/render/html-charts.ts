/**
 * The HTML report's charts, as inline SVG: per metric, the per-round samples of both sides
 * (drift), their distributions (strip + box), and the estimate with its interval against the
 * budget (a forest-plot row); per case with latency percentiles, the percentile curve.
 *
 * Each chart carries `data-chart` (`samples` | `distribution` | `forest` | `percentiles`),
 * `data-metric` and `data-points` (the number of `circle[data-series]` marks drawn), so a test
 * can check that each chart drew what the data holds. Pure: data in, markup out.
 */
import type { MetricResult } from '../model';
import { median, quantileSorted } from '../stats/quantiles';
import { type DisplayScale, plainNumber, scaleLabel } from '../units';
import { chartScale, niceTicks, plottable } from './charts';
import { html, type Raw } from './html-markup';
import { oneLine } from './text';
import { OUTCOME_VIEW, percentText, valueText } from './view';

/** Shortens text drawn inside a chart (SVG text does not wrap); the full text is in the card title. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/**
 * A coordinate with one decimal, for compact SVG. Values near the top of the double range can
 * overflow on the way to a coordinate: such a mark is pinned far outside the chart, never drawn
 * as `Infinity` or `NaN`.
 */
function c(x: number): string {
  const pinned = Number.isNaN(x) ? 0 : Math.max(-1e6, Math.min(1e6, x));
  return String(Math.round(pinned * 10) / 10);
}

const finiteOnly = (xs: readonly number[]): number[] => xs.filter(plottable);

/** A linear map from [d0, d1] to [r0, r1]. */
function linear(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * k;
}

/** A value for a chart's hover text, in the chart's display scale: `412 ms`, `84.2 MB`, `11.8k/s`. */
function tickLabel(v: number, scale: DisplayScale): string {
  return scale.suffix ? `${plainNumber(v, 4)}${scale.spaced ? ' ' : ''}${clip(scale.suffix, 10)}` : plainNumber(v, 4);
}

/** The value axis title: the metric's name and the display unit, e.g. `wall (ms)`. */
function valueTitle(r: MetricResult, scale: DisplayScale): string {
  const name = clip(oneLine(r.name), 40);
  return scale.suffix ? `${name} (${clip(scaleLabel(scale), 16)})` : name;
}

/** The value axis shared by a metric's samples and distribution charts (display units). */
export function valueAxis(values: readonly number[], scale: DisplayScale): ReturnType<typeof niceTicks> {
  const shown = values.map((v) => v / scale.divisor);
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  const pad = max > min ? (max - min) * 0.06 : Math.abs(min) * 0.05 || 1;
  return niceTicks(min >= 0 ? Math.max(0, min - pad) : min - pad, max + pad, 5);
}

// ---------------------------------------------------------------------------------------------
// Charts

const SIDES = ['base', 'head'] as const;

function svgOpen(kind: string, metric: string, points: number, w: number, h: number, label: string): Raw {
  return html`<svg class="chart" data-chart="${kind}" data-metric="${metric}" data-points="${points}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${label}">`;
}

/** Per-round samples of both sides over time: drift shows as both lines moving together. */
export function samplesChart(r: MetricResult, scale: DisplayScale, axis: ReturnType<typeof niceTicks>): Raw {
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
        html`<circle class="dot s-${side}" data-series="${side}" cx="${c(x(i))}" cy="${c(y(v / scale.divisor))}" r="${dot}"><title>${side}, round ${i}: ${valueText(v, r.unit)}</title></circle>`,
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
export function distributionChart(r: MetricResult, scale: DisplayScale, axis: ReturnType<typeof niceTicks>): Raw {
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
    const q1 = quantileSorted(sorted, 0.25);
    const q2 = quantileSorted(sorted, 0.5);
    const q3 = quantileSorted(sorted, 0.75);
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
      ? { at: b.limit, worseRight: true, label: `budget ${percentText(b.limit)}` }
      : { at: -b.limit, worseRight: false, label: `budget ${percentText(-b.limit)}` };
  }
  const at = b.kind === 'absolute' && r.baseMedian && r.baseMedian > 0 ? b.bound / r.baseMedian - 1 : Number.NaN;
  if (b.kind === 'absolute' && plottable(at)) {
    return {
      at,
      worseRight: b.op === '<' || b.op === '<=',
      label: `${b.op} ${valueText(b.bound, b.unit)}`,
    };
  }
  return null;
}

/** A forest-plot row: the estimate and its interval on the change scale, against zero and the budget. */
export function forestChart(r: MetricResult): Raw {
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
        html`<text class="tick" x="${c(x(t / 100))}" y="${H - m.b + 18}" text-anchor="middle">${percentText(t / 100, digits)}</text>`,
      );
    }
    parts.push(html`<line class="zero" x1="${c(x(0))}" x2="${c(x(0))}" y1="${m.t - 4}" y2="${H - m.b + 4}"/>`);
    const worse = r.direction === 'lower' ? 'worse →' : '← worse';
    parts.push(
      html`<text class="axis-title" x="${W / 2}" y="${H - 4}" text-anchor="middle">head vs base (${r.direction === 'lower' ? 'lower is better' : 'higher is better'}; ${worse})</text>`,
    );
    const t = OUTCOME_VIEW[r.outcome].tone;
    parts.push(
      html`<g class="ci t-${t}"><line x1="${c(x(ch.low))}" x2="${c(x(ch.high))}" y1="${c(cy)}" y2="${c(cy)}"/><line x1="${c(x(ch.low))}" x2="${c(x(ch.low))}" y1="${c(cy - 7)}" y2="${c(cy + 7)}"/><line x1="${c(x(ch.high))}" x2="${c(x(ch.high))}" y1="${c(cy - 7)}" y2="${c(cy + 7)}"/><circle data-series="estimate" cx="${c(x(ch.estimate))}" cy="${c(cy)}" r="5.5"><title>estimate ${percentText(ch.estimate)}, ${Math.round(ch.confidence * 100)}% interval ${percentText(ch.low)} to ${percentText(ch.high)}</title></circle></g>`,
    );
    points = 1;
  } else {
    parts.push(
      html`<text class="note" x="${W / 2}" y="${c(cy + 4)}" text-anchor="middle">no change estimate: not compared</text>`,
    );
  }
  return html`${svgOpen('forest', r.id, points, W, H, `${r.id}: change with interval against budget`)}${parts}</svg>`;
}

/** A latency percentile of one case (an HTTP scenario, a harness benchmark). */
export interface PercentilePoint {
  p: number;
  r: MetricResult;
}

/**
 * Cases with at least two latency percentiles (`MetricResult.percentile`), keyed `SUITE/CASE`, in
 * report order; each list sorted by percentile.
 */
export function percentileGroups(results: readonly MetricResult[]): Map<string, PercentilePoint[]> {
  const groups = new Map<string, PercentilePoint[]>();
  for (const r of results) {
    const p = r.percentile;
    if (r.case === undefined || p === undefined || !(p > 0 && p < 100)) continue;
    const key = `${r.suite}/${r.case}`;
    const list = groups.get(key) ?? [];
    list.push({ p, r });
    groups.set(key, list);
  }
  for (const [key, list] of groups) {
    if (list.length < 2) groups.delete(key);
    else list.sort((a, b) => a.p - b.p);
  }
  return groups;
}

/** The latency percentile curve of both sides (median over rounds of each percentile), on a 1/(1−p) axis. */
export function percentileChart(scenario: string, list: PercentilePoint[]): Raw {
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
  const scale = chartScale(unit, all);
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
    html`<text class="axis-title" x="4" y="12">${scale.suffix ? `latency (${clip(scaleLabel(scale), 16)})` : 'latency'}</text>`,
  );
  let points = 0;
  for (const side of SIDES) {
    const drawn = medians.filter((d) => plottable(d[side]));
    if (drawn.length === 0) continue;
    const path = drawn.map((d) => `${c(x(pos(d.p)))},${c(y(d[side] / scale.divisor))}`).join(' ');
    parts.push(html`<polyline class="series s-${side}" points="${path}"/>`);
    for (const d of drawn) {
      parts.push(
        html`<circle class="dot s-${side}" data-series="${side}" cx="${c(x(pos(d.p)))}" cy="${c(y(d[side] / scale.divisor))}" r="3.5"><title>${side} p${plainNumber(d.p)}: ${valueText(d[side], d.unit)}</title></circle>`,
      );
      points++;
    }
  }
  return html`${svgOpen('percentiles', scenario, points, W, H, `${scenario}: latency percentiles`)}${parts}</svg>`;
}
