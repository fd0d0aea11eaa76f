/**
 * Small pictures of one metric for the PR comment: a Mermaid `xychart-beta` of the per-round
 * samples of both sides (GitHub renders Mermaid in comments), plus the axis helpers the HTML
 * report's charts share.
 *
 * Pure: data in, string out. Every string taken from the report (metric ids, custom units) is
 * untrusted and passes through `mermaidText`, which keeps only characters that cannot end a
 * quoted Mermaid string, open a directive (`%%{`), close the markdown fence or inject HTML.
 */
import type { MetricResult, Unit } from '../model';
import { median } from '../stats/quantiles';
import { type DisplayScale, displayScale, plainNumber, scaleLabel } from '../units';

/**
 * Whether a value can be drawn: finite and not so large that differences of such values overflow
 * (no real measurement comes near 1e300; a corrupt one must not turn coordinates into NaN).
 */
export function plottable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= 1e300;
}

/**
 * One display unit for a whole chart, from the typical magnitude of its values (their median
 * absolute value) through the same table as every single value (`displayScale` in `units.ts`),
 * so a chart's axis and the table beside it speak the same unit.
 */
export function chartScale(unit: Unit, values: readonly number[]): DisplayScale {
  const finite = values.filter(plottable).map(Math.abs);
  return displayScale(unit, finite.length ? median(finite) : 0);
}

/** "Nice" axis ticks (1, 2, 5 × 10^k steps) covering [lo, hi]; about `target` of them. */
export function niceTicks(
  lo: number,
  hi: number,
  target = 5,
): { lo: number; hi: number; step: number; ticks: number[] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(hi - lo))
    return { lo: 0, hi: 1, step: 0.5, ticks: [0, 0.5, 1] };
  if (hi < lo) [lo, hi] = [hi, lo];
  // A range too narrow to divide into steps (equal or nearly equal ends, subnormal numbers) is widened.
  const size = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo <= size * 1e-9 || hi - lo < 1e-200) {
    const pad = size < 1e-200 ? 1 : size * 0.05;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const frac = raw / pow;
  const step = (frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10) * pow;
  const nlo = Math.floor(lo / step + 1e-9) * step;
  const nhi = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0, v = nlo; v <= nhi + step * 1e-6 && i < 100; i++, v = nlo + i * step)
    ticks.push(Number(v.toPrecision(12)));
  return { lo: Number(nlo.toPrecision(12)), hi: Number(nhi.toPrecision(12)), step, ticks };
}

/**
 * Makes an untrusted string safe inside a double-quoted Mermaid string inside a markdown code
 * fence: keeps letters, digits, spaces and `._:/+-()%,=µ·`; drops everything else (quotes,
 * backticks, `<>`, braces, `#`, `;`, newlines), collapses `%%` (directive/comment marker) and
 * runs of spaces, and caps the length.
 */
export function mermaidText(text: string, max = 80): string {
  const kept = Array.from(text.normalize('NFC'))
    .map((ch) => (/[\p{L}\p{N} ._:/+\-()%,=µ·]/u.test(ch) ? ch : ' '))
    .join('')
    .replace(/%+/g, '%')
    .replace(/\s+/g, ' ')
    .trim();
  return kept.length > max
    ? `${Array.from(kept)
        .slice(0, max - 1)
        .join('')}…`
    : kept;
}

/** Series colours (Tableau 10 blue/orange): mid-luminance, readable on white and on GitHub's dark canvas. */
export const SERIES_COLORS = { base: '#4e79a7', head: '#f28e2b' } as const;

/** Most points per series in a comment chart; longer runs are shown as medians of consecutive rounds. */
const MAX_CHART_POINTS = 60;

/** The size a comment chart aims to stay under, in characters. */
const MAX_CHART_CHARS = 1500;

/** Medians of `k` consecutive values, so a long series fits in `maxPoints`; `k` = 1 when it already fits. */
function binMedians(values: readonly number[], maxPoints: number): { points: number[]; k: number } {
  if (values.length <= maxPoints) return { points: [...values], k: 1 };
  const k = Math.ceil(values.length / maxPoints);
  const points: number[] = [];
  for (let i = 0; i < values.length; i += k) points.push(median(values.slice(i, i + k)));
  return { points, k };
}

