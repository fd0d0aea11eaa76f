/**
 * Benchmark of the decision procedure, in two parts.
 *
 * 1. Simulation (`PERFGATE_BENCH_PART=sim`): the shipped `measure()` loop and `SequentialGate` fed with
 *    seeded draws from known distributions (`bench/simulation.ts`).
 *    a. Error rates: noise CV 3 / 6 / 10 %, CV 6 % with 5 % of samples ×1.5, values rounded to a coarse
 *       step (many ties), and serial correlation (AR(1) within each side's own sequence, or shared by
 *       both sides of a round, ρ 0.2 and 0.5); suites of 1, 3 and 20 metrics; true change 0, 0.5, 0.8,
 *       1, 1.5, 2, 3 × B; and a max-time cut at an unplanned round. Per cell: fail rate, median and
 *       90th-percentile rounds. δ = B is the least favourable null: there the fail rate must be ≤ α.
 *    b. Rounds on unchanged code and at 2 × B for 1, 3, 20 and 100 metrics (CV 6 %), with the share of
 *       runs whose every metric is decided, beside the bounds no valid procedure can beat.
 *    c. The complete report: every metric of 20 regressed, and 5 of 20 regressed, at 2 × B.
 *    d. Counts without noise and counts with noise (whole numbers), including a two-valued count that
 *       breaks the "counts are deterministic" assumption.
 *    e. The price of the serial-correlation guard: the same cells with it off.
 *    f. Runs cut short (max-time at round 10 or 23): how many end green, fail, or in the error a run too
 *       short to show a regression under serial correlation gives (no evidence, no pass).
 * 2. Real processes (`PERFGATE_BENCH_PART=real`): `node -e` with a CPU-bound loop on this machine; base
 *    and four head arms (δ = 0, B/2, B, 2B) run once each per round in random order. The shipped loop and
 *    gate decide each arm, with the paired and the two-sample analysis on the same samples, next to the
 *    rules other tools use.
 *
 *   npm run bench:gate                                     # both parts
 *   PERFGATE_BENCH_PART=sim PERFGATE_BENCH_TRIALS=500 npm run bench:gate
 *
 * Environment: PERFGATE_BENCH_PART (sim | real | all), PERFGATE_BENCH_TRIALS (simulation trials per cell,
 * default 2000; a tenth, at least 200, for 20 metrics), PERFGATE_BENCH_SECTIONS (a subset of
 * errors,rounds,complete,counts,guard,short; default all), PERFGATE_BENCH_REAL_TRIALS (default 16),
 * PERFGATE_BENCH_MS (target process time, default 90), PERFGATE_BENCH_BUDGET (default 0.05),
 * PERFGATE_BENCH_SEED (default 1).
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
import { normalCdf, normalQuantileUpper } from '../src/core/stats/normal';
import { median } from '../src/core/stats/quantiles';
import { type Cell, type CellSummary, type Noise, summarize } from './simulation';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`);
  return v;
}

const PART = process.env.PERFGATE_BENCH_PART ?? 'all';
const SECTIONS = new Set(
  (process.env.PERFGATE_BENCH_SECTIONS ?? 'errors,rounds,complete,counts,guard,short').split(','),
);
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

/** Trials for a cell: fewer for the large suites (stated in the tables). */
const trialsFor = (metrics: number) =>
  metrics >= 100
    ? Math.max(40, Math.round(SIM_TRIALS / 40))
    : metrics >= 20
      ? Math.max(200, Math.round(SIM_TRIALS / 10))
      : SIM_TRIALS;

let seed = SEED;
async function run(cell: Cell, trials = trialsFor(cell.metrics)): Promise<CellSummary> {
  const s = await summarize(cell, trials, ++seed);
  process.stderr.write('.');
  return s;
}

// ---------------------------------------------------------------------------------------------
// Part 1a: error rates

const NOISES: [string, Noise][] = [
  ['CV 3 %', { cv: 0.03 }],
  ['CV 6 %', { cv: 0.06 }],
  ['CV 10 %', { cv: 0.1 }],
  ['CV 6 % + 5 % ×1.5', { cv: 0.06, outliers: { share: 0.05, factor: 1.5 } }],
  ['CV 6 %, steps of 4 %', { cv: 0.06, step: 0.04 }],
  ['CV 6 %, AR(1) ρ 0.2 within a side', { cv: 0.06, ar: { rho: 0.2, kind: 'within' } }],
  ['CV 6 %, AR(1) ρ 0.5 within a side', { cv: 0.06, ar: { rho: 0.5, kind: 'within' } }],
  ['CV 6 %, AR(1) ρ 0.2 shared', { cv: 0.06, ar: { rho: 0.2, kind: 'shared' } }],
  ['CV 6 %, AR(1) ρ 0.5 shared', { cv: 0.06, ar: { rho: 0.5, kind: 'shared' } }],
];
const METRIC_COUNTS = [1, 3, 20];
const MULTIPLES = [0, 0.5, 0.8, 1, 1.5, 2, 3];
/** The unplanned round at which the time-limit cells stop sampling. */
const CUT_AFTER = 23;

