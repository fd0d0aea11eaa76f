/**
 * Reading the counters' outputs and the report's notes on instruction counts. Fixtures are real
 * outputs: cachegrind (`--cache-sim=no --trace-children=yes`) of the C fixture program of the
 * profile tests (head: `checksum` twice the work) and `perf stat -x, -e instructions:u` on this
 * machine, whose kernel offers no hardware counter.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SequentialGate } from '../../src/core/gate/gate';
import {
  CounterOutputError,
  cachegrindCount,
  counterNote,
  countSpread,
  perfStatCount,
  withCounterNote,
} from '../../src/core/instructions';
import { describeMetric } from '../../src/core/metric';
import type { BudgetRule, MetricSamples, Warning } from '../../src/core/model';
import { formatValue } from '../../src/core/units';
import { parseSuites } from '../../src/settings/suites';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'instructions');
const read = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

describe('cachegrindCount', () => {
  it('reads the Ir total of a cachegrind file', () => {
    expect(cachegrindCount(read('prog-base.cachegrind'))).toBe(65_127_728);
    expect(cachegrindCount(read('prog-head.cachegrind'))).toBe(122_127_733);
  });

  it('finds Ir by its position in the events line', () => {
    expect(cachegrindCount('events: Dr Ir Dw\nfl=x\nsummary: 5 42 7\n')).toBe(42);
  });

  it('refuses a file without instructions or without a summary', () => {
    expect(() => cachegrindCount('events: Dr\nsummary: 5\n')).toThrow(CounterOutputError);
    expect(() => cachegrindCount('events: Ir\nfn=main\n3 4\n')).toThrow(/no "summary:"/);
    expect(() => cachegrindCount('summary: 4\n')).toThrow(/no "events:"/);
  });
});

describe('perfStatCount', () => {
  it('reports a kernel without a hardware counter as such (real output of this machine)', () => {
    const result = perfStatCount(read('not-supported.perf-stat.txt'));
    expect(result).toEqual({ ok: false, reason: 'perf stat reports the instructions counter as <not supported>' });
  });

  it('reads a count (CSV as perf stat -x, writes it: value, unit, event, run time, running %)', () => {
    expect(perfStatCount('# started on Sat\n\n90128347,,instructions:u,15321045,100.00,,\n')).toEqual({
      ok: true,
      count: 90128347,
    });
  });

  it('refuses a multiplexed (scaled) count and an output without the event', () => {
    expect(perfStatCount('90128347,,instructions:u,15321045,61.20,,\n').ok).toBe(false);
    expect(perfStatCount('12,,cycles:u,1,100.00,,\n')).toEqual({
      ok: false,
      reason: 'perf stat printed no instructions line',
    });
  });
});

describe('notes on an instructions metric', () => {
  const result = (base: number[], head: number[], warnings: Warning[] = []) => ({
    ...describeMetric('prog', {
      id: 'prog:instructions',
      unit: 'count',
      direction: 'lower',
      value: 1,
      counter: 'valgrind',
    }),
    base,
    head,
    warnings,
  });

  it('the metric carries its counter from the measured value', () => {
    expect(result([1], [1]).counter).toBe('valgrind');
    expect(result([1], [1]).name).toBe('instructions');
  });

  it('names the counter, and says where wall, CPU and RSS came from', () => {
    const r = withCounterNote(result([100, 100], [103, 103]));
    expect(r.warnings.map((w) => w.code)).toEqual(['counter']);
    expect(r.warnings[0].text).toContain("valgrind's cachegrind");
    expect(r.warnings[0].text).toContain('separate runs of the command without the counter');
    expect(counterNote('hardware')).toContain('instructions:u');
    // Applied twice (a report read back), the note is not repeated.
    expect(withCounterNote(r).warnings).toHaveLength(1);
  });

  it('says when one commit counts differently from run to run (a JIT), and what to do for Node.js', () => {
    expect(countSpread([600e6, 690e6, 603e6], [601e6])).toBeCloseTo(0.15, 10);
    const r = withCounterNote(result([600e6, 690e6, 603e6], [601e6, 602e6]));
    expect(r.warnings.map((w) => w.code)).toEqual(['counter', 'count-spread']);
    expect(r.warnings[1].text).toContain('15.0 %');
    expect(r.warnings[1].text).toContain('node --predictable');
    // A compiled program's few parts in a million: no note.
    expect(withCounterNote(result([57_400_682, 57_406_190], [57_401_004])).warnings).toHaveLength(1);
  });

  it('leaves other metrics alone', () => {
    const wall = { id: 'prog:wall', base: [1, 2], head: [1, 3], warnings: [] as Warning[] };
    expect(withCounterNote(wall)).toBe(wall);
  });

  it('shows large counts in M and G', () => {
    expect(formatValue(90_128_347, 'count')).toBe('90.1M');
    expect(formatValue(2_846_332_329, 'count')).toBe('2.85G');
    expect(formatValue(48, 'count')).toBe('48');
  });
});

describe('the instructions option', () => {
  const parse = (instructions: unknown) =>
    parseSuites([{ name: 'prog', run: './prog', ...(instructions === undefined ? {} : { instructions }) }]);

  it('true counts with valgrind; hardware with the CPU counter; false or absent not at all', () => {
    expect(parse(true).suites[0]).toMatchObject({ kind: 'command', instructions: 'valgrind' });
    expect(parse('valgrind').suites[0]).toMatchObject({ instructions: 'valgrind' });
    expect(parse('hardware').suites[0]).toMatchObject({ instructions: 'hardware' });
    expect(parse(false).suites[0]).toMatchObject({ instructions: undefined });
    expect(parse(undefined).suites[0].kind).toBe('command');
  });

  it('a wrong counter is an error naming the key and the choices', () => {
    const { issues } = parse('perf');
    expect(issues).toEqual([
      {
        path: 'suites[0].instructions',
        message: expect.stringContaining('expected true (count with valgrind), "valgrind", "hardware"'),
      },
    ]);
  });

  it('only command suites count instructions', () => {
    const { issues } = parseSuites([{ name: 'micro', run: 'go test -bench .', format: 'go', instructions: true }]);
    expect(issues[0].message).toContain('unknown key "instructions" for a harness suite');
  });
});

describe('a suite gated on instructions alone (wall, cpu and rss off)', () => {
  // Rounds of the C program: constant counts, 3 % apart; noisy times around them.
  const samples = (rounds: number): MetricSamples[] => {
    const times = (k: number) => Array.from({ length: rounds }, (_, i) => 0.015 * (1 + 0.05 * Math.sin(i * 7 + k)));
    return [
      {
        ...describeMetric('prog', { id: 'prog:wall', unit: 's', direction: 'lower', value: 0 }),
        base: times(1),
        head: times(2),
      },
      {
        ...describeMetric('prog', {
          id: 'prog:instructions',
          unit: 'count',
          direction: 'lower',
          value: 0,
          counter: 'valgrind',
        }),
        base: Array(rounds).fill(57_126_588),
        head: Array(rounds).fill(58_836_588),
      },
    ];
  };
  const budgets = (m: MetricSamples): BudgetRule =>
    m.name === 'instructions' ? { kind: 'relative', limit: 0.01, source: '1%' } : { kind: 'off', source: 'off' };

  it('decides by the counts before the first planned look, and still describes the metrics that are off', () => {
    const gate = new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: 50 }, budgets);
    let look = gate.look(samples(1), 1, false);
    let rounds = 1;
    while (!look.done) look = gate.look(samples(++rounds), rounds, false);
    expect(rounds).toBeLessThanOrEqual(5);
    const byId = new Map(look.results.map((r) => [r.id, r]));
    expect(byId.get('prog:instructions')).toMatchObject({ outcome: 'regression', counter: 'valgrind' });
    // The run ends here: the ungated metric must carry its own description, not a placeholder.
    expect(byId.get('prog:wall')).toMatchObject({ outcome: 'ungated', rounds });
    expect(byId.get('prog:wall')!.baseMedian).toBeGreaterThan(0);
  });
});
