/** Behaviour of the decision procedure on constructed data (no randomness beyond fixed seeds). */
import { describe, expect, it } from 'vitest';
import { type GateOptions, geomeanChange, SequentialGate } from '../../src/core/gate/gate';
import { planLooks } from '../../src/core/gate/looks';
import { decimalQuantum, resolutionOf } from '../../src/core/gate/resolution';
import { lagOneOf, serialCorrelation } from '../../src/core/gate/shift';
import type { BudgetRule, MetricResult, MetricSamples } from '../../src/core/model';
import { groupSequentialBoundaries } from '../../src/core/stats/group-sequential';
import { mulberry32 } from './prng';

const OPTIONS: GateOptions = { alpha: 0.05, minRounds: 10, maxRounds: 50 };
const REL5: BudgetRule = { kind: 'relative', limit: 0.05, source: '5%' };

function lognormal(seed: number, n: number, center: number, cv = 0.03): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => center * Math.exp(cv * rng.normal()));
}

function metric(id: string, base: number[], head: number[], direction: 'lower' | 'higher' = 'lower'): MetricSamples {
  return { id, suite: id.split(/[/:]/)[0], name: id.slice(id.lastIndexOf(':') + 1), unit: 's', direction, base, head };
}

/** The verdict must follow from the interval and the budget by eye. */
function expectReadableByEye(r: MetricResult): void {
  if (r.budget.kind !== 'relative' || !r.change) return;
  const { low, high } = r.change;
  // Worse is larger for lower-is-better metrics, smaller for higher-is-better ones.
  const beyond = r.direction === 'lower' ? low > r.budget.limit : high < -r.budget.limit;
  const inside = r.direction === 'lower' ? high < r.budget.limit : low > -r.budget.limit;
  if (r.outcome === 'regression') expect(beyond).toBe(true);
  if (r.outcome === 'within-budget' || r.outcome === 'improvement') expect(inside).toBe(true);
  if (r.outcome === 'inconclusive') expect(beyond || inside).toBe(false);
}

describe('planLooks', () => {
  it('looks at min-rounds, then every half of it, up to max-rounds', () => {
    expect(planLooks(10, 50)).toEqual([10, 15, 20, 25, 30, 35, 40, 45, 50]);
    expect(planLooks(6, 12)).toEqual([6, 9, 12]);
    expect(planLooks(10, 10)).toEqual([10]);
    expect(planLooks(10, 22)).toEqual([10, 15, 22]);
    expect(planLooks(4, 5)).toEqual([4, 5]);
  });
  it('rejects bad settings naming the option', () => {
    expect(() => planLooks(0, 10)).toThrow(/min-rounds/);
    expect(() => planLooks(10, 5)).toThrow(/max-rounds/);
  });
});

