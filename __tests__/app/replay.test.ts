/**
 * Report mode's replay: a comparison measured through the real loop and gate (suites that stop
 * at different looks, a regression, a metric missing from some rounds, a suite new on head, the
 * time limit) is decided again from its samples and the recorded looks, and an honest report
 * always agrees; a changed one is rejected, naming the metric.
 */
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/app/io';
import { measure } from '../../src/app/measure';
import {
  assembleReport,
  type Comparison,
  createGate,
  gateOptions,
  replayReport,
  UntrustedResultsError,
} from '../../src/app/report';
import type { SuiteRunner } from '../../src/app/runners';
import type { ComparisonReport, Replicate } from '../../src/core/model';
import { mulberry32 } from '../../src/core/random';
import { parseSettings, type Settings } from '../../src/settings/settings';

const context: RunContext = {
  eventName: 'pull_request',
  event: { eventName: 'pull_request' },
  workflow: 'w',
  job: 'j',
};
const environment = { cpuModel: 'x', cores: 2, os: 'Linux', node: 'v20', durationS: 1 };

function settingsOf(inputs: Record<string, string>): Settings {
  return parseSettings((name) => inputs[name] ?? '', '/nonexistent', { suites: false });
}

/** A suite of two metrics, `time` (head × `factor`, noise `cv`) and `extra`, missing from the output every `gap`th round. */
function runner(name: string, seed: number, factor: number, cv: number, gap = 0): SuiteRunner {
  const random = mulberry32(seed);
  const calls = { base: 0, head: 0 };
  return {
    suite: { kind: 'command', name, run: 'x', warmup: 0, timeout: 60 },
    async warmup() {},
    async sample(side): Promise<Replicate> {
      const n = calls[side]++;
      const v = (side === 'head' ? factor : 1) * (1 + cv * (random() - 0.5));
      const values: Replicate['values'] = [{ id: `${name}:time`, unit: 's', direction: 'lower', value: v }];
      if (!gap || n % gap !== gap - 1)
        values.push({ id: `${name}:extra`, unit: 'count', direction: 'lower', value: 100 + random() });
      return { values, warnings: [] };
    },
  };
}

async function measured(settings: Settings, runners: SuiteRunner[], seed: number, stopAt?: number) {
  const options = gateOptions(settings);
  const { gate, budgetWarnings } = createGate(settings, options);
  const timeUp = new AbortController();
  let rounds = 0;
  const outcome = await measure(runners, {
    checkouts: { base: '/b', head: '/h' },
    gate,
    maxRounds: settings.maxRounds,
    maxTimeS: 1e9,
    seed,
    headOnly: new Set(['fresh']),
    timeUp: stopAt === undefined ? undefined : timeUp.signal,
    reporter: {
      start() {},
      round() {
        if (++rounds === stopAt) timeUp.abort();
      },
      notice() {},
      end() {},
    },
  });
  const comparison: Comparison = {
    base: { sha: 'a'.repeat(40) },
    head: { sha: 'b'.repeat(40) },
    gate: options,
    looks: gate.looks,
    rounds: outcome.rounds,
    results: outcome.look?.results ?? [],
    geomean: outcome.look?.geomean ?? null,
    durationS: 1,
    warnings: [...outcome.warnings, ...(outcome.look?.warnings ?? []), ...budgetWarnings()],
    errors: outcome.look?.errors ?? [],
    reproduce: 'x',
    looksTaken: gate.calls,
  };
  return JSON.parse(JSON.stringify(assembleReport(settings, context, comparison, environment))) as ComparisonReport;
}

const SETTINGS = { budget: '5%', budgets: 'slow:extra: off\nfresh:time: < 2s', 'min-rounds': '6', 'max-rounds': '20' };

function suites(seed: number): SuiteRunner[] {
  return [
    runner('steady', seed, 1, 0.02), // within budget early
    runner('slow', seed + 1, 1.3, 0.02), // a regression: its suite stops
    runner('noisy', seed + 2, 1.04, 0.3, 3), // undecided for long; `extra` missing every third round
    runner('fresh', seed + 3, 1, 0.02), // new on head: measured on head only
  ];
}

