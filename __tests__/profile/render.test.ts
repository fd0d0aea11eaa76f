/** "Where the time went" in the markdown and HTML reports, acceptance in both, and the results file round trip. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsFile } from '../../src/adapters/results-file';
import { applyAcceptance } from '../../src/core/accept';
import type { ComparisonReport } from '../../src/core/model';
import { renderMetricChart } from '../../src/core/render/charts';
import { flameGraphSvg, frameColour } from '../../src/core/render/flamegraph';
import { renderHtmlReport } from '../../src/core/render/html';
import { renderMarkdown } from '../../src/core/render/markdown';
import { renderProfileMarkdown } from '../../src/core/render/profile-markdown';
import { renderTerminal } from '../../src/core/render/terminal';
import { HOSTILE } from '../render-html/fixtures/report';
import { hostileProfiledReport, profiledReport } from './report-fixture';

function tableRows(section: string): string[] {
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2);
}

describe('markdown: where the time went', () => {
  it('puts a table of the functions whose cost grew under the failing metrics of the suite', () => {
    const report = profiledReport();
    const md = renderMarkdown(report, { chart: renderMetricChart });
    const at = md.indexOf('#### Where the time went: `cli`');
    const section = md.slice(at, md.indexOf('<details>', at));
    expect(section).toContain(
      '<sub>`cli:wall`: V8 CPU profiles, 1 run per side; self time per run. Share: of the growth',
    );
    const rows = tableRows(section);
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(rows[0]).toMatch(/^\| `parseRecords` app\.js:5 +\| +[\d.]+ ms \| +[\d.]+ ms \| +\+[\d.]+ ms \| +\d+ % \|$/);
    expect(section).toContain('Raw profiles: 2 files under `perfgate-profiles/cli/`');
    // The table comes before the charts: it is what a reviewer reads next.
    expect(md.indexOf('#### Where the time went')).toBeLessThan(md.indexOf('```mermaid'));
  });

  it('uses the heap profile for a failing memory metric', () => {
    const report = profiledReport();
    const rss = report.results.find((r) => r.id === 'cli:rss')!;
    rss.outcome = 'regression';
    const md = renderProfileMarkdown(report).join('\n');
    expect(md).toContain(
      '`cli:rss`: V8 sampling heap profiles (live allocations at exit), 1 run per side; self bytes per run.',
    );
  });

  it('shows nothing for a suite without a failing metric, and the notes of a suite that could not be profiled', () => {
    const report = profiledReport();
    for (const r of report.results) if (r.suite === 'cli') r.outcome = 'within-budget';
    expect(renderProfileMarkdown(report)).toEqual([]);
    const failing = profiledReport();
    failing.profiles = [
      {
        suite: 'cli',
        profiler: 'none',
        metrics: ['cli:wall'],
        runs: { base: 0, head: 0 },
        views: [],
        files: [],
        costS: 0.4,
        notes: ['No profiler could run: the command started no Node.js process, and perf is not installed.'],
      },
    ];
    expect(renderProfileMarkdown(failing).join('\n')).toContain(
      '_No profiler could run: the command started no Node.js process, and perf is not installed._',
    );
  });

  it('escapes every string of a hostile profile', () => {
    const md = renderMarkdown(hostileProfiledReport());
    const at = md.indexOf('#### Where the time went');
    const section = md.slice(at, md.indexOf('<details>', at));
    expect(section.length).toBeGreaterThan(100);
    // Code spans (any fence length, as CommonMark closes them) show their content as text.
    const outsideCode = section.replace(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
    expect(outsideCode).not.toContain('<img');
    expect(outsideCode).not.toContain('<script');
    expect(outsideCode).not.toContain('</svg');
    for (const row of tableRows(section)) expect(row.split('|').length).toBe(7);
  });
});

describe('markdown and HTML: accepted regressions', () => {
  it('are still shown, with who accepted them, and the headline passes', () => {
    const report = applyAcceptance(profiledReport(), {
      labels: ['perf-regression-accepted'],
      label: 'perf-regression-accepted',
      description: '',
    });
    expect(report.verdict).toBe('pass');
    const md = renderMarkdown(report);
    expect(md).toMatch(/^### ☑️ perfgate: 1 regression beyond budget, accepted by label — `cli:wall`/m);
    expect(md).toContain('☑️ regression, accepted by label');
    expect(md).toContain('#### Where the time went: `cli`');
    const html = renderHtmlReport(report);
    expect(html).toContain('regression, accepted by label');
    expect(html).toContain('1 regression beyond budget, accepted by label — cli:wall');
  });
});

describe('HTML: differential flame graph', () => {
  it('draws the merged call tree, the slowed function widest among the red frames, and the top table', () => {
    const html = renderHtmlReport(profiledReport());
    expect(html).toContain('data-chart="flamegraph" data-suite="cli" data-kind="cpu"');
    expect(html).toContain('data-chart="flamegraph" data-suite="cli" data-kind="heap"');
    const frames = [
      ...html.matchAll(/<g class="fg" data-fn="([^"]*)" data-delta="([^"]*)" data-width="([^"]*)">/g),
    ].map((m) => ({ fn: m[1], delta: Number(m[2]), width: Number(m[3]) }));
    const cpuFrames = frames.slice(
      0,
      html
        .split('data-kind="cpu"')[1]
        .split('</svg>')[0]
        .match(/<g class="fg"/g)!.length,
    );
    const top = [...cpuFrames].sort((a, b) => b.delta - a.delta)[0];
    expect(top.fn).toBe('parseRecords');
    expect(top.width).toBeGreaterThan(200);
    expect(html).toContain('<td><code>parseRecords</code></td><td class="muted">app.js:5</td>');
    expect(html).toContain('Profiling took 4.2 s');
  });

  it('keeps its script-free Content-Security-Policy and escapes a hostile profile', () => {
    const html = renderHtmlReport(hostileProfiledReport());
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('data-chart="flamegraph"');
  });

  it('colours growth red and shrinkage blue, stronger for larger changes, grey when unchanged', () => {
    expect(frameColour(0, 10)).toBe('hsl(40,12%,86%)');
    expect(frameColour(10, 10)).toBe('hsl(2,85%,48%)');
    expect(frameColour(-10, 10)).toBe('hsl(212,85%,48%)');
    expect(frameColour(2.5, 10)).toBe('hsl(2,85%,69%)');
    expect(frameColour(5, 0)).toBe('hsl(40,12%,86%)');
  });

  it('draws nothing it cannot place (bad indices, non-finite costs)', () => {
    const view = profiledReport().profiles![0].views[0];
    const broken = {
      ...view,
      flame: [
        { fn: 0, parent: -1, base: 1, head: Number.NaN },
        { fn: 999, parent: 7, base: 1, head: 1 },
      ],
    };
    const svg = flameGraphSvg(broken, 'x');
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
  });
});

describe('results file', () => {
  it('round-trips a report with profiles and acceptance, and rejects a profile that points nowhere', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-profile-results-'));
    const report: ComparisonReport = applyAcceptance(profiledReport(), {
      labels: ['perf-regression-accepted'],
      label: 'perf-regression-accepted',
      description: '',
    });
    const file = path.join(dir, 'perfgate-results.json');
    writeFileSync(file, JSON.stringify(report));
    const back = readResultsFile(file);
    expect(back.profiles).toEqual(report.profiles);
    expect(back.results[0].accepted).toEqual({ by: 'label', rule: 'perf-regression-accepted' });

    const bad = structuredClone(report);
    bad.profiles![0].views[0].flame[0].parent = 5;
    writeFileSync(file, JSON.stringify(bad));
    expect(() => readResultsFile(file)).toThrow(/refers to a function or parent node it does not hold/);
    const extra = structuredClone(report) as unknown as { profiles: { command?: string }[] };
    extra.profiles[0].command = 'rm -rf /';
    writeFileSync(file, JSON.stringify(extra));
    expect(() => readResultsFile(file)).toThrow(/profiles\.0/);
  });
});

/** The lines of a comment outside its folded sections (each `<details>…</details>` counts as one line). */
function openLines(md: string): string[] {
  return md
    .replace(/<details>[\s\S]*?<\/details>/g, '<details/>')
    .trimEnd()
    .split('\n');
}

