import { describe, expect, it } from 'vitest';
import { keyLine, measure } from '../../src/app/measure';
import { logReporter, type RoundProgress } from '../../src/app/progress';
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
      reporter: logReporter((l) => log.push(l)),
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
      {
        checkouts: { base: '/b', head: '/h' },
        gate,
        maxRounds: 50,
        maxTimeS: 1e9,
        seed: 3,
        reporter: logReporter((l) => log.push(l)),
      },
    );
    expect(out.errors.map((e) => e.message)).toEqual(['suite "broken" on head: scripted failure']);
    expect(calls.filter((c) => c.suite === 'broken' && c.kind === 'sample').length).toBeLessThanOrEqual(6);
    expect(out.look?.results.find((r) => r.id === 'ok:wall')?.outcome).toBe('within-budget');
    expect(log.join('\n')).toContain('last lines of output');
  });
  const options = (gate: SequentialGate, log: string[] = []) => ({
    checkouts: { base: '/b', head: '/h' },
    gate,
    maxRounds: 50,
    maxTimeS: 1e9,
    seed: 4,
    reporter: logReporter((l) => log.push(l)),
  });

  it('measures a suite new on head on head only, keeps base’s error as a warning, and compares the rest', async () => {
    const { gate, calls, log } = setup();
    const out = await measure(
      [
        scriptedRunner('old', noisy(6, 1), calls),
        scriptedRunner('ids', noisy(7, 1), calls, {
          failWarmup: (side) => side === 'base',
          failOn: (side) => side === 'base',
          couldBeMissing: true,
        }),
      ],
      options(gate, log),
    );
    expect(out.errors).toEqual([]);
    expect(out.headOnly).toEqual(['ids']);
    // Base was tried twice (the warm-up and one confirming run), never again.
    expect(calls.filter((c) => c.suite === 'ids' && c.side === 'base').map((c) => c.kind)).toEqual([
      'warmup',
      'sample',
    ]);
    const ids = out.look?.results.find((r) => r.id === 'ids:wall');
    expect(ids).toMatchObject({ outcome: 'added', base: [] });
    expect(ids!.head.length).toBeGreaterThanOrEqual(10);
    expect(out.look?.results.find((r) => r.id === 'old:wall')?.outcome).toBe('within-budget');
    const warning = out.warnings.find((w) => w.code === 'new-on-head');
    expect(warning?.text).toContain('Suite "ids" is new on head');
    expect(warning?.text).toContain('last lines of output');
    expect(log.join('\n')).toContain('suite "ids" is new on head');
  });

  it('detects a new suite whose first contact is a sample (no warm-up)', async () => {
    const { gate, calls } = setup();
    const out = await measure(
      [scriptedRunner('ids', () => 1, calls, { warmup: 0, failOn: (side) => side === 'base', couldBeMissing: true })],
      options(gate),
    );
    expect(out.errors).toEqual([]);
    expect(out.headOnly).toEqual(['ids']);
    expect(calls.filter((c) => c.side === 'base' && c.kind === 'sample')).toHaveLength(2);
  });

  it('reports an error, not a new suite, when base fails once and then runs', async () => {
    const { gate, calls } = setup();
    const out = await measure(
      [scriptedRunner('flaky', () => 1, calls, { failWarmup: (side) => side === 'base', couldBeMissing: true })],
      options(gate),
    );
    expect(out.headOnly).toEqual([]);
    expect(out.errors.map((e) => e.message)).toEqual(['suite "flaky" on base: scripted failure']);
  });

  it('reports errors when both sides fail, when base fails after having run, or when base times out', async () => {
    const both = setup();
    const outBoth = await measure(
      [scriptedRunner('gone', () => 1, both.calls, { failWarmup: () => true, couldBeMissing: true })],
      options(both.gate),
    );
    expect(outBoth.errors.map((e) => e.message).sort()).toEqual([
      'suite "gone" on base: scripted failure',
      'suite "gone" on head: scripted failure',
    ]);
    expect(outBoth.headOnly).toEqual([]);

    const later = setup();
    const outLater = await measure(
      [
        scriptedRunner('later', () => 1, later.calls, {
          failOn: (side, i) => side === 'base' && i === 3,
          couldBeMissing: true,
        }),
      ],
      options(later.gate),
    );
    expect(outLater.errors.map((e) => e.message)).toEqual(['suite "later" on base: scripted failure']);
    expect(outLater.headOnly).toEqual([]);

    const slow = setup();
    const outSlow = await measure(
      [scriptedRunner('slow', () => 1, slow.calls, { failWarmup: (side) => side === 'base', couldBeMissing: false })],
      options(slow.gate),
    );
    expect(outSlow.errors.map((e) => e.message)).toEqual(['suite "slow" on base: scripted failure']);
    expect(slow.calls.filter((c) => c.side === 'base')).toHaveLength(1); // no confirming run
  });

  it('reports progress through the injected reporter: every round, and each look', async () => {
    const { gate, calls } = setup();
    const rounds: RoundProgress[] = [];
    let ended: RoundProgress | null = null;
    let t = 0;
    await measure([scriptedRunner('a', () => 1 + (t++ % 5) * 0.01, calls)], {
      ...options(gate),
      now: () => t,
      reporter: { start() {}, round: (p) => rounds.push(p), notice() {}, end: (p) => (ended = p) },
    });
    expect(rounds.map((p) => p.round)).toEqual(rounds.map((_, i) => i + 1));
    expect(rounds[0]).toMatchObject({ maxRounds: 50, suites: 1, metrics: 1, decided: 0, nextLook: gate.looks[0] });
    const firstLook = rounds.find((p) => p.look);
    expect(firstLook?.round).toBe(gate.looks[0]);
    expect(rounds[0].remainingS).toBeGreaterThan(0);
    expect(ended).toMatchObject({ round: rounds.length, decided: 1 });
  });

  it('quotes the telling line of a failure in the new-on-head note', () => {
    const node = [
      'node:internal/modules/cjs/loader:1228',
      '  throw err;',
      '  ^',
      '',
      "Error: Cannot find module '/w/base/bench/ids.cjs'",
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
      "  code: 'MODULE_NOT_FOUND',",
      '}',
      'Node.js v20.20.2',
    ].join('\n');
    expect(keyLine(node)).toBe("Error: Cannot find module '/w/base/bench/ids.cjs'");
    expect(keyLine('collected 0 items\n\nERROR: file or directory not found: benchmarks/test_ids.py\n')).toBe(
      'ERROR: file or directory not found: benchmarks/test_ids.py',
    );
    expect(keyLine('error: no bench target named `ids`.\n')).toBe('error: no bench target named `ids`.');
    expect(keyLine('something odd\nlast words\n')).toBe('last words');
    expect(keyLine('')).toBe('');
  });

  it('leaves out the metrics of a suite that failed on one side before it measured there (an error, not "removed")', async () => {
    const { gate, calls } = setup();
    const out = await measure(
      [
        scriptedRunner('ok', noisy(5, 1), calls),
        scriptedRunner('headless', () => 1, calls, { failOn: (side) => side === 'head' }),
      ],
      { checkouts: { base: '/b', head: '/h' }, gate, maxRounds: 50, maxTimeS: 1e9, seed: 3 },
    );
    expect(out.errors.map((e) => e.message)).toEqual(['suite "headless" on head: scripted failure']);
    expect(out.look?.results.map((r) => r.id)).toEqual(['ok:wall']);
    expect(out.look?.results.some((r) => r.outcome === 'removed' || r.outcome === 'added')).toBe(false);
  });

  it('stops when cancelled, drops the unfinished round and concludes on the complete ones', async () => {
    const { gate, calls } = setup();
    const abort = new AbortController();
    let n = 0;
    const value = (side: 'base' | 'head') => {
      // Cancelled in the middle of round 4 (calls 7 and 8 are round 4 of one suite).
      if (++n === 7) abort.abort(new Error('cancelled'));
      return side === 'head' ? 1.01 : 1;
    };
    const out = await measure([scriptedRunner('a', value, calls)], {
      checkouts: { base: '/b', head: '/h' },
      gate,
      maxRounds: 50,
      maxTimeS: 1e9,
      seed: 1,
      signal: abort.signal,
    });
    expect(out.cancelled).toBe(true);
    expect(out.rounds).toBe(3);
    expect(out.look?.results[0].base).toHaveLength(3);
    expect(out.look?.results[0].head).toHaveLength(3);
    expect(calls.filter((c) => c.kind === 'sample')).toHaveLength(7); // nothing ran after the abort
    expect(out.errors).toEqual([]);
  });

  it("stops at the first run after which one side changed the other side's checkout", async () => {
    const { gate, calls } = setup();
    const checked: string[] = [];
    const out = await measure([scriptedRunner('a', () => 1, calls)], {
      checkouts: { base: '/b', head: '/h' },
      gate,
      maxRounds: 50,
      maxTimeS: 1e9,
      seed: 1,
      isolation: async (side, what) => {
        checked.push(`${side} ${what}`);
        return checked.length === 5 ? `The ${side} side changed the other checkout during ${what}.` : null;
      },
    });
    expect(checked.slice(0, 2).every((c) => c.endsWith('suite "a" (warm-up)'))).toBe(true);
    expect(out.isolationError).toMatch(/changed the other checkout during suite "a" \(sample\)/);
    expect(calls).toHaveLength(5);
  });
});