describe('replaying a report', () => {
  it('agrees with every honest report, whatever stopped its suites (20 seeds, and the time limit)', async () => {
    const settings = settingsOf(SETTINGS);
    for (let seed = 1; seed <= 20; seed++) {
      const report = await measured(settings, suites(seed * 10), seed, seed % 4 === 0 ? 9 : undefined);
      expect(report.method.trail?.length).toBeGreaterThan(0);
      const replayed = replayReport(settings, report, 'file');
      expect(replayed.results.map((r) => [r.id, r.outcome])).toEqual(report.results.map((r) => [r.id, r.outcome]));
      expect(JSON.parse(JSON.stringify(replayed.results))).toEqual(report.results);
      expect(replayed.verdict).toBe(report.verdict);
    }
  });

  it('reads back what it writes: a results file with an absolute rule the head cannot reach yet', async () => {
    const { reportSchema } = await import('../../src/adapters/results-file');
    const report = await measured(settingsOf(SETTINGS), suites(5), 2, 6);
    const fresh = report.results.find((r) => r.id === 'fresh:time');
    expect(fresh?.headInterval?.low).toBeNull(); // −Infinity, as JSON writes it
    expect(reportSchema.safeParse(report).success).toBe(true);
  });

  it('records only the exceptions to "min(samples, rounds)" (a metric missing from some rounds)', async () => {
    const report = await measured(settingsOf(SETTINGS), suites(7), 3);
    const noisy = report.results.findIndex((r) => r.id === 'noisy:extra');
    const counted = report.method.trail!.flatMap((l) => l.counts ?? []);
    expect(counted.length).toBeGreaterThan(0);
    expect(counted.every(([i]) => i === noisy)).toBe(true);
  });

  it('rejects a changed outcome, a changed sample, a changed look, and a stricter or looser configuration', async () => {
    const settings = settingsOf(SETTINGS);
    const report = await measured(settings, suites(40), 1);
    const slow = report.results.findIndex((r) => r.id === 'slow:time');
    expect(report.results[slow].outcome).toBe('regression');
    const reject = (changed: ComparisonReport, s = settings) => {
      try {
        replayReport(s, changed, 'f.json');
      } catch (error) {
        expect(error).toBeInstanceOf(UntrustedResultsError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    const copy = () => JSON.parse(JSON.stringify(report)) as ComparisonReport;

    const outcome = copy();
    outcome.results[slow].outcome = 'within-budget';
    outcome.verdict = 'pass';
    expect(reject(outcome)).toMatch(
      /^f\.json: metric "slow:time" is recorded as "within-budget", but its samples give "regression"/,
    );

    const samples = copy();
    samples.results[slow].head = samples.results[slow].base.map((v) => v * 1.01);
    expect(reject(samples)).toContain('metric "slow:time" is recorded as "regression"');

    const trail = copy();
    trail.method.trail = [];
    expect(reject(trail)).toContain('no record of the gate');
    const backwards = copy();
    backwards.method.trail = [...backwards.method.trail!].reverse();
    expect(reject(backwards)).toContain('cannot be replayed');

    expect(reject(copy(), settingsOf({ ...SETTINGS, budgets: `slow:time: 50%\n${SETTINGS.budgets}` }))).toContain(
      'the file was gated with budget "5%", this job\'s configuration gives "50%"',
    );
    // The same budgets and α: accepted, whatever the file says its α was.
    const alpha = copy();
    alpha.method.alpha = 0.2;
    expect(reject(alpha)).toBe('accepted');
  });
});

describe('replaying a soak', () => {
  /** A soak suite's growth metric: one value per run, head growing `extra` B/s faster. */
  function soakRunner(seed: number, extra: number, tolerance: number): SuiteRunner {
    const random = mulberry32(seed);
    return {
      suite: { kind: 'command', name: 'leak', run: 'x', warmup: 0, timeout: 60 },
      maxRounds: 3,
      async warmup() {},
      async sample(side): Promise<Replicate> {
        const value = (side === 'head' ? extra : 0) + 2000 * (random() - 0.5);
        return {
          values: [
            {
              id: 'leak:rss-growth',
              unit: 'B/s',
              direction: 'lower',
              value,
              soak: { role: 'growth', tolerance, runs: 3 },
            },
          ],
          warnings: [],
        };
      },
    };
  }
  const soakSuite = (tolerance: number) =>
    ({
      kind: 'http',
      name: 'leak',
      soak: { tolerance, fdTolerance: 1, rounds: 3 },
    }) as unknown as Settings['suites'][0];

  it("takes the tolerance from this job's soak suite, not from the file", async () => {
    const settings = settingsOf(SETTINGS);
    const trusted = { ...settings, suites: [soakSuite(1e6 / 60)] };
    // Measured with a tolerance of 1 GB/s written into the file: a 50 kB/s leak reads as within it.
    const report = await measured(settings, [soakRunner(3, 50_000, 1e9)], 1);
    expect(report.results[0].outcome).toBe('within-budget');
    expect(() => replayReport(trusted, report, 'f.json')).toThrow(/"leak:rss-growth" is recorded as "within-budget"/);
    // An honest file agrees; a file whose soak suite this job does not know cannot be checked.
    const honest = await measured(settings, [soakRunner(3, 50_000, 1e6 / 60)], 1);
    expect(honest.results[0].outcome).toBe('regression');
    expect(replayReport(trusted, honest, 'f.json').results[0].outcome).toBe('regression');
    expect(() => replayReport(settings, honest, 'f.json')).toThrow(/no soak suite "leak"/);
  });
});