describe('SequentialGate: the budget is the null hypothesis', () => {
  it('fails a clear regression, passes an unchanged metric early, and keeps decisions', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const base = lognormal(1, 50, 0.1, 0.02);
    const slow = lognormal(2, 50, 0.125, 0.02);
    const same = lognormal(3, 50, 0.1, 0.02);
    const same2 = lognormal(4, 50, 0.1, 0.02);
    const at = (n: number) => [
      metric('cli:slow', base.slice(0, n), slow.slice(0, n)),
      metric('cli:same', same.slice(0, n), same2.slice(0, n)),
    ];
    const first = gate.look(at(10), 10, false);
    const sameFirst = first.results.find((r) => r.id === 'cli:same')!;
    expect(sameFirst.outcome).toBe('within-budget');
    expect(sameFirst.stopReason).toBe('within budget at look 1 (10 rounds)');
    const later = gate.look(at(15), 15, false);
    const slowLater = later.results.find((r) => r.id === 'cli:slow')!;
    expect(slowLater.outcome).toBe('regression');
    expect(later.failed).toEqual(['cli:slow']);
    expect(later.done).toBe(true);
    // Decided at look 1, kept as it was.
    expect(later.results.find((r) => r.id === 'cli:same')).toEqual(sameFirst);
    for (const r of later.results) expectReadableByEye(r);
  });

  it('a change inside the budget is never a regression, however significant', () => {
    // 3 % slower with almost no noise: certainly slower than base, certainly within a 5 % budget.
    const gate = new SequentialGate({ ...OPTIONS, maxRounds: 10 }, () => REL5);
    const base = lognormal(5, 10, 1, 0.002);
    const head = lognormal(6, 10, 1.03, 0.002);
    const r = gate.look([metric('x:wall', base, head)], 10, true).results[0];
    expect(r.outcome).toBe('within-budget');
    expect(r.change!.low).toBeGreaterThan(0.02);
    expect(r.change!.high).toBeLessThan(0.05);
    expectReadableByEye(r);
  });

  it('inconclusive at the limits when the interval straddles the budget, with a note on what would decide it', () => {
    const gate = new SequentialGate({ ...OPTIONS, maxRounds: 10 }, () => REL5);
    const r = gate.look([metric('x:wall', lognormal(8, 10, 1, 0.05), lognormal(9, 10, 1.05, 0.05))], 10, true)
      .results[0];
    expect(r.outcome).toBe('inconclusive');
    expect(r.stopReason).toBe('undecided at max-rounds (10)');
    const note = r.warnings.find((w) => w.code === 'inconclusive')!;
    expect(note.text).toMatch(/straddles the 5\.00 % budget/);
    expect(note.text).toMatch(/about \d+ rounds would likely decide it/);
    expectReadableByEye(r);
  });

  it('improvement: the whole interval is within budget and better than no change; higher-is-better is oriented', () => {
    const gate = new SequentialGate({ ...OPTIONS, maxRounds: 20 }, () => REL5);
    const res = gate.look(
      [
        metric('api:p50', lognormal(9, 20, 0.01), lognormal(10, 20, 0.008)),
        metric('api:throughput', lognormal(11, 20, 1000), lognormal(12, 20, 1250), 'higher'),
        metric('api:rate', lognormal(13, 20, 1000), lognormal(14, 20, 800), 'higher'),
      ],
      20,
      true,
    );
    const [p50, up, down] = res.results;
    expect(p50.outcome).toBe('improvement');
    expect(up.outcome).toBe('improvement');
    expect(up.change!.estimate).toBeGreaterThan(0.15);
    expect(down.outcome).toBe('regression');
    for (const r of res.results) expectReadableByEye(r);
    // The geometric mean is oriented (worse is positive): one 20 % loss of throughput, two ~20 % gains.
    expect(res.geomean!.estimate).toBeLessThan(0);
  });

  it('a run that could not compare a gated metric reports an error instead of passing', () => {
    const gate = new SequentialGate({ ...OPTIONS, minRounds: 4, maxRounds: 10 }, () => REL5);
    const res = gate.look([metric('x:wall', [1], [1.01])], 1, true);
    expect(res.results[0].outcome).toBe('inconclusive');
    expect(res.errors.join('\n')).toMatch(/only 1 base and 1 head sample/);
    expect(res.errors.join('\n')).toMatch(/fewer than min-rounds \(4\)/);
  });

  it('every value 0 on both sides is within budget, exactly', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const r = gate.look([metric('api:errors', Array(10).fill(0), Array(10).fill(0))], 10, false).results[0];
    expect(r.outcome).toBe('within-budget');
    expect(r.change).toEqual({ estimate: 0, low: 0, high: 0, confidence: 1 });
  });

  it('added and removed metrics are shown, never compared; an added metric with an absolute rule is checked on head', () => {
    const bound: BudgetRule = { kind: 'absolute', op: '<', bound: 0.2, unit: 's', source: '< 200ms' };
    const gate = new SequentialGate({ ...OPTIONS, maxRounds: 20 }, (m) => (m.id === 'new:abs' ? bound : REL5));
    const res = gate.look(
      [
        metric('new:rel', [], lognormal(15, 20, 0.1)),
        metric('gone:rel', lognormal(16, 20, 0.1), []),
        metric('new:abs', [], lognormal(17, 20, 0.3)),
      ],
      20,
      true,
    );
    expect(res.results.map((r) => r.outcome)).toEqual(['added', 'removed', 'breach']);
    expect(res.results[2].warnings.some((w) => w.code === 'new-on-head')).toBe(true);
  });
});

