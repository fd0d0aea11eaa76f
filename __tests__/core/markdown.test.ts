import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { renderMetricChart } from '../../src/core/render/charts';
import { renderHtmlReport } from '../../src/core/render/html';
import { COMMENT_LIMIT, renderMarkdown, SUMMARY_LIMIT, utf8Length } from '../../src/core/render/markdown';
import { renderTerminal } from '../../src/core/render/terminal';
import { expectGolden } from '../helpers/golden';
import { outsideCode } from '../helpers/markdown';
import { makeReport, TYPICAL } from '../helpers/reports';

describe('renderMarkdown', () => {
  it('renders a regression report (golden)', () => {
    const report = makeReport(TYPICAL, 'api/*:p99: < 10ms');
    expect(report.verdict).toBe('fail');
    expectGolden('markdown/regression.md', renderMarkdown(report));
  });

  it('renders a passing report with unchanged metrics folded away (golden)', () => {
    const report = makeReport(TYPICAL.map((s) => ({ ...s, ratio: 1 })));
    expect(report.verdict).toBe('pass');
    const md = renderMarkdown(report);
    expect(md).toContain('### ✅ perfgate: no regression beyond budget');
    expect(md).toContain('<details><summary>');
    expectGolden('markdown/pass.md', md);
  });

  it('renders an error report that says it is not a regression (golden)', () => {
    const report: ComparisonReport = {
      ...makeReport([]),
      verdict: 'error',
      errors: ['The head build failed (exit code 2): npm run build\nsrc/x.ts(1,1): error TS1005'],
    };
    const md = renderMarkdown(report);
    expect(md).toContain('no verdict');
    expect(md).toContain('infrastructure, not regressions');
    expectGolden('markdown/error.md', md);
  });

  it('escapes hostile names: no table break, no HTML, no mentions, no marker spoofing', () => {
    const hostile = '<img src=x onerror=alert(1)>|@octocat #1 <!-- perfgate:ci/bench -->';
    const report = makeReport([
      { id: `${hostile}:wall`, unit: 's', direction: 'lower', median: 1, ratio: 1.3, cv: 0.01 },
    ]);
    report.warnings.push({ code: 'replicate', text: `warning from ${hostile}` });
    report.base.ref = hostile;
    const md = renderMarkdown(report);
    const outsideCode = md.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).not.toContain('<img');
    expect(outsideCode).not.toMatch(/(^|[^\u200d])@octocat/);
    expect(md).not.toContain('<!-- perfgate');
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
      expect(line.split(/(?<!\\)\|/).length).toBe(9); // 7 cells + the two outer pipes
    }
  });

  it('never writes an empty code span (it would pair with the next span and expose its text)', () => {
    const report = makeReport([
      { id: '', unit: 's', direction: 'lower', median: 1, ratio: 1.3, cv: 0.01 },
      { id: '<img src=x onerror=alert(1)>:wall', unit: 's', direction: 'lower', median: 1, ratio: 1.3, cv: 0.01 },
    ]);
    report.head.sha = '';
    const md = renderMarkdown(report);
    expect(md).toContain('— ` `, `<img src=x onerror=alert(1)>:wall`');
    expect(outsideCode(md)).not.toContain('<img');
  });

  it('fits the comment limit by dropping folded rows and notes before regressions', () => {
    const specs = Array.from({ length: 600 }, (_, i) => ({
      id: `suite-${i}/a-fairly-long-benchmark-name-number-${i}:time`,
      unit: 's',
      direction: 'lower' as const,
      median: 0.001,
      ratio: i === 0 ? 1.5 : 1,
      cv: 0.02,
    }));
    const report = makeReport(specs, '', 20);
    const md = renderMarkdown(report, { limit: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain('suite-0/a-fairly-long-benchmark-name-number-0:time');
    expect(md).toContain('regression');
  });

  it('never shows a p-value: the change column carries the deciding interval, the budget its worse side', () => {
    const md = renderMarkdown(makeReport(TYPICAL));
    expect(md).not.toMatch(/\bp\b|p-value|<0\.0/);
    expect(md).toContain('| Change (interval) | Budget | Verdict |');
    expect(md).toMatch(
      /\| `cli:wall` \| [^|]+ \| [^|]+ \| \*\*\+\d+\.\d% \(\+\d+\.\d% … \+\d+\.\d%\)\*\* \| ≤ \+5\.0% \| ❌ regression \|/,
    );
    expect(md).toContain('| ≥ −5.0% |');
  });
});

