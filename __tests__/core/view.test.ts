import { describe, expect, it } from 'vitest';
import { describeMetric } from '../../src/core/metric';
import { FAILING_OUTCOMES, OUTCOMES } from '../../src/core/model';
import { middleEllipsis, neutralize } from '../../src/core/render/text';
import { budgetText, changeText, headline, OUTCOME_VIEW, sortResults, valueText } from '../../src/core/render/view';
import { formatValue } from '../../src/core/units';
import { makeReport, TYPICAL } from '../helpers/reports';

describe('the report model', () => {
  it('has words for every outcome, and colours exactly the failing ones as bad', () => {
    expect(Object.keys(OUTCOME_VIEW).sort()).toEqual([...OUTCOMES].sort());
    for (const o of OUTCOMES) expect(OUTCOME_VIEW[o].tone === 'bad', o).toBe(FAILING_OUTCOMES.has(o));
    const labels = OUTCOMES.map((o) => OUTCOME_VIEW[o].label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('lists what to act on first, then ids in natural order', () => {
    const report = makeReport([
      ...TYPICAL,
      { id: 'run-10:wall', unit: 's', direction: 'lower', median: 1, ratio: 1.3, cv: 0.01 },
      { id: 'run-2:wall', unit: 's', direction: 'lower', median: 1, ratio: 1.3, cv: 0.01 },
    ]);
    const sorted = sortResults(report.results);
    expect(sorted.slice(0, 3).map((r) => r.id)).toEqual(['cli:wall', 'run-2:wall', 'run-10:wall']);
    const order = Object.keys(OUTCOME_VIEW);
    const ranks = sorted.map((r) => order.indexOf(r.outcome));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('names a gated metric measured on base and missing on head in the headline (a lost gate), not an ungated one', () => {
    const report = makeReport(TYPICAL.map((s) => ({ ...s, ratio: 1 })));
    const [wall, cpu] = report.results;
    report.results[0] = { ...wall, head: [], outcome: 'removed', change: null };
    report.results[1] = { ...cpu, head: [], outcome: 'removed', change: null, budget: { kind: 'off', source: 'off' } };
    const line = headline(report)
      .map((s) => s.text)
      .join('');
    expect(line).toBe('no regression beyond budget (5 metrics) · 1 gated metric removed: cli:wall');
  });

  it('states the budget on the worse side and the change with its interval', () => {
    expect(budgetText({ kind: 'relative', limit: 0.05, source: '5%' }, 'lower')).toBe('≤ +5.0%');
    expect(budgetText({ kind: 'relative', limit: 0.05, source: '5%' }, 'higher')).toBe('≥ −5.0%');
    const [wall] = makeReport(TYPICAL).results;
    expect(changeText(wall)).toMatch(/^\+\d+\.\d% \(\+\d+\.\d% … \+\d+\.\d%\)$/);
    expect(changeText({ ...wall, change: { estimate: Number.NaN, low: 0, high: Infinity, confidence: 0.95 } })).toBe(
      '— (0.0% … —)',
    );
  });

  it('says a zero duration is below resolution, and leaves other zeros alone', () => {
    expect(valueText(0, 's')).toBe('0 (below resolution)');
    expect(valueText(0, 'count')).toBe('0');
    expect(valueText(0, 'fraction')).toBe('0 %');
    expect(valueText(null, 's')).toBe('—');
    expect(valueText(Number.NaN, 's')).toBe('—');
  });
});

describe('untrusted text', () => {
  it('shortens in the middle, by code points', () => {
    expect(middleEllipsis('suite/a-very-long-benchmark-name:time', 20)).toBe('suite/a-ve…name:time');
    expect(middleEllipsis('short', 20)).toBe('short');
    expect(Array.from(middleEllipsis('😀'.repeat(50), 9))).toHaveLength(9);
  });

  it('makes bidi and control characters visible', () => {
    expect(neutralize('a\u202eb\u2066c\u200fd')).toBe('a\ufffdb\ufffdc\ufffdd');
    expect(neutralize('x\u001b[1my\u007f\u009b')).toBe('x␛[1my␡\ufffd');
    expect(neutralize('a\r\nb\rc\td')).toBe('a\nb\nc d');
    expect(neutralize('\ud800x')).toBe('\ufffdx');
  });
});

describe('describeMetric', () => {
  it('splits the id below the known suite', () => {
    const v = { unit: 's', direction: 'lower' as const, value: 1 };
    expect(describeMetric('cli', { ...v, id: 'cli:wall' })).toEqual({
      id: 'cli:wall',
      suite: 'cli',
      name: 'wall',
      unit: 's',
      direction: 'lower',
    });
    expect(describeMetric('api', { ...v, id: 'api/items/list:p99', percentile: 99 })).toMatchObject({
      suite: 'api',
      case: 'items/list',
      name: 'p99',
      percentile: 99,
    });
    // A case may contain ':' (the metric name is after the last one), a suite may contain '/'.
    expect(describeMetric('go/x', { ...v, id: 'go/x/Bench:a=1:time' })).toMatchObject({
      suite: 'go/x',
      case: 'Bench:a=1',
      name: 'time',
    });
  });
});

describe('units', () => {
  it('formats each canonical unit from one table', () => {
    expect(formatValue(0.0042, 's')).toBe('4.2 ms');
    expect(formatValue(150, 's')).toBe('2.5 min');
    expect(formatValue(84.2e6, 'B')).toBe('84.2 MB');
    expect(formatValue(2e6, 'B/s')).toBe('2 MB/s');
    expect(formatValue(11800, '1/s')).toBe('11.8k/s');
    expect(formatValue(123, '1/s')).toBe('123/s');
    expect(formatValue(0.125, 'fraction')).toBe('12.5 %');
    expect(formatValue(7, 'count')).toBe('7');
    expect(formatValue(5, 'rows/s')).toBe('5 rows/s');
  });
});