/**
 * A compact markdown picture of base vs head for one metric: a Mermaid `xychart-beta` with one
 * line per side over the rounds (drift shows as both lines moving together, a change as a gap
 * between them), the y axis in a readable unit, and a one-line legend (Mermaid xycharts have
 * none). Colours come from a `plotColorPalette` theme variable only, so titles, axes and
 * background keep GitHub's light or dark Mermaid theme.
 *
 * Rounds are paired: when the sides have different lengths only the common rounds are drawn, and
 * a round with a non-finite (or absurdly large) value on either side is left out; a side with no samples
 * (added/removed metrics) is left out. Returns '' when there is nothing
 * to draw. More than `MAX_CHART_POINTS` rounds are drawn as medians of consecutive rounds, and
 * fewer points still if long numbers would push the chart past `MAX_CHART_CHARS`.
 * Output is about 0.4–1.3 kB.
 */
export function renderMetricChart(result: MetricResult): string {
  let chart = mermaidChart(result, MAX_CHART_POINTS);
  for (let max = MAX_CHART_POINTS / 2; chart.length > MAX_CHART_CHARS && max >= 8; max /= 2) {
    chart = mermaidChart(result, max);
  }
  return chart;
}

function mermaidChart(result: MetricResult, maxPoints: number): string {
  // Pair the rounds, and leave out a round where either side is not a finite number.
  let base = result.base.filter(plottable);
  let head = result.head.filter(plottable);
  if (base.length && head.length) {
    const n = Math.min(result.base.length, result.head.length);
    const keep = [...Array(n).keys()].filter((i) => plottable(result.base[i]) && plottable(result.head[i]));
    base = keep.map((i) => result.base[i]);
    head = keep.map((i) => result.head[i]);
  }
  const rounds = Math.max(base.length, head.length);
  if (rounds === 0) return '';

  const scale = chartScale(result.unit, [...base, ...head]);
  const b = binMedians(
    base.map((v) => v / scale.divisor),
    maxPoints,
  );
  const h = binMedians(
    head.map((v) => v / scale.divisor),
    maxPoints,
  );
  const k = Math.max(b.k, h.k);
  const all = [...b.points, ...h.points];
  const span = Math.max(...all) - Math.min(...all);
  const pad = span > 0 ? span * 0.08 : Math.abs(all[0]) * 0.05 || 1;
  let lo = Math.min(...all) - pad;
  const hi = Math.max(...all) + pad;
  // Quantities that cannot be negative keep a non-negative axis.
  if (Math.min(...all) >= 0 && lo < 0) lo = 0;
  const ticks = niceTicks(lo, hi, 10);

  const name = mermaidText(result.name, 40) || 'value';
  const suffix = mermaidText(scaleLabel(scale), 20);
  const yTitle = suffix ? `${name} (${suffix})` : name;
  const points = Math.max(b.points.length, h.points.length);
  const xTitle = k > 1 ? `round (median of ${k})` : 'round';
  const series: string[] = [];
  const legend: string[] = [];
  if (b.points.length) {
    series.push(`    line [${b.points.map((v) => plainNumber(v)).join(', ')}]`);
    legend.push('🔵 base');
  }
  if (h.points.length) {
    series.push(`    line [${h.points.map((v) => plainNumber(v)).join(', ')}]`);
    legend.push('🟠 head');
  }
  const palette = [b.points.length ? SERIES_COLORS.base : null, h.points.length ? SERIES_COLORS.head : null]
    .filter(Boolean)
    .join(', ');
  // The directive name must be a bare word (`init:`), its argument JSON.
  const init = `init: ${JSON.stringify({
    xyChart: { width: 600, height: 240, titleFontSize: 14 },
    themeVariables: { xyChart: { plotColorPalette: palette } },
  })}`;
  const title = mermaidText(`${result.id} per round`, 90);
  return [
    '```mermaid',
    `%%{${init}}%%`,
    'xychart-beta',
    `    title "${title}"`,
    `    x-axis "${xTitle}" 1 --> ${Math.max(points, 2)}`,
    `    y-axis "${yTitle}" ${plainNumber(ticks.lo, 6)} --> ${plainNumber(ticks.hi, 6)}`,
    ...series,
    '```',
    `<sub>${legend.join(' · ')} · ${rounds} round${rounds === 1 ? '' : 's'} · ${result.direction === 'higher' ? 'higher' : 'lower'} is better</sub>`,
    '',
  ].join('\n');
}
