/**
 * Soak growth metrics in the gate (`core/gate/growth.ts`): Student's t against SciPy, a growth metric
 * decided once its soak's runs are done (a soak-only run gets a verdict before min-rounds), a soak cut
 * short is an error that names what to change, and the soak's other metrics are reported, not gated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SequentialGate } from '../../src/core/gate/gate';
import { growthTest } from '../../src/core/gate/growth';
import type { BudgetRule, MetricSamples, SoakRole } from '../../src/core/model';
import { budgetText, changeText } from '../../src/core/render/view';
import { decideVerdict } from '../../src/core/report';
import { envelopeGrowth, lowerEnvelope } from '../../src/core/soak';

const golden = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'stats', 'growth-t.json'), 'utf8')) as {
  base: number[];
  head: number[];
  tolerance: number;
  pBeyond: number;
  pWithin: number;
  pWorse: number;
  df: number;
  lower025: number;
  upper01: number;
}[];

const TOL = 1e6 / 60;
const growth = (runs = 3, tolerance = TOL): SoakRole => ({ role: 'growth', tolerance, runs });

function metric(id: string, base: number[], head: number[], soak?: SoakRole): MetricSamples {
  const unit = id.endsWith('fd-growth') ? '1/s' : id.endsWith('rss-growth') ? 'B/s' : 's';
  return { id, suite: 'api', name: id.split(':')[1], unit, direction: 'lower', base, head, ...(soak ? { soak } : {}) };
}

const fivePercent: BudgetRule = { kind: 'relative', limit: 0.05, source: '5%' };
const gate = (budget: (m: MetricSamples) => BudgetRule = () => fivePercent) =>
  new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: 50 }, budget);

describe('growthTest', () => {
  it.each(golden)('matches scipy.stats.ttest_ind and t.isf (df $df)', (c) => {
    const t = growthTest(c.base, c.head, c.tolerance);
    expect(t.df).toBe(c.df);
    const close = (a: number, b: number) =>
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    close(t.pBeyond, c.pBeyond);
    close(t.pWithin, c.pWithin);
    close(t.pWorse, c.pWorse);
    close(t.lowerAt(0.025), c.lower025);
    close(t.upperAt(0.01), c.upper01);
  });

  it('decides a difference without spread by its value', () => {
    const exact = growthTest([0, 0, 0], [0, 0, 0], 1 / 60);
    expect([exact.se, exact.pBeyond, exact.pWithin, exact.upperAt(1e-9)]).toEqual([0, 1, 0, 0]);
    const leak = growthTest([0, 0, 0], [0.1, 0.1, 0.1], 1 / 60);
    expect(leak.pBeyond).toBe(0);
    expect(leak.lowerAt(1e-9)).toBeCloseTo(0.1, 12);
  });
});

describe('the lower envelope', () => {
  it('keeps each window’s post-collection minimum, so a saw-tooth leaves the growth alone', () => {
    const t = Array.from({ length: 301 }, (_, i) => i);
    const leak = 5e3; // less than the saw-tooth climbs in a window: each window's minimum follows a drop
    const y = t.map((s) => 8e7 + leak * s + 4e6 * ((s % 45) / 45));
    const e = lowerEnvelope(t, y, 60, 60);
    expect(e.t).toHaveLength(4); // 60–120, …, 240–300
    expect(e.t.every((s) => s % 45 === 0)).toBe(true); // each a sample right after a drop
    expect(envelopeGrowth(t, y, 60, 60)).toBeCloseTo(leak, 6);
  });

  it('is NaN with fewer than two windows', () => {
    expect(envelopeGrowth([0, 1, 2], [1, 2, 3], 60, 60)).toBeNaN();
  });
});

describe('growth metrics in the gate', () => {
  const leakRuns = { base: [1e3, 3e3, 2e3], head: [5.1e4, 4.9e4, 5.3e4] };

  it('decides a soak-only run at the rounds its soak ran, before min-rounds, with no error', () => {
    const g = gate();
    const look = g.look(
      [
        metric('api:rss-growth', leakRuns.base, leakRuns.head, growth()),
        metric('api:fd-growth', [0, 0, 0], [0, 0, 0], growth(3, 1 / 60)),
        metric('api/hit:p99', [0.004, 0.0041, 0.0039], [0.0042, 0.0043, 0.004], { role: 'reported' }),
      ],
      3,
      true,
    );
    expect(look.errors).toEqual([]);
    const [rss, fd, p99] = look.results;
    expect(rss.outcome).toBe('regression');
    expect(rss.budget).toMatchObject({ kind: 'growth', bound: TOL, source: 'head − base ≤ 1 MB/min' });
    expect(rss.growthInterval!.low).toBeGreaterThan(TOL);
    expect(changeText(rss)).toMatch(/^head − base 2.9\d MB\/min \(2.\d+ MB\/min … 3.\d+ MB\/min\)$/);
    expect(budgetText(rss.budget, rss.direction)).toBe('head − base ≤ 1 MB/min');
    expect(fd.outcome).toBe('within-budget');
    expect(p99.outcome).toBe('ungated');
    expect(decideVerdict(look.results, look.errors)).toBe('fail');
  });

  it('passes a flat profile within the tolerance', () => {
    const look = gate().look([metric('api:rss-growth', [1e3, 3e3, 2e3], [2e3, 0, 2.5e3], growth())], 3, true);
    expect(look.results[0].outcome).toBe('within-budget');
    expect(decideVerdict(look.results, look.errors)).toBe('pass');
  });

  it('waits for its soak’s runs at an earlier look, and is tested once when they are done', () => {
    const g = new SequentialGate({ alpha: 0.05, minRounds: 2, maxRounds: 50 }, () => fivePercent);
    const early = g.look([metric('api:rss-growth', [1e3, 3e3], [5.1e4, 4.9e4], growth(4))], 2, false);
    expect(early.results[0].outcome).toBe('inconclusive');
    expect(early.results[0].stopReason).toBe("waiting for the soak's runs (2 of 4 a side)");
    expect(early.undecided).toEqual(['api:rss-growth']);
    const done = g.look(
      [metric('api:rss-growth', [1e3, 3e3, 2e3, 0], [5.1e4, 4.9e4, 5.3e4, 5e4], growth(4))],
      4,
      false,
    );
    expect(done.results[0].outcome).toBe('regression');
    expect(done.undecided).toEqual([]);
  });

  it('is an error naming what to change when fewer than two runs a side were done', () => {
    const look = gate().look([metric('api:rss-growth', [1e3], [5e4], growth())], 1, true);
    expect(look.errors).toHaveLength(1);
    expect(look.errors[0]).toMatch(/^api:rss-growth: only 1 base and 1 head soak run completed; .*at least 2 a side/);
    expect(look.errors[0]).toContain('max-time');
    expect(look.errors[0]).toContain('soak.duration');
    expect(decideVerdict(look.results, look.errors)).toBe('error');
  });

  it('says what would decide an interval that straddles the tolerance', () => {
    const look = gate().look([metric('api:rss-growth', [0, 8e3, -8e3], [1.5e4, 3.5e4, 5.5e4], growth())], 3, true);
    const r = look.results[0];
    expect(r.outcome).toBe('inconclusive');
    expect(r.warnings.find((w) => w.code === 'soak-undecided')!.text).toMatch(
      /straddles the tolerance 1 MB\/min after 3 runs a side: about \d+ runs a side \(soak.rounds\) or longer runs/,
    );
  });

  it('reports a growth metric whose budget is off, with its interval', () => {
    const g = gate((m) => (m.id.endsWith('fd-growth') ? { kind: 'off', source: 'off' } : fivePercent));
    const look = g.look([metric('api:fd-growth', [0, 0, 0.01], [0.1, 0.12, 0.11], growth(3, 1 / 60))], 3, true);
    expect(look.results[0].outcome).toBe('ungated');
    expect(look.results[0].growthInterval!.confidence).toBe(0.95);
    expect(look.errors).toEqual([]);
  });

  it('shares the run’s α: with a second gated metric in the family, the growth is tested at α/2 first', () => {
    // A leak whose one-sided p is between α/2 and α: alone it fails, beside a second gated metric it does not.
    const base = [0, 2e3, -2e3];
    const head = [1.85e4, 2.15e4, 2.45e4];
    const alone = gate().look([metric('api:rss-growth', base, head, growth())], 3, true);
    const two = gate().look(
      [
        metric('api:rss-growth', base, head, growth()),
        metric('api:fd-growth', [0, 0, 0], [0, 0, 0], growth(3, 1 / 60)),
      ],
      3,
      true,
    );
    const t = growthTest(base, head, TOL);
    expect(t.pBeyond).toBeGreaterThan(0.025);
    expect(t.pBeyond).toBeLessThan(0.05);
    expect(alone.results[0].outcome).toBe('regression');
    expect(two.results[0].outcome).toBe('inconclusive');
  });
});
