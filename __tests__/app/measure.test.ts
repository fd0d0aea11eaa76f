import { describe, expect, it } from 'vitest';
import { measure } from '../../src/app/measure';
import { SuiteError, type SuiteRunner } from '../../src/app/runners';
import { SequentialGate } from '../../src/core/gate/gate';
import type { BudgetRule } from '../../src/core/model';
import { mulberry32 } from '../../src/core/random';
import { type Call, scriptedRunner } from '../helpers/scripted-runner';

const budget: BudgetRule = { kind: 'relative', limit: 0.05, source: '5%' };

function noisy(seed: number, headFactor: number) {
  const random = mulberry32(seed);
  return (side: 'base' | 'head') => (side === 'head' ? headFactor : 1) * (1 + 0.02 * (random() - 0.5));
}

function setup(maxRounds = 50, minRounds = 10) {
  const gate = new SequentialGate({ alpha: 0.05, minRounds, maxRounds }, () => budget);
  return { gate, calls: [] as Call[], log: [] as string[] };
}

describe('measure (interleaved rounds with sequential looks)', () => {
  it('warms up both sides first, then runs each suite once per side per round in shuffled order', async () => {
    const { gate, calls, log } = setup();
    const a = noisy(1, 1);
    const b = noisy(2, 1);
    const out = await measure([scriptedRunner('a', a, calls), scriptedRunner('b', b, calls)], {
      checkouts: { base: '/base', head: '/head' },
      gate,
      maxRounds: 50,
      maxTimeS: 1e9,
      seed: 42,
      log: (l) => log.push(l),
    });
    expect(calls.slice(0, 4).every((c) => c.kind === 'warmup')).toBe(true);
    const samples = calls.filter((c) => c.kind === 'sample');
    // Every block of 4 calls is one round: each (suite, side) exactly once.
    for (let i = 0; i < 4 * 10; i += 4) {
      const block = samples
        .slice(i, i + 4)
        .map((c) => `${c.suite}/${c.side}`)
        .sort();
      expect(block).toEqual(['a/base', 'a/head', 'b/base', 'b/head']);
    }
    // The order inside rounds varies (not a fixed ABAB pattern).
    const orders = new Set<string>();
    for (let i = 0; i < samples.length; i += 4)
      orders.add(
        samples
          .slice(i, i + 4)
          .map((c) => `${c.suite}/${c.side}`)
          .join(),
      );
    expect(orders.size).toBeGreaterThan(3);
    // No change with 2 % noise and a 5 % budget: decided within budget early, not at max-rounds.
    expect(out.rounds).toBeLessThan(50);
    expect(out.look?.results.map((r) => r.outcome)).toEqual(['within-budget', 'within-budget']);
  });

  it('is reproducible from its seed', async () => {
    const order = async () => {
      const { gate, calls } = setup();
      await measure([scriptedRunner('a', noisy(8, 1), calls), scriptedRunner('b', noisy(9, 1), calls)], {
        checkouts: { base: '/b', head: '/h' },
        gate,
        maxRounds: 50,
        maxTimeS: 1e9,
        seed: 7,
        log: () => undefined,
      });
      return calls.map((c) => `${c.suite}/${c.side}`).join();
    };
    expect(await order()).toBe(await order());
  });

  it('detects a clear slowdown and reports it as a regression', async () => {
    const { gate, calls } = setup();
    const out = await measure([scriptedRunner('slow', noisy(3, 1.3), calls)], {
      checkouts: { base: '/b', head: '/h' },
      gate,
      maxRounds: 50,
      maxTimeS: 1e9,
      seed: 1,
      log: () => undefined,
    });
    expect(out.look?.results[0].outcome).toBe('regression');
  });

  it('stops at max-time with a final look, discards the unfinished round, and says so', async () => {
    const { gate, calls } = setup();
    const timeUp = new AbortController();
    let samples = 0;
    const value = (side: 'base' | 'head') => {
      // Time runs out in the middle of round 13 (its first sample is the 25th).
      if (++samples === 25) timeUp.abort();
      return (side === 'head' ? 1.03 : 1) * (1 + 0.05 * Math.sin(samples));
    };
    const out = await measure([scriptedRunner('a', value, calls)], {
      checkouts: { base: '/b', head: '/h' },
      gate,
      maxRounds: 50,
      maxTimeS: 1e9,
      seed: 1,
      log: () => undefined,
      timeUp: timeUp.signal,
    });
    expect(out.rounds).toBe(12);
    const r = out.look!.results[0];
    expect(r.base.length).toBe(12);
    expect(r.head.length).toBe(12);
    expect(out.warnings.find((w) => w.code === 'max-time')!.text).toMatch(/max-time .* ran out/);
  });

  it('max-time bounds the warm-up too: a real deadline stops a sample that would overrun it', async () => {
    const { gate } = setup();
    const slow: SuiteRunner = {
      suite: { kind: 'command', name: 'slow', run: 'x', warmup: 1, timeout: 60 },
      warmup: (_side, _dir, signal) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(resolve, 30_000);
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new SuiteError('slow', 'base', 'killed'));
          });
        }),
      sample: async () => ({ values: [], warnings: [] }),
    };
    const out = await measure([slow], {
      checkouts: { base: '/b', head: '/h' },
      gate,
      maxRounds: 50,
      maxTimeS: 0.2,
      seed: 1,
      log: () => undefined,
    });
    expect(out.rounds).toBe(0);
    expect(out.errors).toEqual([]);
    expect(out.warnings.some((w) => w.code === 'max-time')).toBe(true);
  });

  it('a max-time beyond what a timer can hold is no limit (not an immediate stop)', async () => {
    const { gate, calls } = setup(12, 6);
    const out = await measure([scriptedRunner('a', noisy(4, 1), calls)], {
      checkouts: { base: '/b', head: '/h' },
      gate,
      maxRounds: 12,
      maxTimeS: 1e9,
      seed: 2,
      log: () => undefined,
    });
    expect(out.rounds).toBeGreaterThan(0);
    expect(out.warnings.some((w) => w.code === 'max-time')).toBe(false);
  });

  it('turns a failing suite into an error for that suite while the others go on', async () => {
    const { gate, calls, log } = setup();
    const out = await measure(
      [
        scriptedRunner('ok', noisy(5, 1), calls),
        scriptedRunner('broken', () => 1, calls, { failOn: (side, i) => side === 'head' && i === 2 }),
      ],
      { checkouts: { base: '/b', head: '/h' }, gate, maxRounds: 50, maxTimeS: 1e9, seed: 3, log: (l) => log.push(l) },
    );
    expect(out.errors.map((e) => e.message)).toEqual(['suite "broken" on head: scripted failure']);
    expect(calls.filter((c) => c.suite === 'broken' && c.kind === 'sample').length).toBeLessThanOrEqual(6);
    expect(out.look?.results.find((r) => r.id === 'ok:wall')?.outcome).toBe('within-budget');
    expect(log.join('\n')).toContain('last lines of output');
  });
});