describe('measure: stopping when decided, and the report after the verdict', () => {
  /** A suite of `values.length` metrics; metric i's value on a side comes from values[i]. */
  function suite(
    name: string,
    values: ((side: 'base' | 'head', index: number) => number)[],
    calls: Call[],
    unit = 's',
  ): SuiteRunner {
    const counts = { base: 0, head: 0 };
    return {
      suite: { kind: 'command', name, run: 'x', warmup: 0, timeout: 60 },
      async warmup() {},
      async sample(side) {
        calls.push({ suite: name, side, kind: 'sample' });
        const i = counts[side]++;
        return {
          values: values.map((v, k) => ({ id: `${name}:m${k}`, unit, direction: 'lower' as const, value: v(side, i) })),
          warnings: [],
        };
      },
    };
  }

  it('a suite of counts without noise is decided by its values at round 5 and never run again', async () => {
    const calls: Call[] = [];
    const exact = suite('c', [(side) => (side === 'head' ? 1.03e8 : 1e8), () => 4096], calls, 'count');
    const noisy = suite('t', [noisy_(5, 1)], calls);
    const out = await measure([exact, noisy], {
      checkouts: { base: '/b', head: '/h' },
      gate: new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: 50 }, () => ({
        kind: 'relative',
        limit: 0.01,
        source: '1%',
      })),
      maxRounds: 50,
      maxTimeS: 1e9,
      seed: 3,
    });
    expect(calls.filter((c) => c.suite === 'c')).toHaveLength(10);
    const [instructions, bytes] = out.look!.results;
    expect(instructions.outcome).toBe('regression');
    expect(bytes.outcome).toBe('within-budget');
    // Decided at round 5, before the first look (min-rounds 10); the noisy suite goes on.
    expect(out.verdictRound).toBe(5);
    expect(instructions.stopReason).toMatch(/by its values at round 5/);
  });

  it('after a regression, keeps sampling the undecided metrics to label them; complete-report false stops at once', async () => {
    const run = async (completeReport: boolean) => {
      const calls: Call[] = [];
      const log: string[] = [];
      const out = await measure(
        [suite('x', [noisy_(11, 1.5), noisy_(12, 1.3), noisy_(13, 1, 0.2), noisy_(14, 1, 0.2)], calls)],
        {
          checkouts: { base: '/b', head: '/h' },
          gate: new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: 50 }, () => budget),
          maxRounds: 50,
          maxTimeS: 1e9,
          seed: 5,
          completeReport,
          reporter: logReporter((l) => log.push(l)),
        },
      );
      return { out, log };
    };
    const full = await run(true);
    expect(full.out.look!.results.map((r) => r.outcome)).toEqual([
      'regression',
      'regression',
      'within-budget',
      'within-budget',
    ]);
    expect(full.out.verdictRound).not.toBeNull();
    expect(full.log.join('\n')).toMatch(/beyond budget .*: the run will fail\. Measuring on until the other/);
    const first = await run(false);
    expect(first.out.rounds).toBe(first.out.verdictRound);
    expect(first.log.join('\n')).toMatch(/Stopping here \(complete-report: false\)/);
    expect(first.out.look!.results.filter((r) => r.outcome === 'regression').length).toBeGreaterThan(0);
  });
});

/** Uniform noise of ±`spread`/2 around 1 (head × `factor`), per metric stream. */
function noisy_(seed: number, factor: number, spread = 0.04) {
  const random = mulberry32(seed);
  return (side: 'base' | 'head') => (side === 'head' ? factor : 1) * (1 + spread * (random() - 0.5));
}