async function errorRates(): Promise<void> {
  console.log(
    `## Error rates through the shipped loop and gate — ${SIM_TRIALS} trials a cell (${trialsFor(20)} for 20 metrics), B = ${pct(BUDGET)}, α = ${ALPHA}, ` +
      `min-rounds ${MIN_ROUNDS}, max-rounds ${MAX_ROUNDS}, paired analysis; seed ${SEED}`,
  );
  console.log('Each cell: fail rate (median / 90th-percentile rounds). δ = 1×B is the least favourable null.\n');
  const header = ['noise', 'metrics', ...MULTIPLES.map((m) => `δ = ${m}×B`), `δ = B, cut at ${CUT_AFTER}`];
  const rows: string[][] = [];
  const atBudget: { name: string; rate: number; upper: number; trials: number }[] = [];
  const inside: { name: string; rate: number }[] = [];
  for (const [noiseName, noise] of NOISES) {
    for (const metrics of METRIC_COUNTS) {
      const cells: Cell[] = [
        ...MULTIPLES.map((m) => ({ metrics, change: m * BUDGET, noise, budget: BUDGET })),
        { metrics, change: BUDGET, noise, budget: BUDGET, cutAfter: CUT_AFTER },
      ];
      const row = [noiseName, String(metrics)];
      for (const cell of cells) {
        const trials = trialsFor(metrics);
        const s = await run(cell, trials);
        row.push(`${pct(s.failRate)} (${s.medianRounds}/${s.p90Rounds})`);
        const name = `${noiseName}, ${metrics} metric${metrics === 1 ? '' : 's'}`;
        if (cell.change === BUDGET)
          atBudget.push({
            name: `${name}${cell.cutAfter ? `, cut at ${CUT_AFTER}` : ''}`,
            rate: s.failRate,
            upper: wilsonUpper(s.failRate, trials),
            trials,
          });
        if (cell.change > 0 && cell.change <= 0.5 * BUDGET) inside.push({ name, rate: s.failRate });
      }
      rows.push(row);
      // The row as soon as it is done: a long run that is stopped still shows what it measured.
      process.stderr.write(` ${row.join(' | ')}\n`);
    }
  }
  console.log(table(header, rows));
  const worst = atBudget.reduce((a, b) => (b.rate > a.rate ? b : a));
  const worstInside = inside.reduce((a, b) => (b.rate > a.rate ? b : a));
  console.log(
    `\nWorst fail rate at δ = B: ${pct(worst.rate, 2)} (${worst.name}; 95 % upper bound ${pct(worst.upper, 2)}). ` +
      `Cells at δ = B above α: ${atBudget.filter((c) => c.rate > ALPHA).length} of ${atBudget.length}; ` +
      `above α beyond simulation error (rate − 1.645·SE > α): ${atBudget.filter((c) => c.rate - 1.645 * Math.sqrt((c.rate * (1 - c.rate)) / c.trials) > ALPHA).length}. ` +
      `Worst at δ = 0.5×B: ${pct(worstInside.rate, 2)} (${worstInside.name}).`,
  );
}

// ---------------------------------------------------------------------------------------------
// Part 1b: rounds, and the bounds no procedure can beat

/**
 * The chance that a metric whose true change is `delta` is declared within a budget B by round n, for the
 * uniformly most powerful level-α test with the noise known (a one-sided z-test on the mean of the n
 * paired log-ratios, SD √2·σ): Φ((log(1+B) − log(1+δ))·√n / (√2·σ) − z_α). Any valid sequential
 * procedure that stops by round n is a level-α test on those n rounds, so none declares it within budget
 * by round n more often (Neyman–Pearson); with m independent metrics each decided from its own samples,
 * none declares all m by round n more often than this to the power m.
 */
function withinBound(n: number, cv: number, delta = 0): number {
  const sigma = Math.sqrt(Math.log1p(cv * cv));
  const drift = ((Math.log1p(BUDGET) - Math.log1p(delta)) * Math.sqrt(n)) / (Math.SQRT2 * sigma);
  return normalCdf(drift - normalQuantileUpper(ALPHA));
}

