/**
 * Properties of the renderers (comment charts, HTML, markdown, terminal) over arbitrary reports: any string (HTML, Mermaid directives,
 * markdown fences, lone surrogates) and any number (NaN, ±∞, huge, tiny) must neither crash them
 * nor change the structure of what they write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ComparisonReport, type MetricResult, OUTCOMES, type Unit } from '../../src/core/model';
import { renderMetricChart } from '../../src/core/render/charts';
import { renderHtmlReport } from '../../src/core/render/html';
import { renderMarkdown } from '../../src/core/render/markdown';
import { renderTerminal } from '../../src/core/render/terminal';
import { outsideCode } from '../helpers/markdown';
import { HOSTILE, realisticReport } from './fixtures/report';

const nasty = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom(
        HOSTILE,
        '```',
        '%%{init: {"theme":"dark"}}%%',
        '"',
        "'",
        '</svg>',
        '<script>',
        '\n',
        '&amp;',
        ':p99',
        '/',
        '|',
        '@octocat',
        '#1',
        'acme/other#5',
        'GH-7',
        'https://evil.example/install.sh',
        'www.evil.example',
        '<!-- perfgate:ci/bench -->',
        '\u202e',
        '\u001b[2J',
        '',
      ),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const unit: fc.Arbitrary<Unit> = fc.oneof(fc.constantFrom<Unit>('s', 'B', '1/s', 'B/s', 'count', 'fraction'), nasty);
const anyNumber = fc.oneof(fc.double(), fc.double({ min: -1e12, max: 1e12, noNaN: true }));
const sensible = fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true });

function metric(values: fc.Arbitrary<number>): fc.Arbitrary<MetricResult> {
  return fc.record({
    id: nasty,
    suite: nasty,
    case: fc.option(nasty, { nil: undefined }),
    name: nasty,
    percentile: fc.option(fc.double({ min: 0, max: 100 }), { nil: undefined }),
    unit,
    direction: fc.constantFrom('lower' as const, 'higher' as const),
    base: fc.array(values, { maxLength: 200 }),
    head: fc.array(values, { maxLength: 200 }),
    baseMedian: fc.option(anyNumber),
    headMedian: fc.option(anyNumber),
    change: fc.option(
      fc.record({ estimate: anyNumber, low: anyNumber, high: anyNumber, confidence: fc.constant(0.95) }),
    ),
    pValue: fc.option(fc.double({ min: 0, max: 1 })),
    budget: fc.oneof(
      fc.record({ kind: fc.constant('relative' as const), limit: fc.double({ min: 0, max: 2 }), source: nasty }),
      fc.record({
        kind: fc.constant('absolute' as const),
        op: fc.constantFrom('<' as const, '<=' as const, '>' as const, '>=' as const),
        bound: anyNumber,
        unit,
        source: nasty,
      }),
      fc.record({ kind: fc.constant('off' as const), source: nasty }),
    ),
    outcome: fc.constantFrom(...OUTCOMES),
    rounds: fc.nat(500),
    stopReason: nasty,
    warnings: fc.array(
      nasty.map((text) => ({ code: 'replicate' as const, text })),
      { maxLength: 2 },
    ),
  });
}

describe('renderMetricChart over arbitrary metrics', () => {
  it('keeps its structure: one fence pair, one directive, two quotes per text line, no HTML but <sub>', () => {
    fc.assert(
      fc.property(metric(anyNumber), (r) => {
        const chart = renderMetricChart(r);
        if (chart === '') return;
        expect(chart.match(/```/g)).toHaveLength(2);
        expect(chart.match(/%%\{/g)).toHaveLength(1);
        expect(chart).not.toMatch(/<(?!\/?sub>)/);
        expect(chart).not.toMatch(/NaN|Infinity|e[+-]\d/);
        const lines = chart.split('\n');
        expect(lines.slice(2, 6).map((l) => l.trim().split(' ')[0])).toEqual([
          'xychart-beta',
          'title',
          'x-axis',
          'y-axis',
        ]);
        for (const l of lines.slice(3, 6)) expect(l.match(/"/g)).toHaveLength(2);
        for (const l of lines.slice(6))
          if (!l.startsWith('```') && !l.startsWith('<sub>') && l) expect(l).toMatch(/^ {4}line \[[-0-9., ]*\]$/);
      }),
      { numRuns: 300 },
    );
  });

  it('stays under 1.5 kB for values of ordinary size', () => {
    fc.assert(
      fc.property(metric(sensible), (r) => {
        expect(renderMetricChart(r).length).toBeLessThanOrEqual(1500);
      }),
      { numRuns: 200 },
    );
  });
});

/** Every tag is one the renderer writes, and every attribute is a plain quoted name="value" pair. */
function expectOnlyOwnMarkup(page: string): void {
  const allowed = new Set(
    'html head meta title style body main header h1 h2 h3 p div span strong code a section table thead tbody tr th td article figure figcaption svg line text polyline circle g rect ul li dl dt dd pre sup'.split(
      ' ',
    ),
  );
  const body = page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/^<!doctype html>/, '');
  for (const m of body.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)) {
    expect(allowed.has(m[1]), m[0]).toBe(true);
    const attrs = m[2].replace(/\/$/, '').trim();
    if (attrs) expect(attrs, m[0]).toMatch(/^([a-z][a-z0-9:-]*="[^"<>]*"\s*)+$/i);
    // No event-handler attribute names (values may contain any escaped text).
    expect(attrs.replace(/="[^"]*"/g, '=""')).not.toMatch(/(^|\s)on[a-z]+=/i);
  }
}

/** Arbitrary reports: any strings, any numbers, over a realistic base. */
const arbitraryReport: fc.Arbitrary<ComparisonReport> = fc
  .record({
    results: fc.array(metric(anyNumber), { maxLength: 4 }),
    base: fc.record({ sha: nasty, ref: fc.option(nasty, { nil: undefined }) }),
    head: fc.record({ sha: nasty, ref: fc.option(nasty, { nil: undefined }) }),
    repository: fc.option(nasty, { nil: undefined }),
    warnings: fc.array(
      nasty.map((text) => ({ code: 'replicate' as const, text })),
      { maxLength: 2 },
    ),
    errors: fc.array(nasty, { maxLength: 2 }),
    reproduce: nasty,
    verdict: fc.constantFrom('pass' as const, 'fail' as const, 'error' as const),
  })
  .map((parts) => {
    const base = realisticReport();
    return { ...base, ...parts, environment: { ...base.environment, cpuModel: parts.reproduce } };
  });

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('renderHtmlReport over arbitrary reports', () => {
  it('writes only its own markup, whatever the strings and numbers', () => {
    fc.assert(
      fc.property(arbitraryReport, (r) => {
        const page = renderHtmlReport(r);
        expectOnlyOwnMarkup(page);
        expect(page).not.toMatch(BIDI);
        // Non-finite inputs never reach a coordinate or a label.
        expect(page).not.toMatch(/NaN|Infinity/);
        expect(page.match(/<svg /g)?.length ?? 0).toBeGreaterThanOrEqual(r.results.length * 3);
      }),
      { numRuns: 80 },
    );
  });
});

describe('renderMarkdown over arbitrary reports', () => {
  it('keeps every table row whole, writes no HTML but its own, mentions nobody and fits its limit', () => {
    fc.assert(
      fc.property(arbitraryReport, fc.integer({ min: 3000, max: 65_536 }), (r, limit) => {
        const md = renderMarkdown(r, { chart: renderMetricChart, limit });
        expect(md.length).toBeLessThanOrEqual(limit);
        expect(md).not.toMatch(BIDI);
        // Tables: every row has as many cell separators as its header (a `|` in text is escaped).
        const lines = md.split('\n');
        lines.forEach((line, i) => {
          if (!line.startsWith('| Metric |')) return;
          const pipes = line.split('|').length;
          for (let j = i + 1; j < lines.length && lines[j] !== ''; j++) {
            expect(lines[j].startsWith('|'), lines[j]).toBe(true);
            expect(lines[j].split('|').length, lines[j]).toBe(pipes);
          }
        });
        const text = outsideCode(md);
        expect(text.replace(/<\/?(details|summary|sub|sup|code)>/g, '')).not.toMatch(/</);
        expect(text).not.toMatch(/@[A-Za-z0-9]/);
        // No reference (#1, owner/repo#1, GH-1) and no bare link GitHub would make live (in the text
        // it renders: entities decoded).
        const rendered = text.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
        expect(rendered).not.toMatch(/#\d|\bgh-\d|:\/\/|www\./i);
      }),
      { numRuns: 150 },
    );
  });
});

describe('renderTerminal over arbitrary reports', () => {
  it('writes no control character but newlines, and no bidi control', () => {
    fc.assert(
      fc.property(arbitraryReport, (r) => {
        const text = renderTerminal(r);
        expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        expect(text).not.toMatch(BIDI);
        expect(text).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 150 },
    );
  });
});