describe('absolute rules: the head median against the bound, with an order-statistic interval', () => {
  const rule = (op: '<' | '<=' | '>' | '>=', bound: number): BudgetRule => ({
    kind: 'absolute',
    op,
    bound,
    unit: 's',
    source: `${op} ${bound}`,
  });

  it('breach only when the whole interval breaks the bound; within only when it keeps it', () => {
    const head = lognormal(20, 30, 0.1, 0.02);
    const look = (r: BudgetRule) =>
      new SequentialGate({ ...OPTIONS, maxRounds: 30 }, () => r).look([metric('api:p99', head, head)], 30, true)
        .results[0];
    expect(look(rule('<', 0.09)).outcome).toBe('breach');
    expect(look(rule('<', 0.11)).outcome).toBe('within-budget');
    // The true median sits on the bound: the interval straddles it.
    expect(look(rule('<', 0.1)).outcome).toBe('inconclusive');
    expect(look(rule('>', 0.11)).outcome).toBe('breach');
    expect(look(rule('>=', 0.09)).outcome).toBe('within-budget');
    const r = look(rule('<', 0.09));
    expect(r.headInterval!.low).toBeGreaterThanOrEqual(0.09);
    expect(r.headInterval!.low).toBeLessThanOrEqual(r.headInterval!.estimate);
  });
});

describe('resolution: values that move in steps comparable to the budget', () => {
  it('reads each side on its own: 48 B on base and 72 B on head is a change, not "steps of 24 B"', () => {
    const counts = (id: string, b: number, h: number, unit = 'B') => ({
      ...metric(id, Array(10).fill(b), Array(10).fill(h)),
      unit,
    });
    const look = new SequentialGate(OPTIONS, () => REL5).look(
      [counts('go/Ctx:bytes', 48, 72), counts('go/Ctx:allocs', 2, 3, 'count')],
      10,
      false,
    );
    for (const r of look.results) {
      expect(r.outcome).toBe('regression');
      expect(r.warnings.some((w) => w.code === 'resolution')).toBe(false);
    }
    expect(look.results[0].change).toEqual({ estimate: 0.5, low: 0.5, high: 0.5, confidence: 1 });
    // Per side, the ties rule still finds a coarse timer: 70/80 ns on one side move in steps of 10 ns.
    expect(resolutionOf([7e-8, 7e-8, 8e-8, 7e-8], 's')!.step).toBeCloseTo(1e-8, 20);
    expect(resolutionOf([48, 48, 49, 48], 'B')).toBeNull();
  });

  it('finds the step from the decimal grid and from ties', () => {
    expect(decimalQuantum(70 * 1e-9)).toBeCloseTo(1e-8, 20);
    expect(decimalQuantum(0.0631)).toBeCloseTo(1e-4, 12);
    expect(resolutionOf([7e-8, 7e-8, 8e-8, 7e-8])!.step).toBeCloseTo(1e-8, 20);
    // ops/s from rounded times: many digits, but few distinct values.
    const ops = [1 / 111e-9, 1 / 111e-9, 1 / 120e-9, 1 / 111e-9, 1 / 120e-9, 1 / 111e-9];
    expect(resolutionOf(ops)!.source).toBe('ties');
    expect(resolutionOf(lognormal(21, 20, 0.1))).toBeNull();
  });

  it('70 ns on every sample is not "within budget" when one 10 ns step is 14 %', () => {
    const base = [...Array(18).fill(70e-9), 80e-9, 80e-9];
    const head = [...Array(19).fill(70e-9), 80e-9];
    const r = new SequentialGate({ ...OPTIONS, maxRounds: 20 }, () => REL5).look(
      [metric('micro/id:time', base, head)],
      20,
      true,
    ).results[0];
    expect(r.outcome).toBe('inconclusive');
    expect(r.change!.high).toBeGreaterThan(0.05);
    const note = r.warnings.find((w) => w.code === 'resolution')!;
    expect(note.text).toMatch(/steps of 10(\.0)? ns/);
    expect(note.text).toMatch(/finer resolution/);
  });

  it('a capacity on a 5 % grid is read at its grid step, not at the gap between the grid points a side hit', () => {
    // Seen under load: one base search ended four grid steps (1.05⁴ = 1.22) below the others, and read
    // from the values the step was 22 %, so a head 18 % lower could never fail a 10 % budget.
    const grid = (k: number) => 20 * 1.05 ** k;
    const capacity = (base: number[], head: number[]): MetricSamples => ({
      ...metric('api/items:capacity', base, head, 'higher'),
      unit: '1/s',
      grid: 0.05,
    });
    const REL10: BudgetRule = { kind: 'relative', limit: 0.1, source: '10%' };
    const gate = () => new SequentialGate({ ...OPTIONS, minRounds: 8, maxRounds: 10 }, () => REL10);
    // Read from the values, base's step would be the 22 % gap and the interval would reach +10 %.
    const far = capacity([grid(46), ...Array(9).fill(grid(50))], Array(10).fill(grid(46)));
    const r = gate().look([far], 10, true).results[0];
    expectReadableByEye(r);
    expect(r.change!.high).toBeLessThan(0);
    const note = r.warnings.find((w) => w.code === 'resolution');
    expect(note?.text).toMatch(/capacity search steps its rate by 5(\.0+)? %/);
    const slower = capacity([grid(49), ...Array(7).fill(grid(50))], Array(8).fill(grid(46)));
    expect(gate().look([slower], 8, true).results[0].outcome).toBe('regression');
    // Unchanged within one grid step on either side: never a regression.
    const same = capacity(
      [grid(49), ...Array(7).fill(grid(50))],
      [...Array(4).fill(grid(50)), ...Array(4).fill(grid(49))],
    );
    expect(gate().look([same], 8, true).results[0].outcome).not.toBe('regression');
  });
});

