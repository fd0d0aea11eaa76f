/** Accepting intended regressions: the description line, the label, and the verdict that follows. */
import { describe, expect, it } from 'vitest';
import { type AcceptanceFacts, applyAcceptance, parseAcceptLines, withoutAcceptance } from '../../src/core/accept';
import type { ComparisonReport, MetricResult, Outcome } from '../../src/core/model';
import { countOutcomes } from '../../src/core/report';

function result(id: string, outcome: Outcome): MetricResult {
  return {
    id,
    suite: id.split(/[/:]/)[0],
    name: id.split(':').pop() ?? id,
    unit: 's',
    direction: 'lower',
    base: [1, 1, 1],
    head: [2, 2, 2],
    baseMedian: 1,
    headMedian: 2,
    change: { estimate: 1, low: 0.9, high: 1.1, confidence: 0.95 },
    pValue: 0.001,
    budget: { kind: 'relative', limit: 0.05, source: '5%' },
    outcome,
    rounds: 3,
    stopReason: '',
    warnings: [],
  };
}

function report(outcomes: Record<string, Outcome>, errors: string[] = []): ComparisonReport {
  return {
    formatVersion: 1,
    verdict: 'fail',
    base: { sha: '1'.repeat(40) },
    head: { sha: '2'.repeat(40) },
    results: Object.entries(outcomes).map(([id, outcome]) => result(id, outcome)),
    geomean: null,
    method: { alpha: 0.05, analysis: 'paired', minRounds: 3, maxRounds: 3, rounds: 3, looks: [3] },
    environment: { cpuModel: 'x', cores: 2, os: 'Linux', node: 'v20', durationS: 1 },
    warnings: [],
    errors,
    reproduce: '',
  };
}

const facts = (f: Partial<AcceptanceFacts>): AcceptanceFacts => ({
  labels: [],
  label: 'perf-regression-accepted',
  description: '',
  authorAssociation: 'MEMBER',
  ...f,
});

describe('parseAcceptLines', () => {
  it('reads ids and globs separated by commas or spaces, in backticks or not', () => {
    expect(parseAcceptLines('Faster parser.\n\nperfgate: accept cli:wall, api/*:p99  `micro/**`\n')).toEqual([
      'cli:wall',
      'api/*:p99',
      'micro/**',
    ]);
    expect(parseAcceptLines('  PERFGATE: Accept cli:rss\r\nperfgate:accept cli:wall')).toEqual(['cli:rss', 'cli:wall']);
  });

  it('ignores lines in HTML comments (PR templates), fenced code, and look-alikes', () => {
    const body = [
      '<!-- To accept a regression, write: perfgate: accept cli:wall -->',
      '```',
      'perfgate: accept api/*:p99',
      '```',
      '~~~~md',
      'perfgate: accept x:y',
      '~~~~',
      'perfgate: accepted cli:cpu',
      '> perfgate: accept quoted:wall',
      'text perfgate: accept inline:wall',
    ].join('\n');
    expect(parseAcceptLines(body)).toEqual([]);
  });
});

describe('applyAcceptance', () => {
  it('accepts every failing metric with the label, keeps outcomes, and passes', () => {
    const r = applyAcceptance(
      report({ 'cli:wall': 'regression', 'cli:rss': 'breach', 'cli:cpu': 'within-budget' }),
      facts({ labels: ['bug', 'perf-regression-accepted'] }),
    );
    expect(r.verdict).toBe('pass');
    expect(r.results.map((m) => [m.id, m.outcome, m.accepted?.by])).toEqual([
      ['cli:wall', 'regression', 'label'],
      ['cli:rss', 'breach', 'label'],
      ['cli:cpu', 'within-budget', undefined],
    ]);
    expect(countOutcomes(r)).toMatchObject({ regressions: 0, accepted: 2 });
  });

  it('accepts only what the description names; anything not named still fails', () => {
    const r = applyAcceptance(
      report({ 'cli:wall': 'regression', 'api/items:p99': 'regression', 'api/items:p50': 'regression' }),
      facts({ description: 'perfgate: accept cli:wall, api/*:p99' }),
    );
    expect(r.verdict).toBe('fail');
    expect(r.results.map((m) => m.accepted ?? null)).toEqual([
      { by: 'description', rule: 'cli:wall' },
      { by: 'description', rule: 'api/*:p99' },
      null,
    ]);
    expect(countOutcomes(r)).toMatchObject({ regressions: 1, accepted: 2 });
  });

  it('never turns an error into a pass', () => {
    const r = applyAcceptance(
      report({ 'cli:wall': 'regression' }, ['The head build failed']),
      facts({ labels: ['perf-regression-accepted'] }),
    );
    expect(r.verdict).toBe('error');
  });

  it('ignores the description of an author without write access, and says so', () => {
    const r = applyAcceptance(
      report({ 'cli:wall': 'regression' }),
      facts({ description: 'perfgate: accept **', authorAssociation: 'CONTRIBUTOR' }),
    );
    expect(r.verdict).toBe('fail');
    expect(r.results[0].accepted).toBeUndefined();
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: 'acceptance', text: expect.stringContaining('author association CONTRIBUTOR') }),
    ]);
  });

  it('names a pattern that matches no failing metric (a typo)', () => {
    const r = applyAcceptance(report({ 'cli:wall': 'regression' }), facts({ description: 'perfgate: accept cli:wal' }));
    expect(r.verdict).toBe('fail');
    expect(r.warnings[0].text).toContain('"cli:wal"');
    expect(r.warnings[0].text).toContain('cli:wall');
  });

  it('is decided anew each time: a removed label or line no longer accepts, and notes do not pile up', () => {
    const once = applyAcceptance(report({ 'cli:wall': 'regression' }), facts({ description: 'perfgate: accept nope' }));
    const twice = applyAcceptance(once, facts({ description: 'perfgate: accept nope' }));
    expect(twice.warnings).toHaveLength(1);
    const accepted = applyAcceptance(
      report({ 'cli:wall': 'regression' }),
      facts({ labels: ['perf-regression-accepted'] }),
    );
    expect(applyAcceptance(accepted, facts({})).verdict).toBe('fail');
    expect(withoutAcceptance(accepted).results[0].accepted).toBeUndefined();
    expect(withoutAcceptance(accepted).verdict).toBe('fail');
  });
});
