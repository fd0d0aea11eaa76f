/**
 * "Where the time went" in the HTML report: per profiled suite, a differential flame graph and
 * the functions whose cost grew most. Pure: data in, HTML string out; every string from the
 * report is escaped. Inline SVG only, no script (the report's Content-Security-Policy forbids
 * it): each frame's details are in its `<title>` tooltip.
 *
 * The flame graph merges both sides' call trees (root at the top, callees below): a frame's
 * width is its head cost, its colour the change of its self cost — red grew, blue shrank, the
 * stronger the larger the change relative to the largest change in the graph (Gregg, "Differential
 * Flame Graphs", 2014, colours by the same signed difference). Frames that exist only on base
 * have no width; the table below lists what grew.
 */
import type { MetricResult } from '../model';
import { shareOfGrowth } from '../profile/diff';
import type { FlameNode, ProfileView, SuiteProfile } from '../profile/types';
import { costNoun, costText, growthText, RAW_FILES, shareLegend, viewCaption, whereText } from './profile-view';

/** Rows of the HTML table. */
export const HTML_TOP = 15;

const W = 1200;
const ROW = 18;

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

const finite = (x: number) => (Number.isFinite(x) ? x : 0);

function value(v: number, view: ProfileView): string {
  return costText(finite(v), view);
}