async function roundsAndBounds(): Promise<void> {
  const cv = 0.06;
  console.log(`\n## Rounds at CV 6 %, B = ${pct(BUDGET)} (unchanged code, and a change of 2 × B on every metric)\n`);
  const rows: string[][] = [];
  for (const metrics of [1, 3, 20, 100]) {
    const same = await run({ metrics, change: 0, noise: { cv }, budget: BUDGET });
    const twice = await run({ metrics, change: 2 * BUDGET, noise: { cv }, budget: BUDGET });
    const by = (s: CellSummary, r: number) => pct(s.rounds.filter((x) => x <= r).length / s.trials, 0);
    rows.push([
      String(metrics),
      String(same.trials),
      `${same.medianRounds} / ${same.p90Rounds}`,
      `${by(same, 15)} / ${by(same, 20)} / ${by(same, 25)}`,
      pct(same.allDecided),
      pct(same.labelledWithin),
      pct(same.failRate, 2),
      pct(twice.failRate),
      `${twice.medianRounds} / ${twice.p90Rounds}`,
      pct(twice.labelledRegression),
    ]);
    process.stderr.write(` ${rows[rows.length - 1].join(' | ')}\n`);
  }
  console.log(
    table(
      [
        'metrics',
        'trials',
        'unchanged: median / p90 rounds',
        'runs ended by 15 / 20 / 25',
        'runs with every metric decided',
        'metrics within budget',
        'false fail',
        '2×B: fail',
        '2×B: median / p90 rounds',
        '2×B: metrics labelled regression',
      ],
      rows,
    ),
  );
  const median = (m: number) => {
    let n = 1;
    while (withinBound(n, cv) ** m < 0.5 && n < 1000) n++;
    return n;
  };
  console.log(
    `\nBounds (uniformly most powerful z-test with the noise known, each metric at level α; the rank test, which must estimate the noise, does worse):` +
      `\n- 1 metric: P(within budget by round 15) ≤ ${pct(withinBound(15, cv))}; by 50 ≤ ${pct(withinBound(50, cv))}.` +
      `\n- 3 metrics: P(all 3 by round 20) ≤ ${pct(withinBound(20, cv) ** 3)} — reachable only by spending all of α at round 20 (none before, none after); the median of any design that also decides at other rounds is later.` +
      `\n- 20 metrics: P(all 20 by round 25) ≤ ${pct(withinBound(25, cv) ** 20)}, so no valid procedure has a median of 25 rounds or fewer; the median is at least ${median(20)} rounds. P(all 20 decided by max-rounds ${MAX_ROUNDS}) ≤ ${pct(withinBound(MAX_ROUNDS, cv) ** 20)} (${pct(0.9, 0)} needs ${(() => {
        let n = 1;
        while (withinBound(n, cv) ** 20 < 0.9) n++;
        return n;
      })()} rounds).` +
      `\n- 100 metrics: P(all 100 by round ${MAX_ROUNDS}) ≤ ${pct(withinBound(MAX_ROUNDS, cv) ** 100)}; the median is at least ${median(100)} rounds.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Part 1c: the complete report after the verdict

async function completeReport(): Promise<void> {
  console.log('\n## The report after the verdict (CV 6 %, 20 metrics, a change of 2 × B on some)\n');
  const rows: string[][] = [];
  for (const [name, changes] of [
    ['all 20 at 2×B', [2 * BUDGET]],
    ['5 of 20 at 2×B', [2 * BUDGET, 0, 0, 0]],
  ] as const) {
    for (const completeReport of [true, false]) {
      const s = await run({
        metrics: 20,
        change: 0,
        changes: [...changes],
        noise: { cv: 0.06 },
        budget: BUDGET,
        completeReport,
      });
      const unchanged = Number.isNaN(s.unchangedWithin) ? '—' : pct(s.unchangedWithin);
      rows.push([
        name,
        completeReport ? 'true (default)' : 'false',
        String(s.trials),
        pct(s.failRate),
        pct(s.allRegressedLabelled),
        pct(s.labelledRegression / (changes.filter((c) => c > 0).length / changes.length)),
        unchanged,
        `${s.medianRounds} / ${s.p90Rounds}`,
        String(s.medianVerdictRound ?? '—'),
      ]);
      process.stderr.write(` ${rows[rows.length - 1].join(' | ')}\n`);
    }
  }
  console.log(
    table(
      [
        'suite',
        'complete-report',
        'trials',
        'fail',
        'runs with every regressed metric labelled',
        'regressed metrics labelled regression',
        'unchanged metrics within budget',
        'median / p90 rounds',
        'median verdict round',
      ],
      rows,
    ),
  );
}

/**
 * Metrics declared within budget leave the fail end's Holm family (they can no longer fail), so the
 * others are tested at larger levels. The fail rate must stay ≤ α when the metrics that leave are
 * themselves true nulls (at or inside the budget) beside metrics exactly at the budget.
 */
async function familyCells(): Promise<void> {
  console.log(
    '\n## The fail end when decided metrics leave the family (CV 6 %, metrics at B beside metrics inside it)\n',
  );
  const rows: string[][] = [];
  const cases: [string, Cell][] = [
    [
      '3: 1 at B, 2 at 0.8×B',
      { metrics: 3, change: 0, changes: [BUDGET, 0.8 * BUDGET, 0.8 * BUDGET], noise: { cv: 0.06 }, budget: BUDGET },
    ],
    [
      '20: 5 at B, 15 at 0',
      { metrics: 20, change: 0, changes: [BUDGET, 0, 0, 0], noise: { cv: 0.06 }, budget: BUDGET },
    ],
    [
      '20: 10 at B, 10 at 0.5×B',
      { metrics: 20, change: 0, changes: [BUDGET, 0.5 * BUDGET], noise: { cv: 0.06 }, budget: BUDGET },
    ],
    [
      '20: 10 at B, 10 at 0.8×B',
      { metrics: 20, change: 0, changes: [BUDGET, 0.8 * BUDGET], noise: { cv: 0.06 }, budget: BUDGET },
    ],
  ];
  for (const [name, cell] of cases) {
    const s = await run(cell);
    rows.push([name, String(s.trials), pct(s.failRate, 2), `${s.medianRounds} / ${s.p90Rounds}`]);
    process.stderr.write(` ${rows[rows.length - 1].join(' | ')}\n`);
  }
  console.log(table(['metrics', 'trials', 'fail (≤ α required)', 'median / p90 rounds'], rows));
}

// ---------------------------------------------------------------------------------------------
// Part 1d: counts

async function counts(): Promise<void> {
  console.log(
    '\n## Counts (unit `count`, whole numbers): without noise they are decided by their values from round 5; with noise, by the rank test\n',
  );
  const rows: string[][] = [];
  const cases: [string, Cell][] = [
    ['constant, +50 % (48 → 72)', { metrics: 1, change: 0.5, noise: { cv: 0, count: { base: 48 } }, budget: BUDGET }],
    ['constant, unchanged', { metrics: 1, change: 0, noise: { cv: 0, count: { base: 48 } }, budget: BUDGET }],
    [
      'constant, 20 metrics, unchanged',
      { metrics: 20, change: 0, noise: { cv: 0, count: { base: 4096 } }, budget: BUDGET },
    ],
    [
      '≈ 20 ± 6 % (many ties), δ = B',
      { metrics: 1, change: BUDGET, noise: { cv: 0.06, count: { base: 20 } }, budget: BUDGET },
    ],
    ['≈ 20 ± 6 %, δ = 0', { metrics: 1, change: 0, noise: { cv: 0.06, count: { base: 20 } }, budget: BUDGET }],
    [
      '≈ 20 ± 6 %, δ = 2×B',
      { metrics: 1, change: 2 * BUDGET, noise: { cv: 0.06, count: { base: 20 } }, budget: BUDGET },
    ],
    ['≈ 200 ± 1 %, δ = B', { metrics: 1, change: BUDGET, noise: { cv: 0.01, count: { base: 200 } }, budget: BUDGET }],
    [
      '≈ 200 ± 1 %, δ = 2×B',
      { metrics: 1, change: 2 * BUDGET, noise: { cv: 0.01, count: { base: 200 } }, budget: BUDGET },
    ],
    [
      'two-valued (10 or 12, half each), unchanged',
      { metrics: 1, change: 0, noise: { cv: 0, twoValued: { low: 10, high: 12 } }, budget: BUDGET },
    ],
    [
      'two-valued, 20 metrics, unchanged',
      { metrics: 20, change: 0, noise: { cv: 0, twoValued: { low: 10, high: 12 } }, budget: BUDGET },
    ],
  ];
  for (const [name, cell] of cases) {
    const s = await run(cell);
    rows.push([name, String(s.trials), pct(s.failRate, 2), `${s.medianRounds} / ${s.p90Rounds}`, pct(s.allDecided)]);
    process.stderr.write(` ${rows[rows.length - 1].join(' | ')}\n`);
  }
  console.log(table(['count', 'trials', 'fail', 'median / p90 rounds', 'runs with every metric decided'], rows));
  console.log(
    '\nThe two-valued count breaks the assumption behind deciding counts by their values (a count of the same code is the same number every time): ' +
      'both sides come out constant at different values with chance 2 · 4⁻⁵ ≈ 0.2 % at round 5, half of it in the failing direction (2 · 4⁻³ = 1/32 with 3 files a side in perfgate compare).',
  );
}

// ---------------------------------------------------------------------------------------------
// Part 1e: the serial-correlation guard

async function correlationGuard(): Promise<void> {
  console.log('\n## The serial-correlation guard, on and off (1 metric, CV 6 %)\n');
  const rows: string[][] = [];
  for (const [name, guard] of [
    ['widen (default)', 'widen'],
    ['ignore', 'ignore'],
  ] as const) {
    const cell = (change: number, noise: Noise): Cell => ({
      metrics: 1,
      change,
      noise,
      budget: BUDGET,
      serialCorrelation: guard,
    });
    const b0 = await run(cell(BUDGET, { cv: 0.06 }));
    const b2 = await run(cell(BUDGET, { cv: 0.06, ar: { rho: 0.2, kind: 'within' } }));
    const b5 = await run(cell(BUDGET, { cv: 0.06, ar: { rho: 0.5, kind: 'within' } }));
    const same = await run(cell(0, { cv: 0.06 }));
    const twice = await run(cell(2 * BUDGET, { cv: 0.06 }));
    const twice5 = await run(cell(2 * BUDGET, { cv: 0.06, ar: { rho: 0.5, kind: 'within' } }));
    rows.push([
      name,
      pct(b0.failRate),
      pct(b2.failRate),
      pct(b5.failRate),
      pct(b5.labelledWithin),
      `${same.medianRounds} / ${same.p90Rounds}`,
      `${pct(twice.failRate)} (${twice.medianRounds})`,
      pct(twice5.failRate),
    ]);
    process.stderr.write(` ${rows[rows.length - 1].join(' | ')}\n`);
  }
  console.log(
    table(
      [
        'serial correlation',
        'fail at B, ρ 0',
        'ρ 0.2',
        'ρ 0.5',
        'ρ 0.5: labelled within at B',
        'unchanged: median / p90 rounds',
        '2×B: fail (median rounds)',
        '2×B, ρ 0.5: fail',
      ],
      rows,
    ),
  );
}

async function simulationPart(): Promise<void> {
  if (SECTIONS.has('errors')) await errorRates();
  if (SECTIONS.has('rounds')) await roundsAndBounds();
  if (SECTIONS.has('complete')) {
    await completeReport();
    await familyCells();
  }
  if (SECTIONS.has('counts')) await counts();
  if (SECTIONS.has('guard')) await correlationGuard();
  if (SECTIONS.has('short')) await shortRuns();
}

/** f. Runs cut short by max-time: green, fail, or the no-evidence error (README, rule 9). */
async function shortRuns(): Promise<void> {
  console.log('\n## Runs cut short by max-time: green, fail, or "could not have shown a regression" (CV 6 %)\n');
  const ar5: Noise = { cv: 0.06, ar: { rho: 0.5, kind: 'within' } };
  const rows: string[][] = [];
  for (const [metrics, cut] of [
    [1, 10],
    [3, 10],
    [20, 23],
  ] as const) {
    for (const [label, change, noise] of [
      ['unchanged', 0, { cv: 0.06 }],
      ['δ = B', BUDGET, { cv: 0.06 }],
      ['δ = B, AR(1) ρ 0.5 within', BUDGET, ar5],
      ['δ = 2×B', 2 * BUDGET, { cv: 0.06 }],
      ['δ = 4×B', 4 * BUDGET, { cv: 0.06 }],
    ] as const) {
      const s = await run({ metrics, change, noise, budget: BUDGET, cutAfter: cut });
      rows.push([`${metrics}`, `${cut}`, label, `${s.trials}`, pct(s.passRate), pct(s.failRate), pct(s.errorRate)]);
      process.stderr.write(` ${rows[rows.length - 1].join(' | ')}\n`);
    }
  }
  console.log(table(['metrics', 'cut at round', 'true change', 'trials', 'green', 'fail', 'error'], rows));
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
