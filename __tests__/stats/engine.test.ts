/** Behaviour of the decision procedure on constructed data (no randomness beyond a fixed seed). */
import { describe, expect, it } from 'vitest';
import { type GateOptions, geomeanChange, planLooks, SequentialGate } from '../../src/core/engine';
import type { BudgetRule, MetricSamples } from '../../src/core/model';
import { mulberry32 } from './prng';

const OPTIONS: GateOptions = { alpha: 0.05, correction: 'holm', strict: false, minRounds: 10, maxRounds: 50 };
const REL5: BudgetRule = { kind: 'relative', limit: 0.05, source: 'budget: 5%' };

function lognormal(seed: number, n: number, center: number, cv = 0.03): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => center * Math.exp(cv * rng.normal()));
}

function metric(id: string, base: number[], head: number[], direction: 'lower' | 'higher' = 'lower'): MetricSamples {
  return { id, suite: id.split(/[/:]/)[0], name: id.slice(id.lastIndexOf(':') + 1), unit: 's', direction, base, head };
}

describe('planLooks', () => {
  it('plans equally spaced looks from min to max, at most 5', () => {
    expect(planLooks(10, 50)).toEqual([10, 20, 30, 40, 50]);
    expect(planLooks(10, 30)).toEqual([10, 20, 30]);
    expect(planLooks(10, 15)).toEqual([10, 15]);
    expect(planLooks(10, 10)).toEqual([10]);
    expect(planLooks(10, 100)).toEqual([10, 33, 55, 78, 100]);
    expect(planLooks(1, 3)).toEqual([1, 2, 3]);
  });
  it('rejects bad settings naming the option', () => {
    expect(() => planLooks(0, 10)).toThrow(/min-rounds/);
    expect(() => planLooks(10, 5)).toThrow(/max-rounds/);
    expect(() => planLooks(2.5, 10)).toThrow(/min-rounds/);
  });
});