describe('metrics without noise: decided by their values', () => {
  const counts = (id: string, b: number[], h: number[], unit = 'count') => ({ ...metric(id, b, h), unit });

  it('identical values a side: beyond the budget fails, equal passes, at round 5 — before min-rounds, spending no α', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const same = (n: number, v: number) => Array(n).fill(v);
    // Round 4: not yet (a two-valued count would be misread too often from fewer rounds).
    expect(gate.look([counts('c:instructions', same(4, 1e8), same(4, 1.03e8))], 4, false).undecided).toEqual([
      'c:instructions',
    ]);
    const look = gate.look(
      [
        counts('c:instructions', same(5, 1e8), same(5, 1.03e8)),
        counts('c:same', same(5, 123456789), same(5, 123456789)),
        counts('c:fewer', same(5, 400), same(5, 300), 'B'),
      ],
      5,
      false,
    );
    expect(look.planned).toBe(false);
    expect(look.results.map((r) => r.outcome)).toEqual(['within-budget', 'within-budget', 'improvement']);
    expect(look.done).toBe(true);
    const strict = new SequentialGate(OPTIONS, () => ({ kind: 'relative', limit: 0.01, source: '1%' }));
    const r = strict.look([counts('c:instructions', same(5, 1e8), same(5, 1.03e8))], 5, false).results[0];
    expect(r.outcome).toBe('regression');
    expect(r.stopReason).toBe('beyond budget by its values at round 5 (identical on each side)');
    expect(r.warnings.map((w) => w.code)).toContain('exact');
    // A final look over given files (perfgate compare) decides from 3 a side.
    const files = new SequentialGate({ ...OPTIONS, minRounds: 3, maxRounds: 3 }, () => REL5);
    expect(files.look([counts('go:bytes', same(3, 48), same(3, 72), 'B')], 3, true).results[0].outcome).toBe(
      'regression',
    );
  });

  it('times are noisy by nature: identical times go to the rank test, with their step as resolution', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const look = gate.look([metric('t:time', Array(5).fill(1e-6), Array(5).fill(2e-6))], 5, false);
    expect(look.undecided).toEqual(['t:time']);
  });

  it('a tiny spread within each side decides at the first look the rank test can reach', () => {
    // JMH's gc.alloc.rate.norm: 48.00x B/op on base, 72.00x on head. With n pairs the one-sided
    // signed-rank p is at least 2^-n, so the fail end decides at the first look whose level it reaches.
    const rng = mulberry32(5);
    const b = Array.from({ length: 50 }, () => 48 + 1e-4 * rng.uniform());
    const h = Array.from({ length: 50 }, () => 72 + 1e-4 * rng.uniform());
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const looks = planLooks(10, 50);
    const tails = groupSequentialBoundaries(
      0.05,
      looks.map((r) => r / 50),
      { spending: 'obrien-fleming' },
    ).nominal;
    const first = looks.find((n, k) => 2 ** -n <= tails[k])!;
    let decided: MetricResult | null = null;
    for (const n of looks) {
      const look = gate.look([{ ...metric('j:bytes', b.slice(0, n), h.slice(0, n)), unit: 'B' }], n, n === 50);
      if (look.done) {
        decided = look.results[0];
        expect(n).toBe(first);
        break;
      }
    }
    expect(decided?.outcome).toBe('regression');
  });

  it('NaN or Infinity handed to the gate is an error naming the metric, not a switch of scale', () => {
    const gate = new SequentialGate(OPTIONS, () => REL5);
    const look = gate.look([metric('x:wall', [1, Number.NaN, 1], [1, 1, Number.POSITIVE_INFINITY])], 3, false);
    expect(look.errors).toEqual([
      expect.stringMatching(/^x:wall: base sample 2 is NaN; the gate compares finite numbers only/),
    ]);
    expect(look.undecided).toEqual([]);
    expect(look.results[0].warnings.some((w) => w.code === 'linear-scale')).toBe(false);
  });
});

