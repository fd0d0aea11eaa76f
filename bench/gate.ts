/**
 * Benchmark of the decision procedure, in two parts.
 *
 * 1. Simulation (`PERFGATE_BENCH_PART=sim`): the shipped `measure()` loop and `SequentialGate` fed with
 *    seeded draws from known distributions (`bench/simulation.ts`). Noise CV 3 / 6 / 10 % log-normal and
 *    CV 6 % with 5 % of samples ×1.5; suites of 1, 3 and 20 metrics; true change 0, 0.5, 0.8, 1, 1.5, 2,
 *    3 × B; and a max-time cut at an unplanned round. Per cell: fail rate, median and 90th-percentile
 *    rounds. δ = B is the least favourable null: there the fail rate must be ≤ α.
 * 2. Real processes (`PERFGATE_BENCH_PART=real`): `node -e` with a CPU-bound loop on this machine; base
 *    and four head arms (δ = 0, B/2, B, 2B) run once each per round in random order. The shipped loop and
 *    gate decide each arm, with the paired and the two-sample analysis on the same samples, next to the
 *    rules other tools use.
 *
 *   npm run bench:gate                                     # both parts
 *   PERFGATE_BENCH_PART=sim PERFGATE_BENCH_TRIALS=500 npm run bench:gate
 *
 * Environment: PERFGATE_BENCH_PART (sim | real | all), PERFGATE_BENCH_TRIALS (simulation trials per cell,
 * default 2000), PERFGATE_BENCH_REAL_TRIALS (default 16), PERFGATE_BENCH_MS (target process time, default
 * 90), PERFGATE_BENCH_BUDGET (default 0.05), PERFGATE_BENCH_SEED (default 1).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { measure } from '../src/app/measure';
import type { SuiteRunner } from '../src/app/runners';
import { SequentialGate } from '../src/core/gate/gate';
import type { Analysis } from '../src/core/gate/shift';
import { mulberry32 } from '../src/core/random';
import { hodgesLehmannInterval } from '../src/core/stats/hodges-lehmann';
import { mannWhitneyU } from '../src/core/stats/mann-whitney';
import { median } from '../src/core/stats/quantiles';
import { type Cell, type Noise, summarize } from './simulation';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`);
  return v;
}

const PART = process.env.PERFGATE_BENCH_PART ?? 'all';
const SIM_TRIALS = Math.round(envNumber('PERFGATE_BENCH_TRIALS', 2000));
const REAL_TRIALS = Math.round(envNumber('PERFGATE_BENCH_REAL_TRIALS', 16));
const TARGET_MS = envNumber('PERFGATE_BENCH_MS', 90);
const BUDGET = envNumber('PERFGATE_BENCH_BUDGET', 0.05);
const SEED = Math.round(envNumber('PERFGATE_BENCH_SEED', 1));
const MIN_ROUNDS = 10;
const MAX_ROUNDS = 50;
const ALPHA = 0.05;

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((l) => l[c].length)));
  const line = (l: string[]) => `| ${l.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Upper end of a one-sided 95 % Wilson interval for a rate (the simulation error). */
