import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { renderMarkdown } from '../../src/core/render/markdown';
import { expectGolden } from '../helpers/golden';
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

  it('fits the comment limit by dropping folded rows and notes before regressions', () => {
    const specs = Array.from({ length: 600 }, (_, i) => ({
      id: `suite-${i}/a-fairly-long-benchmark-name-number-${i}:time`,
      unit: 's',
      direction: 'lower' as const,
      median: 0.001,
      ratio: i === 0 ? 1.5 : 1,
      cv: 0.02,
    }));
    const report = makeReport(specs, '', 12);
    const md = renderMarkdown(report, { limit: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain('suite-0/a-fairly-long-benchmark-name-number-0:time');
    expect(md).toContain('regression');
  });
});