describe('complete reports', () => {
  // 500 regressions and 20 passing metrics, one regression with a 10,000-character name.
  const LONG = `suite-7/${'x'.repeat(10_000)}:time`;
  const report = makeReport(
    Array.from({ length: 520 }, (_, i) => ({
      id: i === 7 ? LONG : `suite-${i}/a-fairly-long-benchmark-name-number-${i}:time`,
      unit: 's',
      direction: 'lower' as const,
      median: 0.001,
      ratio: i < 500 ? 1.5 : 1,
      cv: 0.02,
    })),
    '',
    30,
  );
  const failing = report.results.filter((r) => r.outcome === 'regression');
  const rows = (md: string) => md.split('\n').filter((l) => l.startsWith('| `suite-'));

  it('keeps every regression row within the comment limit, with names shortened in the middle', () => {
    expect(failing).toHaveLength(500);
    const md = renderMarkdown(report, { chart: renderMetricChart });
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    const regressionRows = rows(md).filter((l) => l.includes('❌ regression'));
    expect(regressionRows).toHaveLength(500);
    expect(md).not.toContain('x'.repeat(100));
    expect(regressionRows.find((l) => l.startsWith('| `suite-7/'))).toMatch(/^\| `suite-7\/x+…x+:time` \|/);
    // Rows are not padded to the longest cell.
    expect(Math.max(...md.split('\n').map((l) => l.length))).toBeLessThan(400);
    expect(md).toContain('left out to fit; see the job summary and the results JSON');
  });

  it('puts the whole report in the job summary, rendered with its own 1 MiB limit', () => {
    const summary = renderMarkdown(report, { chart: renderMetricChart, limit: SUMMARY_LIMIT, size: utf8Length });
    expect(utf8Length(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(rows(summary)).toHaveLength(520);
    expect(summary).not.toContain('left out');
    expect(summary).toContain('<summary>Notes</summary>');
    expect(summary.match(/```mermaid/g)?.length).toBeGreaterThan(400);
  });

  it('drops what fits least first and says where the rest is', () => {
    const md = renderMarkdown(report, { limit: 20_000, complete: 'the HTML report' });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain('_… cut to fit the size limit; see the HTML report._');
  });

  it('keeps the full id in the HTML report', () => {
    const one = { ...report, results: [report.results.find((r) => r.id === LONG)!] };
    expect(renderHtmlReport(one)).toContain(`<code>${LONG}</code>`);
  });
});

describe('text that could mislead', () => {
  const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  it('lets no bidi control into the comment, the HTML report or the terminal', () => {
    // "evil\u202Egnp.exe" displays as "evilexe.png".
    const report = makeReport([
      { id: 'api/evil\u202egnp.exe:p99', unit: 's', direction: 'lower', median: 0.01, ratio: 1.4, cv: 0.01 },
      { id: 'cli:wall\u2066x\u2069', unit: 's', direction: 'lower', median: 0.01, ratio: 1, cv: 0.01 },
    ]);
    report.base.ref = 'main\u202e';
    report.warnings.push({ code: 'replicate', text: 'note \u200f\u061c' });
    report.errors.push('failed\n\u202etail');
    report.reproduce = 'npx perfgate run \u2067';
    for (const text of [
      renderMarkdown(report, { chart: renderMetricChart }),
      renderHtmlReport(report),
      renderTerminal(report),
    ]) {
      expect(text).not.toMatch(BIDI);
      expect(text).toContain('evil\ufffdgnp.exe');
    }
  });

  it('does not show all-zero durations as "0 s"', () => {
    // A latency every sample of which read 0 (a tool with 1 ms resolution on a fast server), through the real gate.
    const report = makeReport([
      ...TYPICAL,
      { id: 'http/root:p50', unit: 's', direction: 'lower', median: 0, ratio: 1, cv: 0.01 },
    ]);
    expect(report.results.find((r) => r.id === 'http/root:p50')!.head.every((v) => v === 0)).toBe(true);
    const row = (text: string) => text.split('\n').find((l) => l.includes('http/root:p50'))!;
    for (const line of [row(renderMarkdown(report)), row(renderTerminal(report))]) {
      expect(line).not.toMatch(/\b0 s\b/);
      expect(line).toContain('0 (below resolution)');
      expect(line).toContain('all values 0');
    }
    expect(renderHtmlReport(report)).not.toMatch(/>0 s</);
  });
});
