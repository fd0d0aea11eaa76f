import { describe, expect, it } from 'vitest';
import { budgetFor, parseBudgetLines, parseBudgetRule } from '../../src/core/budgets';

describe('budget rules', () => {
  it.each([
    ['10%', { kind: 'relative', limit: 0.1 }],
    ['0.5%', { kind: 'relative', limit: 0.005 }],
    ['off', { kind: 'off' }],
    ['< 200ms', { kind: 'absolute', op: '<', bound: 0.2, unit: 's' }],
    ['<= 1.5s', { kind: 'absolute', op: '<=', bound: 1.5, unit: 's' }],
    ['< 300MB', { kind: 'absolute', op: '<', bound: 300e6, unit: 'B' }],
    ['> 1000/s', { kind: 'absolute', op: '>', bound: 1000, unit: '1/s' }],
    ['<= 1%', { kind: 'absolute', op: '<=', bound: 0.01, unit: 'fraction' }],
  ])('parses %s', (text, expected) => {
    expect(parseBudgetRule(text)).toMatchObject(expected);
  });

  it.each(['fast', '0%', '< soon', '5', '-3%'])('rejects %s with a message', (text) => {
    expect(typeof parseBudgetRule(text)).toBe('string');
  });

  it('picks the most specific matching pattern', () => {
    const { entries, issues } = parseBudgetLines(
      '**: 20%\napi/*:p99: < 200ms\napi/items:p99: off\n# comment\n\n*:wall: 3%',
    );
    expect(issues).toEqual([]);
    const fallback = { kind: 'relative' as const, limit: 0.05, source: '5%' };
    expect(budgetFor('api/items:p99', 's', entries, fallback).rule.source).toBe('off');
    expect(budgetFor('api/other:p99', 's', entries, fallback).rule.source).toBe('< 200ms');
    expect(budgetFor('cli:wall', 's', entries, fallback).rule.source).toBe('3%');
    expect(budgetFor('micro/BenchmarkX/size=10:time', 's', entries, fallback).rule.source).toBe('20%');
  });

  it('skips an absolute rule whose unit does not fit the metric, with a warning', () => {
    const { entries } = parseBudgetLines('api/*:*: < 200ms\n');
    const fallback = { kind: 'relative' as const, limit: 0.05, source: '5%' };
    const lookup = budgetFor('api/items:rss', 'B', entries, fallback);
    expect(lookup.rule).toBe(fallback);
    expect(lookup.warnings[0]).toContain('measured in B');
  });
});