describe('a comment a reviewer reads in ten seconds', () => {
  it('keeps a two-regression run with its profile within 30 lines outside folded sections', () => {
    const report = profiledReport();
    report.results.find((r) => r.id === 'cli:cpu')!.outcome = 'regression';
    const md = renderMarkdown(report, { chart: renderMetricChart, detailsUrl: 'https://example.invalid/run/1' });
    const open = openLines(md);
    expect(open.length, open.join('\n')).toBeLessThanOrEqual(30);
    // What stays open: the headline, the rows to act on, the top of the profile, the method, the link.
    const text = open.join('\n');
    expect(text).toMatch(/^### ❌ perfgate: 2 regressions beyond budget/);
    expect(text).toContain('❌ regression |');
    expect(text).toContain('#### Where the time went: `cli`');
    expect(text).toContain('<sub>Geometric mean');
    expect(text).toContain('[Workflow run');
    expect(text).not.toContain('```mermaid');
    expect(md).toContain('<details><summary>Reproduce locally</summary>');
  });
});

describe('terminal: the comment’s twin', () => {
  it('has where the time went, with the top rows and the path of the kept raw profiles', () => {
    const text = renderTerminal(profiledReport(), { resultsDir: '/work/out' });
    const at = text.indexOf('Where the time went: cli');
    expect(at).toBeGreaterThan(0);
    const section = text.slice(at).split('\n\n')[0].split('\n');
    expect(section[1]).toBe('  cli:wall: V8 CPU profiles, 1 run per side; self time per run.');
    expect(section[2]).toMatch(/^ {2}Function +Base +Head +Change +Share$/);
    expect(section[3]).toMatch(/^ {2}parseRecords app\.js:5 +[\d.]+ ms +[\d.]+ ms +\+[\d.]+ ms +\d+ %$/);
    expect(text).toContain('Raw profiles: 2 files in /work/out/perfgate-profiles/cli/');
  });
});
