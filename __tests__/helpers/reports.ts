/**
 * Deterministic comparison reports for renderer tests: samples from a seeded generator pushed
 * through the real SequentialGate, so the numbers are the engine's own.
 */
import { budgetFor, parseBudgetLines, parseBudgetRule } from '../../src/core/budgets';
import { SequentialGate } from '../../src/core/gate/gate';
import type { BudgetRule, ComparisonReport, Direction, MetricSamples, Unit } from '../../src/core/model';
import { mulberry32 } from '../../src/core/random';

/** A log-normal sample stream: `median × exp(cv × N(0,1))`. */
function logNormal(random: () => number, median: number, cv: number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return median * Math.exp(cv * z);
  });
}

interface Spec {
  id: string;
  unit: Unit;
  direction: Direction;
  median: number;
  /** head/base ratio. */
  ratio: number;
  cv: number;
}

export function makeReport(specs: Spec[], budgets = '', rounds = 20, seed = 7): ComparisonReport {
  const random = mulberry32(seed);
  const samples: MetricSamples[] = specs.map((s) => ({
    id: s.id,
    unit: s.unit,
    direction: s.direction,
    base: logNormal(random, s.median, s.cv, rounds),
    head: logNormal(random, s.median * s.ratio, s.cv, rounds),
  }));
  const { entries } = parseBudgetLines(budgets);
  const fallback = parseBudgetRule('5%') as BudgetRule;
  const units = new Map(specs.map((s) => [s.id, s.unit]));
  const gate = new SequentialGate(
    { alpha: 0.05, minRounds: rounds, maxRounds: rounds },
    (id: string) => budgetFor(id, units.get(id)!, entries, fallback).rule,
  );
  const look = gate.look(samples, rounds, true);
  const failing = look.results.some((r) => r.outcome === 'regression' || r.outcome === 'breach');
  return {
    formatVersion: 1,
    verdict: failing ? 'fail' : 'pass',
    base: { sha: '1111111111111111111111111111111111111111', ref: 'main' },
    head: { sha: '2222222222222222222222222222222222222222' },
    repository: 'octo/app',
    pullRequest: 7,
    results: look.results,
    geomean: look.geomean,
    method: {
      alpha: 0.05,
      analysis: 'paired',
      minRounds: rounds,
      maxRounds: rounds,
      rounds,
      looks: [rounds],
    },
    environment: { cpuModel: 'Test CPU', cores: 2, os: 'Linux', node: 'v20', durationS: 12.5 },
    warnings: [],
    errors: [],
    reproduce:
      'git checkout 2222222222222222222222222222222222222222\nnpx perfgate run --base 1111111111111111111111111111111111111111',
  };
}

export const TYPICAL: Spec[] = [
  { id: 'cli:wall', unit: 's', direction: 'lower', median: 0.25, ratio: 1.2, cv: 0.03 },
  { id: 'cli:cpu', unit: 's', direction: 'lower', median: 0.24, ratio: 1.0, cv: 0.03 },
  { id: 'cli:rss', unit: 'B', direction: 'lower', median: 52e6, ratio: 1.0, cv: 0.01 },
  { id: 'api/items:throughput', unit: '1/s', direction: 'higher', median: 12000, ratio: 1.15, cv: 0.02 },
  { id: 'api/items:p99', unit: 's', direction: 'lower', median: 0.0042, ratio: 1.0, cv: 0.05 },
];