function wilsonUpper(rate: number, n: number): number {
  const z = 1.645;
  const centre = (rate + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((rate * (1 - rate)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return centre + half;
}

// ---------------------------------------------------------------------------------------------
// Part 1: simulation through the shipped code

const NOISES: [string, Noise][] = [
  ['CV 3 %', { cv: 0.03 }],
  ['CV 6 %', { cv: 0.06 }],
  ['CV 10 %', { cv: 0.1 }],
  ['CV 6 % + 5 % ×1.5', { cv: 0.06, outliers: { share: 0.05, factor: 1.5 } }],
];
const METRIC_COUNTS = [1, 3, 20];
const MULTIPLES = [0, 0.5, 0.8, 1, 1.5, 2, 3];
/** The unplanned round at which the time-limit cells stop sampling. */
const CUT_AFTER = 23;

async function simulationPart(): Promise<void> {
  console.log(
    `## Simulation through the shipped loop and gate — ${SIM_TRIALS} trials a cell, B = ${pct(BUDGET)}, α = ${ALPHA}, ` +
      `min-rounds ${MIN_ROUNDS}, max-rounds ${MAX_ROUNDS}, paired analysis; seed ${SEED}`,
  );
  console.log('Each cell: fail rate (median / 90th-percentile rounds). δ = 1×B is the least favourable null.\n');
  const header = ['noise', 'metrics', ...MULTIPLES.map((m) => `δ = ${m}×B`), `δ = B, cut at ${CUT_AFTER}`];
  const rows: string[][] = [];
  const atBudget: { name: string; rate: number; upper: number; trials: number }[] = [];
  let seed = SEED;
  for (const [noiseName, noise] of NOISES) {
    for (const metrics of METRIC_COUNTS) {
      const cells: Cell[] = [
        ...MULTIPLES.map((m) => ({ metrics, change: m * BUDGET, noise, budget: BUDGET })),
        { metrics, change: BUDGET, noise, budget: BUDGET, cutAfter: CUT_AFTER },
      ];
      const row = [noiseName, String(metrics)];
      for (const [i, cell] of cells.entries()) {
        // Twenty metrics cost about twenty times as much: fewer trials, stated in the table.
        const trials = metrics === 20 ? Math.max(200, Math.round(SIM_TRIALS / 4)) : SIM_TRIALS;
        const s = await summarize(cell, trials, ++seed);
        row.push(
          `${pct(s.failRate)} (${s.medianRounds}/${s.p90Rounds})${metrics === 20 && i === 0 ? ` n=${trials}` : ''}`,
        );
        if (cell.change === BUDGET)
          atBudget.push({
            name: `${noiseName}, ${metrics} metrics${cell.cutAfter ? `, cut at ${CUT_AFTER}` : ''}`,
            rate: s.failRate,
            upper: wilsonUpper(s.failRate, trials),
            trials,
          });
        process.stderr.write(`.`);
      }
      rows.push(row);
      process.stderr.write(` ${noiseName}, ${metrics} metrics done\n`);
    }
  }
  console.log(table(header, rows));
  const worst = atBudget.reduce((a, b) => (b.rate > a.rate ? b : a));
  console.log(
    `\nWorst fail rate at δ = B: ${pct(worst.rate, 2)} (${worst.name}; 95 % upper bound ${pct(worst.upper, 2)}). ` +
      `Cells at δ = B above α: ${atBudget.filter((c) => c.rate > ALPHA).length} of ${atBudget.length}; ` +
      `above α beyond simulation error (rate − 1.645·SE > α): ${atBudget.filter((c) => c.rate - 1.645 * Math.sqrt((c.rate * (1 - c.rate)) / c.trials) > ALPHA).length}.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Part 2: real processes on this machine

const EFFECTS = [0, BUDGET / 2, BUDGET, 2 * BUDGET];
const LOOP =
  'let x=1;for(let i=0;i<N;i++){x=(x*48271)%2147483647}if(x===0)console.log(x);' +
  'const u=process.cpuUsage();process.stdout.write(String(u.user+u.system))';

interface Sample {
  wall: number;
  cpu: number;
}

/** One fresh `node -e` process running `iterations` loop steps. */
function runSample(iterations: number): Sample {
  const code = LOOP.replace('N', String(Math.round(iterations)));
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  const end = process.hrtime.bigint();
  if (r.status !== 0) throw new Error(`bench workload exited with status ${r.status}`);
  const cpu = Number(r.stdout) / 1e6;
  if (!Number.isFinite(cpu)) throw new Error(`bench workload printed "${r.stdout}", expected its CPU time in µs`);
  return { wall: Number(end - start) / 1e9, cpu };
}

/**
 * Calibrates the loop on CPU time (insensitive to other load), aiming at PERFGATE_BENCH_MS per process,
 * then corrects the extra work per unit of effect on the realized change (the JIT makes extra iterations
 * cheaper than the average one).
 */
function calibrate(): { iterations: number; startup: number; extraPerUnitEffect: number } {
  const cpuOnce = (n: number) => runSample(n).cpu;
  const startup = median(Array.from({ length: 7 }, () => cpuOnce(0)));
  let iterations = 1e6;
  for (let i = 0; i < 6; i++) {
    const loop = Math.max(1e-3, median(Array.from({ length: 3 }, () => cpuOnce(iterations))) - startup);
    iterations = Math.max(1e4, iterations * (Math.max(0.01, TARGET_MS / 1000 - startup) / loop));
  }
  const loop = Math.max(1e-3, median(Array.from({ length: 7 }, () => cpuOnce(iterations))) - startup);
  const target = 2 * BUDGET;
  const firstGuess = ((startup + loop) * target * iterations) / loop;
  const b: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < 15; i++) {
    b.push(cpuOnce(iterations));
    h.push(cpuOnce(iterations + firstGuess));
  }
  const realized = median(h) / median(b) - 1;
  const correction = Math.min(4, Math.max(0.5, realized > 0 ? target / realized : 4));
  return { iterations, startup, extraPerUnitEffect: (firstGuess * correction) / target };
}

interface Decision {
  fail: boolean;
  rounds: number;
}

/** The shipped loop and gate replaying recorded samples (one suite, one metric), with the given analysis. */
async function perfgate(base: number[], head: number[], analysis: Analysis): Promise<Decision> {
  const gate = new SequentialGate({ alpha: ALPHA, minRounds: MIN_ROUNDS, maxRounds: MAX_ROUNDS, analysis }, () => ({
    kind: 'relative',
    limit: BUDGET,
    source: 'bench',
  }));
  const counts = { base: 0, head: 0 };
  const runner: SuiteRunner = {
    suite: { kind: 'command', name: 'bench', run: 'replay', warmup: 0, timeout: 60 },
    async warmup() {},
    async sample(side) {
      const value = (side === 'base' ? base : head)[counts[side]++];
      return { values: [{ id: 'bench:time', unit: 's', direction: 'lower', value }], warnings: [] };
    },
  };
  const out = await measure([runner], {
    checkouts: { base: 'b', head: 'h' },
    gate,
    maxRounds: MAX_ROUNDS,
    maxTimeS: 1e9,
    seed: 1,
    log: () => {},
  });
  const r = out.look!.results[0];
  return { fail: r.outcome === 'regression', rounds: out.rounds };
}

const OTHER_RULES: [string, (b: number[], h: number[]) => Decision][] = [
  ['1 sample per side, ratio > 1+B', (b, h) => ({ fail: h[0] / b[0] > 1 + BUDGET, rounds: 1 })],
  [
    `Mann–Whitney p < 0.05, no budget (n=${MAX_ROUNDS})`,
    (b, h) => ({ fail: mannWhitneyU(h, b).pGreater < 0.05, rounds: b.length }),
  ],
  [
    `ratio > 1.1 and p < 0.002 (n=${MAX_ROUNDS})`,
    (b, h) => ({ fail: median(h) / median(b) > 1.1 && mannWhitneyU(h, b).pTwoSided < 0.002, rounds: b.length }),
  ],
  [
    '"significant and estimate > B", re-checked every 10 rounds',
    (b, h) => {
      for (let n = 10; n <= b.length; n += 10) {
        const ci = hodgesLehmannInterval(b.slice(0, n).map(Math.log), h.slice(0, n).map(Math.log), 0.9);
        if (ci.low > 0 && Math.expm1(ci.estimate) > BUDGET) return { fail: true, rounds: n };
      }
      return { fail: false, rounds: b.length };
    },
  ],
];

async function realPart(): Promise<void> {
  const started = Date.now();
  const cal = calibrate();
  const iterationsFor = (delta: number) => cal.iterations + delta * cal.extraPerUnitEffect;
  console.log(
    `\n## Real processes — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `workload: node -e busy loop ≈ ${TARGET_MS} ms per process (start-up ${(cal.startup * 1000).toFixed(0)} ms); ` +
      `B = ${pct(BUDGET)}; ${REAL_TRIALS} trials × ${MAX_ROUNDS} rounds × ${EFFECTS.length + 1} processes`,
  );
  const rng = mulberry32(SEED);
  const METRICS = ['wall', 'cpu'] as const;
  type Trial = { base: Sample[]; heads: Sample[][] };
  const trials: Trial[] = [];
  for (let t = 0; t < REAL_TRIALS; t++) {
    const base: Sample[] = [];
    const heads: Sample[][] = EFFECTS.map(() => []);
    for (let r = 0; r < MAX_ROUNDS; r++) {
      const arms = [-1, ...EFFECTS.map((_, i) => i)];
      for (let i = arms.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [arms[i], arms[j]] = [arms[j], arms[i]];
      }
      for (const arm of arms) {
        if (arm === -1) base.push(runSample(cal.iterations));
        else heads[arm].push(runSample(iterationsFor(EFFECTS[arm])));
      }
    }
    trials.push({ base, heads });
    process.stderr.write(`real trial ${t + 1}/${REAL_TRIALS} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  for (const metric of METRICS) {
    console.log(`\n### ${metric === 'wall' ? 'Process wall time (start-up included)' : 'Process CPU time'}`);
    const realized = EFFECTS.map((_, e) =>
      median(trials.map((t) => median(t.heads[e].map((x) => x[metric])) / median(t.base.map((x) => x[metric])) - 1)),
    );
    console.log(`realized median change: ${EFFECTS.map((d, e) => `δ=${pct(d)} → ${pct(realized[e])}`).join('; ')}`);
    const header = [
      'rule',
      ...EFFECTS.map((d) => (d === 0 ? 'fail δ=0' : `fail δ=${pct(d)}`)),
      'median rounds (0 / B / 2B)',
    ];
    const rows: string[][] = [];
    const rules: [string, (b: number[], h: number[]) => Promise<Decision> | Decision][] = [
      ['perfgate, paired by round (default)', (b, h) => perfgate(b, h, 'paired')],
      ['perfgate, two-sample', (b, h) => perfgate(b, h, 'two-sample')],
      ...OTHER_RULES,
    ];
    for (const [name, rule] of rules) {
      const decisions: Decision[][] = [];
      for (const [e] of EFFECTS.entries()) {
        const d: Decision[] = [];
        for (const t of trials)
          d.push(
            await rule(
              t.base.map((x) => x[metric]),
              t.heads[e].map((x) => x[metric]),
            ),
          );
        decisions.push(d);
      }
      const rate = decisions.map((d) => d.filter((x) => x.fail).length / trials.length);
      const rounds = [0, 2, 3].map((e) => median(decisions[e].map((x) => x.rounds)));
      rows.push([name, ...rate.map((r) => pct(r)), rounds.join(' / ')]);
    }
    console.log(table(header, rows));
  }
  console.log(
    `\n(${REAL_TRIALS} trials a cell: a rate of 0 only bounds the true rate below ~${pct(3 / REAL_TRIALS)}; the simulation part has the tight figures.) ` +
      `Real part took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
}

if (PART === 'sim' || PART === 'all') await simulationPart();
if (PART === 'real' || PART === 'all') await realPart();
