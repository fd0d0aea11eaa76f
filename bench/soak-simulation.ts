/**
 * Seeded simulations of soak suites through the shipped procedure: the settings parser (the soak
 * defaults), each run's growth as the HTTP adapter computes it (`envelopeGrowth`), the real `measure()`
 * loop with its soak round cap, the gate built as a run builds it (`createGate`, `gateOptions`) and the
 * verdict rule. Only the server is simulated: a suite runner returns what a soak run of a server with a
 * known memory profile would measure. Used by `bench/soak.ts` (the tables) and
 * `__tests__/stats/soak-error.slow.test.ts` (short, seeded).
 *
 * The memory profile of one run (resident memory in bytes, sampled once a second for `duration`
 * seconds): a base level; a warm-up of 20 MB that levels off within seconds; a major-GC saw-tooth
 * (`saw` bytes piled up over `period` seconds, then dropped; a random phase per run); slowly
 * wandering AR(1) noise (`phi` per second, stationary sd `sd`); growth both sides share (`shared`
 * B/s, the runtime sizing its heap); a run-to-run drift of the growth (sd `drift` B/s); and head's own
 * extra growth (`leak` B/s). Open file descriptors stay at 20 with a transient extra one now and then.
 */
import { measure } from '../src/app/measure';
import { createGate, gateOptions } from '../src/app/report';
import type { SuiteRunner } from '../src/app/runners';
import type { MetricResult, MetricValue, Replicate, Side, SoakRole } from '../src/core/model';
import { mulberry32 } from '../src/core/random';
import { decideVerdict } from '../src/core/report';
import { envelopeGrowth } from '../src/core/soak';
import { parseSettings, type Settings } from '../src/settings/settings';
import { type HttpSuite, soakTimeS } from '../src/settings/suites';

const MB = 1e6;

export interface MemoryProfile {
  /** Head's extra growth over base (B/s). */
  leak: number;
  /** Major-GC saw-tooth: bytes piled up between collections, and seconds between them. */
  saw: number;
  period: number;
  /** AR(1) noise: coefficient per second and stationary standard deviation (bytes). */
  phi: number;
  sd: number;
  /** Growth both sides share (B/s) and the run-to-run sd of the growth (B/s). */
  shared: number;
  drift: number;
}

export const PROFILE: MemoryProfile = {
  leak: 0,
  saw: 0,
  period: 45,
  phi: 0.98,
  sd: 0.5 * MB,
  shared: 2e3,
  drift: 0,
};

export interface SoakCell {
  profile: MemoryProfile;
  /** `budgets` input lines (e.g. `api:fd-growth: off`). */
  budgets?: string;
  /** Soak settings over the defaults (e.g. `{ rounds: 2 }`). */
  soak?: Record<string, unknown>;
  /** A load suite beside the soak, with `metrics` metrics each `change` worse on head (relative). */
  load?: { metrics: number; change: number; cv: number };
}

export interface SoakTrial {
  verdict: 'pass' | 'fail' | 'error';
  rss: MetricResult | undefined;
  results: MetricResult[];
  errors: string[];
  rounds: number;
}