function signed(v: number, view: ProfileView): string {
  return growthText(finite(v), view);
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (max < 2) return '';
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** Fill for a frame whose self cost changed by `delta`, `scale` being the largest |delta| in the graph. */
export function frameColour(delta: number, scale: number): string {
  const k = scale > 0 ? Math.min(1, Math.abs(delta) / scale) : 0;
  if (k < 0.02) return 'hsl(40,12%,86%)';
  const lightness = Math.round(90 - 42 * Math.sqrt(k));
  return delta > 0 ? `hsl(2,85%,${lightness}%)` : `hsl(212,85%,${lightness}%)`;
}

/** Self cost of every node (its total minus its kept children's totals), per side. */
function selfCosts(flame: readonly FlameNode[]): { base: number[]; head: number[] } {
  const base = flame.map((n) => n.base);
  const head = flame.map((n) => n.head);
  flame.forEach((n) => {
    if (n.parent < 0 || n.parent >= flame.length) return;
    base[n.parent] -= n.base;
    head[n.parent] -= n.head;
  });
  return { base: base.map((x) => Math.max(0, x)), head: head.map((x) => Math.max(0, x)) };
}

/** The differential flame graph of one view as inline SVG. */
export function flameGraphSvg(view: ProfileView, suite: string): string {
  const { flame, functions } = view;
  const self = selfCosts(flame);
  const deltas = flame.map((_, i) => self.head[i] - self.base[i]);
  const scale = Math.max(0, ...deltas.map(Math.abs));
  const total = Math.max(view.headTotal, ...flame.filter((n) => n.parent < 0).map((n) => n.head), 0);
  // Lay out: children side by side under their parent, in stored order (siblings by name).
  const x = new Array<number>(flame.length).fill(0);
  const depth = new Array<number>(flame.length).fill(0);
  const next = new Map<number, number>(); // parent → x of its next child
  let rootX = 0;
  flame.forEach((n, i) => {
    const valid = n.parent >= 0 && n.parent < i;
    const start = valid ? (next.get(n.parent) ?? x[n.parent]) : rootX;
    x[i] = start;
    depth[i] = valid ? depth[n.parent] + 1 : 0;
    const w = total > 0 ? (finite(n.head) / total) * W : 0;
    if (valid) next.set(n.parent, start + w);
    else rootX = start + w;
  });
  const frames: string[] = [];
  let maxDepth = 0;
  flame.forEach((n, i) => {
    const w = total > 0 ? (finite(n.head) / total) * W : 0;
    if (w < 0.3) return;
    const f = functions[n.fn] ?? { name: '?', file: '', line: null };
    maxDepth = Math.max(maxDepth, depth[i]);
    const y = depth[i] * ROW;
    const label = clip(f.name, Math.floor((w - 6) / 6.6));
    const tip =
      `${f.name}${whereText(f) ? ` (${whereText(f)})` : ''}\n` +
      `head ${value(n.head, view)}${view.per === 'share' ? ' of the profile' : ` per ${view.per}`} (${total > 0 ? ((n.head / total) * 100).toFixed(1) : '0'} % of the graph), base ${value(n.base, view)}: ${signed(n.head - n.base, view)}\n` +
      `self: head ${value(self.head[i], view)}, base ${value(self.base[i], view)}: ${signed(deltas[i], view)}`;
    frames.push(
      `<g class="fg" data-fn="${esc(f.name)}" data-delta="${finite(deltas[i]).toPrecision(4)}" data-width="${w.toFixed(1)}"><title>${esc(tip)}</title><rect x="${x[i].toFixed(1)}" y="${y}" width="${Math.max(0.3, w - 0.6).toFixed(1)}" height="${ROW - 1}" rx="2" fill="${frameColour(deltas[i], scale)}"/>${label ? `<text x="${(x[i] + 3).toFixed(1)}" y="${y + ROW - 5}">${esc(label)}</text>` : ''}</g>`,
    );
  });
  const H = (maxDepth + 1) * ROW + 2;
  return `<svg class="flame" data-chart="flamegraph" data-suite="${esc(suite)}" data-kind="${view.kind}" data-frames="${frames.length}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`${suite}: differential flame graph`)}">${frames.join('')}</svg>`;
}

function topTable(view: ProfileView): string {
  const rows = view.top.slice(0, HTML_TOP).map((c) => {
    const f = view.functions[c.fn] ?? { name: '?', file: '', line: null };
    const share = shareOfGrowth(view, c);
    return `<tr><td><code>${esc(clip(f.name, 120))}</code></td><td class="muted">${esc(whereText(f))}</td><td class="num">${value(c.baseSelf, view)}</td><td class="num">${value(c.headSelf, view)}</td><td class="num t-bad">${signed(c.headSelf - c.baseSelf, view)}</td><td class="num">${share === null ? '—' : `${(share * 100).toFixed(0)} %`}</td><td class="num">${value(c.baseTotal, view)}</td><td class="num">${value(c.headTotal, view)}</td></tr>`;
  });
  const what = costNoun(view);
  return `<table class="prof"><thead><tr><th>function</th><th>where</th><th class="num">base self</th><th class="num">head self</th><th class="num">change</th><th class="num">share of growth</th><th class="num">base total</th><th class="num">head total</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="muted legend-note">Self: ${what} in the function itself; total: with everything it called${view.per === 'share' ? ", each as a share of its side's profile" : ''}. ${esc(shareLegend(view))}</p>`;
}

/** The "Where the time went" card of one suite. */
export function renderProfileSection(profile: SuiteProfile, failing: readonly MetricResult[]): string {
  const metrics = failing.map((m) => `<code>${esc(m.id)}</code>`).join(', ');
  const views = profile.views.map((view) => {
    const flame = view.flame.length
      ? `<div class="scroll">${flameGraphSvg(view, profile.suite)}</div><p class="muted legend-note"><span class="swatch" style="background:hsl(2,85%,55%)"></span>self cost grew <span class="swatch" style="background:hsl(212,85%,55%)"></span>shrank <span class="swatch" style="background:hsl(40,12%,86%)"></span>unchanged · width: head cost · hover a frame for its figures</p>`
      : '';
    const table = view.top.length
      ? topTable(view)
      : `<p class="muted">No function costs more on head in these profiles${view.kind === 'cpu' ? ': the time may have gone to waiting (I/O, sleeps, locks), which a CPU profile does not see' : ''}.</p>`;
    return `<h4>${view.kind === 'heap' ? 'Memory' : view.unit === 'count' ? 'Instructions' : 'Time'}: ${esc(viewCaption(profile, view))}</h4>${flame}<div class="scroll">${table}</div>`;
  });
  const notes = profile.notes.length
    ? `<ul class="warnings">${profile.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
    : '';
  const files = profile.files.length
    ? `<details><summary class="muted">Raw profiles (${profile.files.length}) beside the results : open them in ${esc(RAW_FILES[profile.profiler === 'none' ? 'v8' : profile.profiler].viewers)}</summary><ul class="files">${profile.files
        .slice(0, 100)
        .map((f) => `<li><code>${esc(f)}</code></li>`)
        .join('')}</ul></details>`
    : '';
  return `<article class="card profile" data-suite="${esc(profile.suite)}"><h3>Where the time went${metrics ? ` (${metrics})` : ''}</h3>${views.join('')}${notes}${files}<p class="muted legend-note">Profiling took ${finite(profile.costS).toFixed(1)} s (extra runs after the verdict, not part of the measurement).</p></article>`;
}

/** Styles of the section (appended to the report's stylesheet). */
export const PROFILE_STYLE = `
svg.flame{display:block;font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
svg.flame text{fill:#1f2328;pointer-events:none}
svg.flame g.fg:hover rect{stroke:var(--fg);stroke-width:1}
.card.profile h4{margin:14px 0 6px;font-size:14px}
table.prof td code{white-space:nowrap}
.legend-note{font-size:12px;margin:4px 0 8px}
ul.files{font-size:12px;columns:2}
`;