describe('geomeanChange', () => {
  it('orients every ratio so that worse is positive', () => {
    const base: Omit<MetricResult, 'direction' | 'change'> = {
      id: 'x',
      suite: 'x',
      name: 'x',
      unit: 's',
      base: [],
      head: [],
      baseMedian: 1,
      headMedian: 1,
      pValue: null,
      budget: REL5,
      outcome: 'regression',
      rounds: 10,
      stopReason: '',
      warnings: [],
    };
    // Time −44.5 % (better) and ops/s +80 % (better): both better, so the geomean is negative.
    const g = geomeanChange([
      { ...base, direction: 'lower', change: { estimate: -0.445, low: -0.46, high: -0.43, confidence: 0.95 } },
      { ...base, direction: 'higher', change: { estimate: 0.8, low: 0.75, high: 0.85, confidence: 0.95 } },
    ])!;
    expect(g.estimate).toBeLessThan(-0.4);
  });
});

describe('SequentialGate: a look the rank test cannot reach', () => {
  it('says which level it needs and how many paired rounds would reach it', () => {
    // Eleven metrics at one final look of 6 rounds: Holm's first level is 0.05/11 ≈ 0.0045 per
    // side, below the smallest one-sided signed-rank p with 6 pairs (2^-6 ≈ 0.016).
    const gate = new SequentialGate({ alpha: 0.05, minRounds: 6, maxRounds: 6 }, () => REL5);
    const metrics = Array.from({ length: 11 }, (_, i) =>
      metric(`s:m${i}`, lognormal(10 + i, 6, 0.1), lognormal(30 + i, 6, 0.2)),
    );
    const look = gate.look(metrics, 6, true);
    const notes = look.results.flatMap((r) => r.warnings).filter((w) => w.code === 'interval-level');
    expect(notes.length).toBeGreaterThan(0);
    // ⌈log2(11 / 0.05)⌉ = 8 rounds would reach Holm's first level.
    expect(notes.some((n) => /needs at least (8|9) rounds for that level/.test(n.text))).toBe(true);
    // A final look that left a metric undecided out of reach is an error naming it and the rounds needed.
    expect(look.errors.join('\n')).toMatch(
      /s:m\d+: undecided at the last look, and 6 rounds could not have decided it/,
    );
    expect(look.errors.join('\n')).toMatch(/At least (8|9) rounds would reach it/);
  });
});