function gauss(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** One run's samples (t in seconds from the start of the load, y in bytes). */
export function memoryRun(
  random: () => number,
  p: MemoryProfile,
  side: Side,
  duration: number,
): { t: number[]; rss: number[]; fds: number[] } {
  const t: number[] = [];
  const rss: number[] = [];
  const fds: number[] = [];
  const innovation = p.sd * Math.sqrt(1 - p.phi * p.phi);
  let ar = p.sd * gauss(random);
  const phase = random() * p.period;
  const growth = p.shared + p.drift * gauss(random) + (side === 'head' ? p.leak : 0);
  for (let s = 0; s <= duration; s++) {
    ar = p.phi * ar + innovation * gauss(random);
    const saw = p.saw * (((s + phase) % p.period) / p.period);
    const warm = 20 * MB * (1 - Math.exp(-s / 6));
    t.push(s);
    rss.push(60 * MB + warm + saw + ar + growth * s);
    fds.push(20 + (random() < 0.05 ? 1 : 0));
  }
  return { t, rss, fds };
}

/** The settings of a soak-only configuration (or one with a load suite), everything else at its default. */
export function soakSettings(cell: Pick<SoakCell, 'budgets' | 'soak' | 'load'>): Settings {
  const suites: Record<string, unknown>[] = [
    {
      name: 'api',
      server: 'simulated',
      scenarios: [{ name: 'hit', path: '/' }],
      soak: { rate: '200/s', ...cell.soak },
    },
  ];
  if (cell.load) suites.push({ name: 'load', run: 'simulated' });
  const inputs: Record<string, string> = { suites: JSON.stringify(suites), budgets: cell.budgets ?? '' };
  return parseSettings((name) => inputs[name] ?? '', process.cwd());
}

/** One seeded trial of a cell through the shipped loop and gate. */
export async function simulateSoak(cell: SoakCell, seed: number): Promise<SoakTrial> {
  const random = mulberry32(seed);
  const settings = soakSettings(cell);
  const soakSuite = settings.suites[0] as HttpSuite;
  const soak = soakSuite.soak!;
  const reported: SoakRole = { role: 'reported' };
  const soakRunner: SuiteRunner = {
    suite: soakSuite,
    maxRounds: soak.rounds,
    async warmup() {},
    async sample(side): Promise<Replicate> {
      const run = memoryRun(random, cell.profile, side, soak.duration);
      const growth = (tolerance: number): SoakRole => ({ role: 'growth', tolerance, runs: soak.rounds });
      const values: MetricValue[] = [
        {
          id: 'api:rss-growth',
          unit: 'B/s',
          direction: 'lower',
          value: envelopeGrowth(run.t, run.rss, soak.settle, soak.block),
          soak: growth(soak.tolerance),
        },
        {
          id: 'api:fd-growth',
          unit: '1/s',
          direction: 'lower',
          value: envelopeGrowth(run.t, run.fds, soak.settle, soak.block),
          soak: growth(soak.fdTolerance / 60),
        },
        { id: 'api/hit:throughput', unit: '1/s', direction: 'higher', value: 200 - random(), soak: reported },
        { id: 'api/hit:errors', unit: 'fraction', direction: 'lower', value: 0, soak: reported },
        { id: 'api/hit:p99', unit: 's', direction: 'lower', value: 0.004 * (1 + 0.1 * random()), soak: reported },
      ];
      return { values, warnings: [] };
    },
  };
  const runners = [soakRunner];
  const load = cell.load;
  if (load) {
    const sigma = Math.sqrt(Math.log1p(load.cv ** 2));
    runners.push({
      suite: settings.suites[1],
      async warmup() {},
      async sample(side): Promise<Replicate> {
        return {
          values: Array.from({ length: load.metrics }, (_, i) => ({
            id: `load:m${i}`,
            unit: 's',
            direction: 'lower' as const,
            value: Math.exp(sigma * gauss(random)) * (side === 'head' ? 1 + load.change : 1),
          })),
          warnings: [],
        };
      },
    });
  }
  const { gate } = createGate(settings, gateOptions(settings));
  const outcome = await measure(runners, {
    checkouts: { base: 'base', head: 'head' },
    gate,
    maxRounds: settings.maxRounds,
    maxTimeS: settings.maxTimeS + soakTimeS(settings.suites),
    seed: seed ^ 0x5bd1e995,
  });
  const results = outcome.look?.results ?? [];
  const errors = outcome.look?.errors ?? [];
  return {
    verdict: decideVerdict(results, errors),
    rss: results.find((r) => r.id === 'api:rss-growth'),
    results,
    errors,
    rounds: outcome.rounds,
  };
}

export interface SoakSummary {
  trials: number;
  fail: number;
  pass: number;
  error: number;
  /** Of the runs: the growth metric's outcome within budget (or improvement), and inconclusive. */
  within: number;
  inconclusive: number;
}

/** Runs `trials` seeded trials of a cell: shares of verdicts and of the rss growth's outcomes. */
export async function summarizeSoak(cell: SoakCell, trials: number, seed: number): Promise<SoakSummary> {
  const s = { trials, fail: 0, pass: 0, error: 0, within: 0, inconclusive: 0 };
  for (let i = 0; i < trials; i++) {
    const r = await simulateSoak(cell, seed * 1_000_003 + i);
    s[r.verdict]++;
    const o = r.rss?.outcome;
    if (o === 'within-budget' || o === 'improvement') s.within++;
    if (o === 'inconclusive') s.inconclusive++;
  }
  return {
    trials,
    fail: s.fail / trials,
    pass: s.pass / trials,
    error: s.error / trials,
    within: s.within / trials,
    inconclusive: s.inconclusive / trials,
  };
}