describe('SequentialGate', () => {
  it('flags a clear regression, passes an unchanged metric early, and keeps decisions', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const base = lognormal(1, 50, 0.1);
    const head = lognormal(2, 50, 0.115);
    const same = lognormal(3, 50, 0.1);
    const same2 = lognormal(4, 50, 0.1);
    const first = gate.look(
      [
        metric('cli:slow', base.slice(0, 10), head.slice(0, 10)),
        metric('cli:same', same.slice(0, 10), same2.slice(0, 10)),
      ],
      10,
      false,
    );
    const sameFirst = first.results.find((r) => r.id === 'cli:same')!;
    expect(sameFirst.outcome).toBe('within-budget');
    expect(sameFirst.stopReason).toBe('within budget at look 1 (10 rounds)');
    expect(first.undecided).toEqual(['cli:slow']);
    expect(first.done).toBe(false);
    // Regressions need the O'Brien–Fleming level: not at look 1 with two metrics.
    expect(first.results[0].outcome).toBe('unchanged');
    const second = gate.look(
      [
        metric('cli:slow', base.slice(0, 20), head.slice(0, 20)),
        metric('cli:same', same.slice(0, 20), same2.slice(0, 20)),
      ],
      20,
      false,
    );
    const slow = second.results.find((r) => r.id === 'cli:slow')!;
    expect(slow.outcome).toBe('regression');
    expect(slow.stopReason).toBe('significant at look 2 (20 rounds)');
    expect(slow.rounds).toBe(20);
    expect(slow.change!.estimate).toBeGreaterThan(0.1);
    expect(slow.change!.low).toBeGreaterThan(0.05);
    expect(slow.change!.confidence).toBe(0.95);
    expect(slow.pValue!).toBeLessThanOrEqual(slow.alphaUsed!);
    // The repeated confidence interval at the test's level agrees with the test.
    expect(slow.testInterval!.confidence).toBeCloseTo(1 - 2 * slow.alphaUsed!, 12);
    expect(slow.testInterval!.low).toBeGreaterThan(0);
    expect(slow.testInterval!.low).toBeLessThan(slow.change!.low);
    expect(slow.suite).toBe('cli');
    // The decision at look 1 sticks (same object data, rounds 10).
    const sameSecond = second.results.find((r) => r.id === 'cli:same')!;
    expect(sameSecond).toEqual(sameFirst);
    expect(second.done).toBe(true);
    expect(second.undecided).toEqual([]);
  });

  it('higher-is-better: a drop in throughput is a regression, a rise an improvement', () => {
    const gate = new SequentialGate({ ...OPTIONS, minRounds: 20 }, () => REL5);
    const res = gate.look(
      [
        metric('api:rps', lognormal(5, 20, 1000), lognormal(6, 20, 850), 'higher'),
        metric('api:rps2', lognormal(7, 20, 1000), lognormal(8, 20, 1150), 'higher'),
      ],
      20,
      false,
    );
    expect(res.results[0].outcome).toBe('regression');
    expect(res.results[0].change!.estimate).toBeLessThan(-0.1);
    expect(res.results[1].outcome).toBe('improvement');
  });

  it('strict mode fails only when the whole interval is beyond the budget; at the end it is inconclusive', () => {
    const base = lognormal(22, 50, 0.1);
    const head = lognormal(23, 50, 0.106); // +6 %: beyond 5 %, but the interval reaches below it
    const loose = new SequentialGate(OPTIONS, () => REL5).look([metric('x:t', base, head)], 50, true);
    const strict = new SequentialGate({ ...OPTIONS, strict: true }, () => REL5).look(
      [metric('x:t', base, head)],
      50,
      true,
    );
    expect(loose.results[0].outcome).toBe('regression');
    const r = strict.results[0];
    expect(r.change!.estimate).toBeGreaterThan(0.05);
    expect(r.change!.low).toBeLessThan(0.05);
    expect(r.outcome).toBe('inconclusive');
    expect(r.stopReason).toBe('max rounds reached');
  });

  it('final look: no significant change and not beyond the budget is unchanged', () => {
    const gate = new SequentialGate({ ...OPTIONS, minRounds: 6, maxRounds: 6 }, () => REL5);
    const res = gate.look(
      [metric('a:y', [1, 1.02, 0.99, 1.01, 1.03, 0.98], [1.0, 1.05, 0.97, 1.06, 1.04, 1.02])],
      6,
      true,
    );
    expect(res.results[0].change!.high).toBeGreaterThan(0.05);
    expect(res.results[0].outcome).toBe('unchanged');
    expect(res.done).toBe(true);
  });

  it('a final look before max-rounds spends the remaining alpha and says why it stopped', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const base = lognormal(11, 27, 0.1, 0.2);
    const head = lognormal(12, 27, 0.1, 0.2);
    gate.look([metric('a:x', base.slice(0, 10), head.slice(0, 10))], 10, false);
    gate.look([metric('a:x', base.slice(0, 20), head.slice(0, 20))], 20, false);
    const last = gate.look([metric('a:x', base, head)], 27, true);
    const r = last.results[0];
    expect(r.rounds).toBe(27);
    if (r.stopReason.startsWith('time limit')) expect(r.stopReason).toBe('time limit reached (27 rounds)');
    expect(() => gate.look([metric('a:x', base, head)], 30, true)).toThrow(/final look/);
  });

  it('too noisy: says which budget would be detectable and how many rounds 5 % would need', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const res = gate.look([metric('a:noisy', lognormal(13, 10, 0.1, 0.3), lognormal(14, 10, 0.1, 0.3))], 10, false);
    const r = res.results[0];
    expect(r.outcome).toBe('too-noisy');
    const w = r.warnings.find((x) => x.code === 'too-noisy')!.text;
    expect(w).toMatch(/detectable within max-rounds 50/);
    expect(w).toMatch(/would need about \d+ rounds/);
  });

  it('absolute rule: breach when the head median is clearly beyond the bound', () => {
    const abs: BudgetRule = { kind: 'absolute', op: '<', bound: 0.2, unit: 's', source: 'p99 < 200ms' };
    const gate = new SequentialGate(OPTIONS, () => abs);
    const over = gate.look([metric('api:p99', lognormal(15, 20, 0.1), lognormal(16, 20, 0.3))], 20, false);
    expect(over.results[0].outcome).toBe('breach');
    const gate2 = new SequentialGate(OPTIONS, () => abs);
    const under = gate2.look([metric('api:p99', lognormal(15, 20, 0.1), lognormal(16, 20, 0.1))], 20, false);
    expect(under.results[0].outcome).toBe('within-budget');
    const gate3 = new SequentialGate({ ...OPTIONS, maxRounds: 10 }, () => abs);
    const edge = gate3.look([metric('api:p99', lognormal(15, 10, 0.1), lognormal(16, 10, 0.201, 0.05))], 10, true);
    expect(['breach', 'unchanged']).toContain(edge.results[0].outcome);
    expect(edge.results[0].outcome === 'breach').toBe(edge.results[0].headMedian! >= 0.2);
  });

  it('budget off: ungated, change still computed, never undecided', () => {
    const gate = new SequentialGate(OPTIONS, () => ({ kind: 'off', source: 'off' }));
    const res = gate.look([metric('a:x', lognormal(17, 10, 0.1), lognormal(18, 10, 0.2))], 10, false);
    expect(res.results[0].outcome).toBe('ungated');
    expect(res.results[0].change!.estimate).toBeGreaterThan(0.5);
    expect(res.undecided).toEqual([]);
    expect(res.done).toBe(true);
  });

  it('added and removed metrics', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const res = gate.look([metric('a:new', [], [1, 2, 3]), metric('a:gone', [1, 2, 3], [])], 10, false);
    expect(res.results.map((r) => r.outcome)).toEqual(['added', 'removed']);
    expect(res.results[0].headMedian).toBe(2);
    expect(res.done).toBe(true);
  });

  it('values ≤ 0 fall back to the linear scale with a warning; all zero is unchanged', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const base = Array.from({ length: 10 }, (_, i) => [0, 100, 101, 99, 100, 102, 98, 100, 101, 99][i]);
    const head = base.map((v) => v + 20);
    const res = gate.look(
      [metric('a:count', base, head), metric('a:zero', new Array(10).fill(0), new Array(10).fill(0))],
      10,
      false,
    );
    const lin = res.results[0];
    expect(lin.warnings.some((w) => w.code === 'linear-scale' && w.text.includes('linear scale'))).toBe(true);
    expect(lin.change!.estimate).toBeCloseTo(0.2, 5);
    expect(res.results[1].outcome).toBe('unchanged');
    expect(res.results[1].stopReason).toBe('all values are zero');
    expect(res.undecided).toEqual(['a:count']);
  });

  it('warnings as data: too few samples, ties, outliers, drift', () => {
    const gate = new SequentialGate({ ...OPTIONS, minRounds: 2 }, () => REL5);
    const few = gate.look([metric('a:few', [1, 1.1], [1, 1.2])], 2, false);
    expect(few.results[0].warnings.some((w) => w.text.startsWith('Too few samples for a 95.0 % interval'))).toBe(true);

    const gate2 = new SequentialGate({ ...OPTIONS, minRounds: 30 }, () => REL5);
    const tied = Array.from({ length: 30 }, (_, i) => 1 + (i % 3) * 0.001);
    const drifting = Array.from({ length: 30 }, (_, i) => 0.1 * (1 + 0.004 * i) * Math.exp(0.002 * Math.sin(i * 7)));
    const withOutliers = lognormal(19, 30, 0.1, 0.01).map((v, i) => (i % 10 === 0 ? v * 1.5 : v));
    const res = gate2.look(
      [
        metric('a:ties', tied, [...tied].reverse()),
        metric('a:drift', drifting, lognormal(20, 30, 0.106, 0.01)),
        metric('a:outl', withOutliers, lognormal(21, 30, 0.1, 0.01)),
      ],
      30,
      false,
    );
    expect(res.results[0].warnings.some((w) => w.code === 'resolution' && /values are tied/.test(w.text))).toBe(true);
    expect(res.results[1].warnings.some((w) => w.code === 'drift' && /base samples drift/.test(w.text))).toBe(true);
    expect(
      res.results[2].warnings.some(
        (w) => w.code === 'outliers' && /^3 of 30 base samples lie more than 3 robust SD/.test(w.text),
      ),
    ).toBe(true);
  });

  it('warns when the first look cannot reach the Holm level for the number of gated metrics', () => {
    // By default (looks at 10, 20, …) the first look is mostly a futility look and the second can
    // reject even for many metrics: no warning.
    const ms = [0, 1, 2, 3].map((i) => metric(`a:m${i}`, lognormal(30 + i, 10, 0.1), lognormal(40 + i, 10, 0.1)));
    expect(new SequentialGate(OPTIONS, () => REL5).look(ms, 10, false).warnings).toEqual([]);
    // A single look at 5 rounds can never reach α/15 (the smallest p at 5+5 is 1/252).
    const tight = { ...OPTIONS, minRounds: 5, maxRounds: 5 };
    const few = Array.from({ length: 15 }, (_, i) =>
      metric(`a:m${i}`, lognormal(50 + i, 5, 0.1), lognormal(80 + i, 5, 0.1)),
    );
    const res = new SequentialGate(tight, () => REL5).look(few, 5, true);
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings[0].code).toBe('first-look');
    expect(res.warnings[0].text).toMatch(
      /With 15 gated metrics, the first look \(5 rounds\) cannot declare a regression/,
    );
    expect(res.warnings[0].text).toMatch(/raise max-rounds to at least \d+/);
    const single = new SequentialGate(tight, () => REL5).look([few[0]], 5, true);
    expect(single.warnings).toEqual([]);
  });

  it('a final look at the same round count redoes the previous look as final', () => {
    for (const [seed, outcome] of [
      [56, 'unchanged'],
      [76, 'regression'],
    ] as const) {
      const gate = new SequentialGate(OPTIONS, () => REL5);
      const base = lognormal(seed, 20, 0.1, 0.06);
      const head = lognormal(seed + 1, 20, 0.104, 0.06);
      const first = gate.look([metric('a:x', base, head)], 20, false);
      expect(first.done).toBe(false);
      expect(first.results[0].pValue!).toBeGreaterThan(first.results[0].alphaUsed!);
      const last = gate.look([metric('a:x', base, head)], 20, true);
      expect(last.done).toBe(true);
      // All alpha is spent at this (first and final) look: the level is α itself.
      expect(last.results[0].alphaUsed!).toBeCloseTo(0.05, 12);
      expect(last.results[0].outcome).toBe(outcome);
    }
  });

  it('rejects rounds that do not increase', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    gate.look([metric('a:x', [1, 2], [1, 2])], 10, false);
    expect(() => gate.look([metric('a:x', [1, 2], [1, 2])], 10, false)).toThrow(/above the previous look \(10\)/);
  });

  it('geomean over gated ratio metrics', () => {
    const g = geomeanChange([
      { budget: REL5, change: { estimate: 0.1, low: 0.05, high: 0.15, confidence: 0.95 }, warnings: [] },
      { budget: REL5, change: { estimate: -0.1 / 1.1, low: -0.15, high: -0.05, confidence: 0.95 }, warnings: [] },
      // biome-ignore lint/suspicious/noExplicitAny: partial results are enough here
    ] as any);
    expect(g!.estimate).toBeCloseTo(0, 12);
    expect(g!.low).toBeLessThan(0);
    expect(g!.high).toBeGreaterThan(0);
    expect(g!.confidence).toBe(0.95);
  });
});