describe('SequentialGate: a fail end the serial-correlation allowance puts out of reach', () => {
  it('makes a final look that could not have shown a regression an error, never a pass', () => {
    // Seven metrics, head 16× slower in every round, one look at round 10 (2^-10 ≈ 0.001 reaches Holm's
    // 0.05/7 unwidened). The fail end allows for a serial correlation 10 rounds cannot rule out; when
    // that puts it out of reach, the metric is undecided and no data of this length could fail it.
    const gate = new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: 10 }, () => REL5);
    // A state that carries over on the head side (it warms up): the per-round differences rise in run
    // order, so their ranks are serially correlated.
    const metrics = Array.from({ length: 7 }, (_, k) =>
      metric(
        `s:m${k}`,
        Array.from({ length: 10 }, (_, i) => (1 + k) * (1 + 0.01 * ((i * 7 + k) % 3))),
        Array.from({ length: 10 }, (_, i) => 16 * (1 + k) * (1 + 0.02 * i)),
      ),
    );
    const look = gate.look(metrics, 10, true);
    const undecided = look.results.filter((r) => r.outcome === 'inconclusive');
    expect(undecided.length).toBeGreaterThan(0);
    expect(look.results.some((r) => r.outcome === 'within-budget')).toBe(false);
    expect(look.errors.join('\n')).toMatch(
      /s:m\d: beyond the budget if its rounds were independent, undecided once serial correlation is allowed for/,
    );
    // The same warming around +3 % (inside the 5 % budget): the same ranks, so the same allowance puts
    // the fail end out of reach, but nothing shows a regression even without it: inconclusive, no error.
    const same = metrics.map((m, k) => ({ ...m, head: m.head.map((_, i) => (1 + k) * (1.05 + 0.01 * (i - 5))) }));
    const quiet = new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: 10 }, () => REL5).look(same, 10, true);
    expect(quiet.errors).toEqual([]);
    expect(quiet.results.every((r) => r.outcome === 'inconclusive')).toBe(true);
    expect(quiet.results.every((r) => r.warnings.some((w) => w.code === 'interval-level'))).toBe(true);
  });
});

describe('serial correlation: estimated per metric and pooled over a suite', () => {
  /** AR(1) with lag-1 correlation `rho` and unit variance, from the stationary law. */
  function ar1(seed: number, n: number, rho: number): number[] {
    const rng = mulberry32(seed);
    let x = rng.normal();
    return Array.from({ length: n }, () => {
      x = rho * x + Math.sqrt(1 - rho * rho) * rng.normal();
      return x;
    });
  }

  it('pools the lag-1 estimate over sequences: 20 metrics of 20 rounds estimate ρ = 0.5 closer than one', () => {
    const one: number[] = [];
    const pooled: number[] = [];
    for (let t = 0; t < 200; t++) {
      const seqs = Array.from({ length: 20 }, (_, i) => ar1(1000 * t + i, 20, 0.5));
      one.push(lagOneOf([seqs[0]])!.lagOne);
      const p = lagOneOf(seqs)!;
      expect(p).toMatchObject({ n: 20, total: 400, sequences: 20 });
      pooled.push(p.lagOne);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
    const spread = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    // The raw estimate of ranks is biased low by about (1 + 3ρ)/n; pooling shrinks its noise by √20.
    expect(spread(pooled)).toBeLessThan(spread(one) / 2.5);
    expect(Math.abs(mean(pooled) - (0.5 - 2.5 / 20))).toBeLessThan(0.05);
  });

  it('widens each end for the larger of the metric’s own and the suite’s estimate, and says when the suite’s is shown', () => {
    const own = lagOneOf([ar1(7, 20, 0)])!;
    const suite = { ...lagOneOf(Array.from({ length: 20 }, (_, i) => ar1(100 + i, 20, 0.5)))!, metrics: 20 };
    const alone = serialCorrelation(own);
    const both = serialCorrelation(own, suite);
    expect(both.inflation.fail).toBeGreaterThanOrEqual(alone.inflation.fail);
    expect(both.inflation.fail).toBeGreaterThan(2);
    expect(both.inflation.pass).toBeGreaterThan(1);
    expect(both.metrics).toBe(20);
    expect(serialCorrelation(null, null).inflation).toEqual({ fail: 1, pass: 1 });
  });
});
