/**
 * The latency-versus-rate curves behind capacity metrics: for each capacity metric, what each side
 * showed at every rate its capacity searches tried (the objective's latency percentile, and whether
 * the objective held). The comment gets a table per metric; the HTML report a chart (log rate on x,
 * latency on y, the objective's bound dashed, each side's median capacity marked).
 *
 * Pure: data in, string out. Metric ids and objectives come from the configuration and are escaped.
 */
import type { CapacityCurve, CapacityStep, ComparisonReport, Side } from '../model';
import { median } from '../stats/quantiles';
import { formatDuration, formatValue } from '../units';
import { niceTicks, SERIES_COLORS } from './charts';
import { escapeMarkdown, htmlCode } from './escape';
import { escapeHtml } from './html-markup';

/** Most rates listed per metric in the comment (the lowest and highest are kept). */
const MAX_ROWS = 24;

interface Point {
  rate: number;
  latency: number | null;
  holds: number;
  n: number;
}

/** Steps at the same rate (both sides search one grid) summarized: median latency, how often it held. */
function byRate(steps: readonly CapacityStep[]): Map<number, Point> {
  const groups = new Map<number, CapacityStep[]>();
  for (const s of steps) {
    const key = Number(s.rate.toPrecision(6));
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out = new Map<number, Point>();
  for (const [rate, list] of groups) {
    const lat = list.map((s) => s.latency).filter((v): v is number => v !== null && Number.isFinite(v));
    out.set(rate, {
      rate,
      latency: lat.length ? median(lat) : null,
      holds: list.filter((s) => s.holds).length,
      n: list.length,
    });
  }
  return out;
}

function curvesByMetric(report: ComparisonReport): Map<string, Partial<Record<Side, CapacityCurve>>> {
  const out = new Map<string, Partial<Record<Side, CapacityCurve>>>();
  for (const c of report.curves ?? []) out.set(c.metric, { ...out.get(c.metric), [c.side]: c });
  return out;
}

function capacityOf(report: ComparisonReport, metric: string, side: Side): number | null {
  const r = report.results.find((m) => m.id === metric);
  return (side === 'base' ? r?.baseMedian : r?.headMedian) ?? null;
}

/** Markdown: per capacity metric, a folded table of latency against rate for both sides. */
export function capacityMarkdown(report: ComparisonReport): string[] {
  const out: string[] = [];
  for (const [metric, sides] of curvesByMetric(report)) {
    const any = sides.base ?? sides.head;
    if (!any) continue;
    const points = { base: byRate(sides.base?.steps ?? []), head: byRate(sides.head?.steps ?? []) };
    let rates = [...new Set([...points.base.keys(), ...points.head.keys()])].sort((a, b) => a - b);
    if (rates.length > MAX_ROWS) rates = [...rates.slice(0, MAX_ROWS / 2), ...rates.slice(-MAX_ROWS / 2)];
    const pname = escapeMarkdown(any.slo.replace(/\s*<.*/, ''));
    const cell = (p: Point | undefined) =>
      p
        ? `${p.latency === null ? '–' : formatDuration(p.latency)} ${p.holds === p.n ? '✓' : p.holds === 0 ? '✗' : `${p.holds}/${p.n} ✓`}`
        : '';
    const cap = (side: Side) => {
      const v = capacityOf(report, metric, side);
      return v === null ? '–' : formatValue(v, '1/s');
    };
    out.push(
      `<details><summary>${htmlCode(metric)}: latency vs rate (capacity base ${cap('base')}, head ${cap('head')})</summary>`,
      '',
      `Objective: ${escapeMarkdown(any.slo)}, errors < ${formatValue(any.errorBound, 'fraction')}. Each cell: the median ${pname} of that side's load steps at that rate; ✓ the objective held, ✗ it broke.`,
      '',
      `| rate | base ${pname} | head ${pname} |`,
      '| ---: | ---: | ---: |',
      ...rates.map((r) => `| ${formatValue(r, '1/s')} | ${cell(points.base.get(r))} | ${cell(points.head.get(r))} |`),
      '',
      '</details>',
      '',
    );
  }
  return out;
}

const W = 560;
const H = 260;
const M = { l: 56, r: 16, t: 16, b: 40 };

/** HTML: per capacity metric, an SVG chart of latency against rate for both sides. */
export function capacityHtml(report: ComparisonReport): string {
  const cards: string[] = [];
  for (const [metric, sides] of curvesByMetric(report)) {
    const any = sides.base ?? sides.head;
    if (!any) continue;
    const all = [...(sides.base?.steps ?? []), ...(sides.head?.steps ?? [])].filter((s) => s.rate > 0);
    if (all.length === 0) continue;
    const lats = all.map((s) => s.latency).filter((v): v is number => v !== null && Number.isFinite(v));
    const x0 = Math.log(Math.min(...all.map((s) => s.rate)) * 0.95);
    const x1 = Math.log(Math.max(...all.map((s) => s.rate)) * 1.05);
    const yTicks = niceTicks(
      0,
      Math.min(Math.max(any.bound * 1.5, ...lats.map((v) => Math.min(v, any.bound * 4))), any.bound * 4),
      5,
    );
    const x = (rate: number) => M.l + ((Math.log(rate) - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
    const y = (s: number) => H - M.b - (Math.min(s, yTicks.hi) / (yTicks.hi || 1)) * (H - M.t - M.b);
    const f = (n: number) => n.toFixed(1);
    const parts: string[] = [];
    for (const t of yTicks.ticks)
      parts.push(
        `<line class="grid" x1="${M.l}" x2="${W - M.r}" y1="${f(y(t))}" y2="${f(y(t))}"/><text x="${M.l - 6}" y="${f(y(t) + 4)}" text-anchor="end">${escapeHtml(formatDuration(t))}</text>`,
      );
    parts.push(
      `<line x1="${M.l}" x2="${W - M.r}" y1="${f(y(any.bound))}" y2="${f(y(any.bound))}" stroke="#c00" stroke-dasharray="6 4"><title>objective ${escapeHtml(any.slo)}</title></line>`,
    );
    const rates = [...new Set(all.map((s) => Number(s.rate.toPrecision(6))))].sort((a, b) => a - b);
    const every = Math.max(1, Math.ceil(rates.length / 6));
    rates.forEach((r, i) => {
      if (i % every === 0 || i === rates.length - 1)
        parts.push(
          `<text x="${f(x(r))}" y="${H - M.b + 16}" text-anchor="middle">${escapeHtml(formatValue(r, '1/s'))}</text>`,
        );
    });
    parts.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">arrival rate</text>`);
    let points = 0;
    for (const side of ['base', 'head'] as const) {
      const curve = sides[side];
      if (!curve) continue;
      const color = SERIES_COLORS[side];
      const summary = [...byRate(curve.steps).values()]
        .filter((p) => p.latency !== null)
        .sort((a, b) => a.rate - b.rate);
      if (summary.length > 1)
        parts.push(
          `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${summary.map((p) => `${f(x(p.rate))},${f(y(p.latency as number))}`).join(' ')}"/>`,
        );
      for (const s of curve.steps) {
        if (s.latency === null) continue;
        points++;
        parts.push(
          `<circle data-series="${side}" cx="${f(x(s.rate))}" cy="${f(y(s.latency))}" r="3" fill="${s.holds ? color : 'none'}" stroke="${color}"><title>${side}: ${escapeHtml(formatValue(s.rate, '1/s'))} → ${escapeHtml(formatDuration(s.latency))}, errors ${escapeHtml(formatValue(s.errors, 'fraction'))} (${s.holds ? 'held' : 'broke'})</title></circle>`,
        );
      }
      const cap = capacityOf(report, metric, side);
      if (cap !== null && cap > 0)
        parts.push(
          `<line x1="${f(x(cap))}" x2="${f(x(cap))}" y1="${M.t}" y2="${H - M.b}" stroke="${color}" stroke-dasharray="2 3"><title>${side} capacity (median) ${escapeHtml(formatValue(cap, '1/s'))}</title></line>`,
        );
    }
    cards.push(
      `<article class="card"><h3>Latency vs rate of <code>${escapeHtml(metric)}</code></h3><figure><svg data-chart="capacity" data-metric="${escapeHtml(metric)}" data-points="${points}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="latency against arrival rate for ${escapeHtml(metric)}" style="font-size:11px">${parts.join('')}</svg><figcaption>Each load step of the capacity searches: filled, the objective (${escapeHtml(any.slo)}, errors &lt; ${escapeHtml(formatValue(any.errorBound, 'fraction'))}) held; hollow, it broke; lines join the medians per rate; dotted verticals: each side's median capacity. <span style="color:${SERIES_COLORS.base}">■ base</span> <span style="color:${SERIES_COLORS.head}">■ head</span></figcaption></figure></article>`,
    );
  }
  return cards.length ? `<section><h2>Capacity</h2>${cards.join('')}</section>` : '';
}
