import { describe, expect, it } from 'vitest';
import { issueClosing, issueOpening, issueTitle } from '../../src/core/render/issue';
import { makeReport } from '../helpers/reports';

const spec = { unit: 's', direction: 'lower', median: 0.01, cv: 0.01 } as const;

function creepReport() {
  const report = makeReport(
    [
      { id: 'api/items:p99', ...spec, ratio: 1.3 },
      { id: 'cli:wall', ...spec, ratio: 1.2 },
      { id: 'cli:rss', ...spec, ratio: 1 },
    ],
    '',
    20,
  );
  return {
    ...report,
    pullRequest: undefined,
    base: { sha: report.base.sha, ref: 'v1.4.0' },
    head: { sha: report.head.sha, ref: 'main' },
    pairing: { event: 'schedule', reason: 'schedule run on main: …', commits: 37 },
  };
}

describe('the tracking issue text', () => {
  it('names the failing metrics and their change since the reference in the title', () => {
    const report = creepReport();
    expect(report.verdict).toBe('fail');
    expect(issueTitle(report)).toMatch(
      /^perfgate: 2 regressions since v1\.4\.0 \(api\/items:p99 \+3\d\.\d%, cli:wall \+\d+\.\d%\)$/,
    );
    const one = { ...report, results: report.results.filter((r) => r.id === 'cli:wall') };
    expect(issueTitle(one)).toMatch(/^perfgate: cli:wall \+\d+\.\d% since v1\.4\.0$/);
  });

  it('opens with the range of commits, a compare link and a row per failing metric', () => {
    const text = issueOpening(creepReport(), {
      compareUrl: 'https://github.com/octo/app/compare/a...b',
      runUrl: 'https://r',
    });
    expect(text).toContain('### ❌ perfgate: performance has regressed since v1.4.0');
    expect(text).toContain(
      '37 commits from the reference `111111111111` (v1.4.0) to `222222222222` (main) ([compare](https://github.com/octo/app/compare/a...b)).',
    );
    expect(text).toMatch(/\| `cli:wall` \| \+\d+\.\d% \| \+\d+\.\d% … \+\d+\.\d% \| `5%` \|/);
    expect(text).not.toContain('cli:rss');
    expect(text).toContain('([latest run](https://r))');
  });

  it('escapes hostile ref names and omits the count when the history could not tell', () => {
    const report = creepReport();
    const hostile = {
      ...report,
      base: { ...report.base, ref: '<!-- perfgate-issue:x/y --> @team' },
      pairing: undefined,
    };
    const text = issueOpening(hostile, {});
    expect(text).not.toContain('<!--');
    expect(text).not.toContain('@team');
    expect(text).toContain('Commits from the reference');
    expect(issueClosing(hostile, {})).not.toContain('<!--');
  });

  it('closes with the commits that pass', () => {
    expect(issueClosing(creepReport(), { runUrl: 'https://r' })).toBe(
      '### ✅ perfgate passes again\n\nNo regression beyond budget from `111111111111` (v1.4.0) to `222222222222` (main) ([run](https://r)). Closing this issue.',
    );
  });
});
