import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { escapeHtml, renderHtmlReport } from '../../src/core/render/html';
import { budgetText } from '../../src/core/render/view';
import { expectGolden } from '../helpers/golden';
import {
  addedResult,
  HOSTILE,
  hostileReport,
  inconclusiveResult,
  longResult,
  realisticReport,
} from './fixtures/report';

/** The `<svg …>…</svg>` chart elements of a page, with their data attributes and drawn marks. */
function charts(page: string): { kind: string; metric: string; points: number; circles: number }[] {
  const out = [];
  for (const m of page.matchAll(
    /<svg class="chart" data-chart="([^"]*)" data-metric="([^"]*)" data-points="(\d+)"[^>]*>([\s\S]*?)<\/svg>/g,
  )) {
    out.push({
      kind: m[1],
      metric: m[2],
      points: Number(m[3]),
      circles: (m[4].match(/<circle [^>]*data-series=/g) ?? []).length,
    });
  }
  return out;
}

describe('renderHtmlReport', () => {
  it('matches its golden file (open __tests__/golden/html/report.html in a browser to review)', () => {
    expectGolden('html/report.html', renderHtmlReport(realisticReport()));
  });

  it('draws every chart of every metric with one mark per sample', () => {
    const report = realisticReport();
    const page = renderHtmlReport(report);
    const found = charts(page);
    for (const r of report.results) {
      const mine = found.filter((c) => c.metric === r.id);
      const n = r.base.length + r.head.length;
      expect(mine.map((c) => c.kind)).toEqual(['samples', 'distribution', 'forest']);
      expect(mine.map((c) => c.points)).toEqual([n, n, r.change ? 1 : 0]);
    }
    const curves = found.filter((c) => c.kind === 'percentiles');
    expect(curves).toEqual([{ kind: 'percentiles', metric: 'api/items', points: 8, circles: 8 }]);
    for (const c of found) expect(c.circles, `${c.kind} ${c.metric}`).toBe(c.points);
  });

  it('shows the verdict, the commits, the environment and the method', () => {
    const page = renderHtmlReport(realisticReport());
    expect(page).toContain(
      '<span class="verdict fail">FAIL</span>1 regression beyond budget — <code>cli:wall</code> · 1 improvement',
    );
    expect(page).toContain('<code>main</code> @ <code title="3f9c2a1d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a">3f9c2a1</code>');
    expect(page).toContain('<code>feature/faster-parser</code>');
    expect(page).toContain('pull request #42');
    for (const text of ['AMD EPYC 7763 64-Core Processor', 'Linux 6.8.0-1021-azure (x64)', 'v20.20.0', '6.88 min']) {
      expect(page).toContain(text);
    }
    expect(page).toContain('20 (min 10, max 30; looks at 10, 20, 30)');
    expect(page).toContain('Holm-corrected');
    // Raw p-values appear only here, labelled as not what decided.
    expect(page).toContain('raw p (not the decision) &lt; 0.0001');
    expect(page).not.toMatch(/adjusted|tested at α/);
  });

  it('is self-contained: no script, no external resource, a CSP that forbids both', () => {
    const page = renderHtmlReport(realisticReport());
    expect(page).not.toMatch(/<script|<link|<iframe|<img|\bsrc=|https?:\/\//i);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;`);
    expect(renderHtmlReport(realisticReport())).toBe(page);
  });

  it('escapes every string of a hostile report', () => {
    const report = hostileReport();
    const page = renderHtmlReport(report);
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain(escapeHtml(HOSTILE));
    expect(page).not.toMatch(/<img|<script|<\/script|<svg onload|onerror=alert\(1\)>|"><svg/i);
    // Only the tags this renderer writes appear.
    const tags = new Set([...page.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase()));
    const allowed =
      'html head meta title style body main header h1 h2 h3 p div span strong code a section table thead tbody tr th td article figure figcaption svg line text polyline circle g rect ul li dl dt dd pre sup';
    for (const t of tags) expect(allowed.split(' '), t).toContain(t);
    // Still every chart, with the hostile ids carried only as escaped attribute values.
    const found = charts(page);
    expect(found).toHaveLength(report.results.length * 3 + 1);
    for (const c of found) expect(c.circles).toBe(c.points);
  });

  it('renders an error report with no results', () => {
    const report: ComparisonReport = {
      ...realisticReport(),
      verdict: 'error',
      results: [],
      geomean: null,
      errors: ['build of base failed: `npm run build` exited with code 2. Fix the build on main, then re-run.'],
    };
    const page = renderHtmlReport(report);
    expect(page).toContain('<span class="verdict error">ERROR</span>no verdict — 1 error stopped the comparison');
    expect(page).toContain('build of base failed: `npm run build` exited with code 2.');
    expect(charts(page)).toEqual([]);
  });

  it('copes with one-sided, long, non-finite and constant metrics', () => {
    const broken = { ...inconclusiveResult(), id: 'micro/x:time', base: [Number.NaN, 1e-6, Number.POSITIVE_INFINITY] };
    const constant = { ...inconclusiveResult(), id: 'micro/y:time', base: [2e-6, 2e-6], head: [2e-6, 2e-6] };
    // Found by the property test: a huge value in nanoseconds overflows on its way to a coordinate.
    const huge = { ...inconclusiveResult(), id: 'micro/z:time', base: [], head: [1.297693134862316e299, -5e-324, 0] };
    const report = { ...realisticReport(), results: [addedResult(), longResult(), broken, constant, huge] };
    const page = renderHtmlReport(report);
    expect(page).not.toMatch(/NaN|Infinity/);
    const found = charts(page);
    expect(found.find((c) => c.kind === 'samples' && c.metric === 'micro/BenchmarkEncode:allocs')?.points).toBe(12);
    expect(found.find((c) => c.kind === 'samples' && c.metric === 'db/insert:rate')?.points).toBe(300);
    expect(found.find((c) => c.kind === 'distribution' && c.metric === 'micro/x:time')?.points).toBe(13);
    expect(found.find((c) => c.kind === 'forest' && c.metric === 'micro/BenchmarkEncode:allocs')?.points).toBe(0);
    for (const c of found) expect(c.circles).toBe(c.points);
  });
});

describe('html helpers', () => {
  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('budgetText states the limit on the worse side', () => {
    expect(budgetText({ kind: 'relative', limit: 0.05, source: '5%' }, 'lower')).toBe('≤ +5.0%');
    expect(budgetText({ kind: 'relative', limit: 0.05, source: '5%' }, 'higher')).toBe('≥ −5.0%');
    expect(budgetText({ kind: 'absolute', op: '<=', bound: 1e8, unit: 'B', source: '<= 100MB' }, 'lower')).toBe(
      'head <= 100 MB',
    );
    expect(budgetText({ kind: 'off', source: 'off' }, 'lower')).toBe('off');
  });
});
