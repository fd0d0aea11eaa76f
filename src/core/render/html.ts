/**
 * A self-contained HTML report of one comparison: verdict, commits, the summary table, per suite
 * a card per metric with its charts, per case with latency percentiles the percentile curve, and
 * the environment and method of the run. This file is the layout; the words and cells come from
 * the shared model (`view.ts`), the charts from `html-charts.ts`, the style from `html-style.ts`.
 *
 * Pure: data in, string out. Everything is inline (CSS and SVG, no script at all), and a
 * Content-Security-Policy forbids any network access or script, so the file views offline and a
 * string that slipped past escaping still could not run. Every interpolated string goes through
 * the `html` tag (`html-markup.ts`), which escapes it.
 */
import { type ComparisonReport, FAILING_OUTCOMES, type MethodSettings, type MetricResult } from '../model';
import { formatDuration, plainNumber } from '../units';
import { capacityHtml } from './capacity';
import { chartScale, niceTicks, plottable } from './charts';
import { PROFILE_STYLE, renderProfileSection } from './flamegraph';
import {
  distributionChart,
  forestChart,
  type PercentilePoint,
  percentileChart,
  percentileGroups,
  samplesChart,
  valueAxis,
} from './html-charts';
import { escapeHtml, html, Raw } from './html-markup';
import { STYLE } from './html-style';
import { plural } from './text';
import {
  buildView,
  type CellContext,
  COLUMNS,
  type Column,
  cellContext,
  columns,
  geomeanText,
  headline,
  type Inline,
  inlineText,
  methodText,
  OUTCOME_VIEW,
  pText,
  type ReportView,
  shortSha,
  shownNotes,
  toneOf,
  valueText,
} from './view';

export { escapeHtml } from './html-markup';

/** Inline text as HTML. */
function inline(spans: Inline): Raw {
  return html`${spans.map((s) => {
    switch (s.style) {
      case 'code':
        return s.full ? html`<code title="${s.full}">${s.text}</code>` : html`<code>${s.text}</code>`;
      case 'strong':
        return html`<strong>${s.text}</strong>`;
      case 'outcome':
        return html`<span class="badge t-${s.tone ?? 'neutral'}">${s.text}</span>`;
      case 'note':
        return html`<sup>${s.text}</sup>`;
      default:
        return s.text;
    }
  })}`;
}

interface TableOptions {
  /** The anchor of a metric's card, to link its name to. */
  link?: (r: MetricResult) => string;
  /** An extra first column. */
  lead?: { label: string; cell: (r: MetricResult) => string };
}

/** Rows of the model's columns as an HTML table. */
function table(
  cls: string,
  cols: readonly Column[],
  rows: readonly MetricResult[],
  ctx: CellContext,
  { link, lead }: TableOptions = {},
): Raw {
  const th = (label: string, align: Column['align']) =>
    html`<th${align === 'right' ? new Raw(' class="num"') : ''}>${label}</th>`;
  const head = [lead ? th(lead.label, 'left') : '', cols.map((c) => th(c.label, c.align))];
  const body = rows.map((r) => {
    const cells = cols.map((col) => {
      const spans = col.cell(r, ctx);
      // The name links to its card; footnote marks stay outside the link.
      const content =
        col.key === 'metric' && link
          ? html`<a href="#${link(r)}">${inline(spans.filter((s) => s.style !== 'note'))}</a>${inline(spans.filter((s) => s.style === 'note'))}`
          : inline(spans);
      return col.align === 'right' ? html`<td class="num">${content}</td>` : html`<td>${content}</td>`;
    });
    return html`<tr>${lead ? html`<td>${lead.cell(r)}</td>` : ''}${cells}</tr>`;
  });
  return html`<table class="${cls}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function revisionHtml(label: 'base' | 'head', rev: ComparisonReport['base']): Raw {
  return html`<span class="rev"><span class="swatch s-${label}"></span><strong>${label}</strong> ${rev.ref ? html`<code>${rev.ref}</code> @ ` : ''}<code title="${rev.sha}">${shortSha(rev.sha)}</code></span>`;
}

const SWATCHES = new Raw('<span class="swatch s-base"></span>base <span class="swatch s-head"></span>head');

function metricCard(r: MetricResult, anchor: string, analysis: MethodSettings['analysis']): Raw {
  const all = [...r.base, ...r.head].filter(plottable);
  const scale = chartScale(r.unit, all);
  const axis = all.length ? valueAxis(all, scale) : niceTicks(0, 1, 5);
  const cells = (key: Column['key']) =>
    inline(COLUMNS.find((c) => c.key === key)!.cell(r, { nameMax: Number.POSITIVE_INFINITY, notes: () => [] }));
  const stats = [
    html`base median <strong>${valueText(r.baseMedian, r.unit)}</strong>`,
    html`head median <strong>${valueText(r.headMedian, r.unit)}</strong>`,
    r.change ? html`change ${cells('change')} at ${Math.round(r.change.confidence * 100)}%` : html`no change estimate`,
    html`budget ${cells('budget')}`,
    r.pValue === null ? null : html`raw p (not the decision) ${pText(r.pValue)}, vs no change, uncorrected`,
    html`${plural(r.rounds, 'round')}`,
    r.stopReason ? html`${r.stopReason}` : null,
  ].filter((x): x is Raw => x !== null);
  const notes = shownNotes(r, analysis);
  const warnings = notes.length ? html`<ul class="warnings">${notes.map((w) => html`<li>${w.text}</li>`)}</ul>` : '';
  const t = toneOf(r);
  return html`<article class="card metric o-${t}" id="${anchor}"><h3><code>${r.id}</code>${cells('verdict')}</h3><p class="stats">${stats.map((s, i) => html`${i ? ' · ' : ''}${s}`)}</p><div class="charts"><figure>${samplesChart(r, scale, axis)}<figcaption>Samples per round: ${SWATCHES} (dashed: medians)</figcaption></figure><figure>${distributionChart(r, scale, axis)}<figcaption>Distributions (box: quartiles and median; whiskers: 1.5 IQR)</figcaption>${forestChart(r)}<figcaption>Change with its interval against the budget (shaded: beyond budget)</figcaption></figure></div>${warnings}</article>`;
}

function percentileCard(scenario: string, points: PercentilePoint[], ctx: CellContext): Raw {
  const pTable = table(
    'pct',
    columns('base', 'head', 'change', 'verdict'),
    points.map(({ r }) => r),
    ctx,
    { lead: { label: 'Percentile', cell: (r) => `p${plainNumber(r.percentile ?? 0)}` } },
  );
  return html`<article class="card"><h3>Latency percentiles of <code>${scenario}</code></h3><div class="charts"><figure>${percentileChart(scenario, points)}<figcaption>Median over rounds of each percentile: ${SWATCHES}</figcaption></figure><div class="scroll">${pTable}</div></div></article>`;
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
    ['method', methodText(report).replace(/^Method: /, '')],
  ];
  const geomean = geomeanText(report);
  if (geomean) rows.push(['geometric mean', geomean.replace(/^Geometric mean of all ratio changes: /, '')]);
  return html`<section class="card"><h2 style="margin-top:0;border:0">Environment and method</h2><dl class="env">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>${report.reproduce ? html`<p class="muted" style="margin:12px 0 4px">Reproduce locally:</p><pre><code>${report.reproduce}</code></pre>` : ''}</section>`;
}

function page(v: ReportView): string {
  const report = v.report;
  const where = [
    report.repository ? html`<code>${report.repository}</code>` : null,
    report.pullRequest !== undefined ? html`pull request #${report.pullRequest}` : null,
  ].filter((x): x is Raw => x !== null);
  const title = `perfgate ${report.verdict}: ${inlineText(headline(report))}`;
  const errors = v.errors.length
    ? html`<section class="card o-bad"><h2 style="margin-top:0;border:0">Errors (infrastructure, not regressions)</h2><ul class="warnings errors">${v.errors.map((e) => html`<li>${e.title}${e.detail ? html`<pre>${e.detail}</pre>` : ''}</li>`)}</ul></section>`
    : '';
  const notes =
    v.footnotes.size + v.runNotes.length
      ? html`<section class="card o-warn"><h2 style="margin-top:0;border:0">Notes</h2><ul class="warnings">${[...v.footnotes].map(([text, n]) => html`<li><sup>${n}</sup> ${text}</li>`)}${v.runNotes.map((text) => html`<li>${text}</li>`)}</ul></section>`
      : '';
  const ctx = cellContext(v);
  const anchors = new Map(report.results.map((r, i) => [r, `m-${i}`]));
  const summary = table('summary', COLUMNS, [...v.shown, ...v.folded], ctx, { link: (r) => anchors.get(r)! });

  // Metric cards by suite, in report order; a case's percentile curve opens its suite.
  const curves = percentileGroups(report.results);
  const suites = new Map<string, MetricResult[]>();
  for (const r of report.results) suites.set(r.suite, [...(suites.get(r.suite) ?? []), r]);
  const sections = [...suites].map(([suite, list]) => {
    const cards = [...curves]
      .filter(([, g]) => g[0].r.suite === suite)
      .map(([scenario, g]) => percentileCard(scenario, g, ctx));
    const failing = list.filter((r) => FAILING_OUTCOMES.has(r.outcome));
    const profiles = (report.profiles ?? [])
      .filter((p) => p.suite === suite)
      .map((p) => new Raw(renderProfileSection(p, failing)));
    return html`<section class="suite"><h2>Suite <code>${suite}</code></h2>${cards}${list.map((r) => metricCard(r, anchors.get(r)!, report.method.analysis))}${profiles}</section>`;
  });
  const counts = v.counts.map(([o, n]) => `${n} ${OUTCOME_VIEW[o].label}`).join(' · ');

  const body = html`<main>
<header><h1><span class="verdict ${report.verdict}">${report.verdict.toUpperCase()}</span>${inline(headline(report))}</h1>
<p class="muted">${counts}</p>
<div class="legend">${revisionHtml('base', report.base)}<span class="muted">→</span>${revisionHtml('head', report.head)}${where.length ? html`<span class="muted">${where.map((w, i) => html`${i ? ' · ' : ''}${w}`)}</span>` : ''}</div>${report.pairing ? html`<p class="muted">${report.pairing.reason}</p>` : ''}
</header>
${errors}
<section><h2>Summary</h2><div class="scroll">${summary}</div></section>${new Raw(capacityHtml(report))}
${notes}
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

/**
 * Renders the whole report as one self-contained HTML document (no network, no script). Safe for
 * any string content of `report`. Deterministic: the same report gives the same bytes.
 */
export function renderHtmlReport(report: ComparisonReport): string {
  return page(buildView(report));
}
