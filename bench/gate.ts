/**
 * Benchmark of the decision procedure on real processes on this machine.
 *
 * Workload: `node -e` with a CPU-bound loop; base runs N iterations, each head arm N·(1 + k·δ) with k chosen
 * so that the process wall time (start-up included) grows by about δ. Every trial runs `maxRounds` rounds;
 * in each round the base and the four head arms (δ = 0, B/2, B, 2B) run once each in random order.
 * Each head arm is then compared with the base samples by `SequentialGate` at its planned looks (stopping
 * when it is done), and — on the same raw samples — by the rules other tools use.
 *
 *   node --import tsx bench/gate.ts
 *   PERFGATE_BENCH_TRIALS=40 PERFGATE_BENCH_MS=80 node --import tsx bench/gate.ts
 *
 * Environment: PERFGATE_BENCH_TRIALS (default 16), PERFGATE_BENCH_MS (target process time, default 90),
 * PERFGATE_BENCH_MAX_ROUNDS (default 50), PERFGATE_BENCH_MIN_ROUNDS (default 10),
 * PERFGATE_BENCH_BUDGET (default 0.05), PERFGATE_BENCH_SEED (default 1).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { SequentialGate } from '../src/core/engine';
import { mulberry32 } from '../src/core/random';
import { hodgesLehmannInterval } from '../src/core/stats/hodges-lehmann';
import { mannWhitneyU } from '../src/core/stats/mann-whitney';
import { median } from '../src/core/stats/quantiles';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`);
  return v;
}

const TRIALS = Math.round(envNumber('PERFGATE_BENCH_TRIALS', 16));
const TARGET_MS = envNumber('PERFGATE_BENCH_MS', 90);
const MAX_ROUNDS = Math.round(envNumber('PERFGATE_BENCH_MAX_ROUNDS', 50));
const MIN_ROUNDS = Math.round(envNumber('PERFGATE_BENCH_MIN_ROUNDS', 10));
const BUDGET = envNumber('PERFGATE_BENCH_BUDGET', 0.05);
const SEED = Math.round(envNumber('PERFGATE_BENCH_SEED', 1));
const EFFECTS = [0, BUDGET / 2, BUDGET, 2 * BUDGET];

const LOOP =
  'let x=1;for(let i=0;i<N;i++){x=(x*48271)%2147483647}if(x===0)console.log(x);' +
  'const u=process.cpuUsage();process.stdout.write(String(u.user+u.system))';

interface Sample {
  /** Wall time of the whole process, seconds (what a command suite measures). */
  wall: number;
  /** CPU time (user + system) the process reports for itself at exit, seconds. */
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

/** CPU time of one process: robust to other load on the machine, so it is used to calibrate. */
function cpuOnce(iterations: number): number {
  return runSample(iterations).cpu;
}

/**
 * Calibrates the loop on CPU time (insensitive to other load): `startup` is the CPU time of an empty
 * process, `loop` the extra CPU time of `iterations` steps, aiming at PERFGATE_BENCH_MS per process.
 */
function calibrate(): { iterations: number; startup: number; loop: number; extraPerUnitEffect: number } {
  const startup = median(Array.from({ length: 7 }, () => cpuOnce(0)));
  let iterations = 1e6;
  for (let i = 0; i < 6; i++) {
    const loop = Math.max(1e-3, median(Array.from({ length: 3 }, () => cpuOnce(iterations))) - startup);
    const want = Math.max(0.01, TARGET_MS / 1000 - startup);
    iterations = Math.max(1e4, iterations * (want / loop));
  }
  const loop = Math.max(1e-3, median(Array.from({ length: 7 }, () => cpuOnce(iterations))) - startup);
  // The JIT makes extra iterations cheaper than the average one, so scaling by the average cost
  // realizes only about half of each intended δ. One correction step on the realized effect at 2B
  // (interleaved samples) fixes the scale; it is clamped against a noisy calibration.
  const target = 2 * BUDGET;
  const firstGuess = ((startup + loop) * target * iterations) / loop;
  const baseCpu: number[] = [];
  const headCpu: number[] = [];
  for (let i = 0; i < 15; i++) {
    baseCpu.push(cpuOnce(iterations));
    headCpu.push(cpuOnce(iterations + firstGuess));
  }
  const realized = median(headCpu) / median(baseCpu) - 1;
  const correction = Math.min(4, Math.max(0.5, realized > 0 ? target / realized : 4));
  return { iterations, startup, loop, extraPerUnitEffect: (firstGuess * correction) / target };
}

interface Decision {
  fail: boolean;
  rounds: number;
}

/** perfgate: the sequential gate at its planned looks, one metric, relative budget. */
function perfgate(base: number[], head: number[]): Decision & { outcome: string } {
  const gate = new SequentialGate(
    { alpha: 0.05, correction: 'holm', strict: false, minRounds: MIN_ROUNDS, maxRounds: MAX_ROUNDS },
    () => ({ kind: 'relative', limit: BUDGET, source: 'bench' }),
  );
  for (const look of gate.looks) {
    const res = gate.look(
      [
        {
          id: 'bench:wall',
          suite: 'bench',
          name: 'wall',
          unit: 's',
          direction: 'lower',
          base: base.slice(0, look),
          head: head.slice(0, look),
        },
      ],
      look,
      look === MAX_ROUNDS,
    );
    if (res.done) {
      const r = res.results[0];
      return { fail: r.outcome === 'regression', rounds: r.rounds, outcome: r.outcome };
    }
  }
  throw new Error('gate never finished');
}

/** One sample per side against the ratio threshold 1 + B. */
function singleSample(base: number[], head: number[]): Decision {
  return { fail: head[0] / base[0] > 1 + BUDGET, rounds: 1 };
}

/** Mann–Whitney at 0.05 (one-sided), no correction, no budget, all rounds. */
function plainMannWhitney(base: number[], head: number[]): Decision {
  return { fail: mannWhitneyU(head, base).pGreater < 0.05, rounds: base.length };
}

/** "ratio of medians > 1.1 and p < 0.002" (two-sided Mann–Whitney), all rounds. */
function ratioAndP(base: number[], head: number[]): Decision {
  return {
    fail: median(head) / median(base) > 1.1 && mannWhitneyU(head, base).pTwoSided < 0.002,
    rounds: base.length,
  };
}

/** "95 % CI of the change excludes zero", re-checked after every batch of 10 rounds until max. */
function ciPeeking(base: number[], head: number[]): Decision {
  for (let n = 10; n <= base.length; n += 10) {
    const ci = hodgesLehmannInterval(base.slice(0, n).map(Math.log), head.slice(0, n).map(Math.log), 0.95);
    if (ci.low > 0) return { fail: true, rounds: n };
  }
  return { fail: false, rounds: base.length };
}

const RULES: [string, (b: number[], h: number[]) => Decision][] = [
  ['perfgate (sequential HL/MWU, Holm, budget)', perfgate],
  ['1 sample per side, ratio > 1+B', singleSample],
  [`Mann–Whitney p < 0.05, no budget (n=${MAX_ROUNDS})`, plainMannWhitney],
  [`ratio > 1.1 and p < 0.002 (n=${MAX_ROUNDS})`, ratioAndP],
  ['95 % CI excludes 0, re-checked every 10 rounds', ciPeeking],
];

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function main(): void {
  const started = Date.now();
  const cal = calibrate();
  const total = cal.startup + cal.loop;
  // Add the iterations that make the whole process's CPU time (start-up included) grow by δ.
  const iterationsFor = (delta: number) => cal.iterations + delta * cal.extraPerUnitEffect;
  console.log(
    `perfgate gate benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`,
  );
  console.log(
    `workload: node -e busy loop, ${Math.round(cal.iterations)} iterations ≈ ${(total * 1000).toFixed(0)} ms per process ` +
      `CPU (start-up ${(cal.startup * 1000).toFixed(0)} ms); budget B = ${pct(BUDGET)}; effects δ ∈ {${EFFECTS.map(pct).join(', ')}}; ` +
      `${TRIALS} trials × ${MAX_ROUNDS} rounds × ${EFFECTS.length + 1} processes; seed ${SEED}`,
  );
  const rng = mulberry32(SEED);
  type Row = { decisions: Decision[]; outcome: string };
  const METRICS = ['wall', 'cpu'] as const;
  const rows = METRICS.map(() => EFFECTS.map((): Row[] => []));
  const realized = METRICS.map(() => EFFECTS.map((): number[] => []));
  const pairSeconds: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
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
    pairSeconds.push(2 * median(base.map((x) => x.wall)));
    METRICS.forEach((metric, mi) => {
      const b = base.map((x) => x[metric]);
      EFFECTS.forEach((_, e) => {
        const h = heads[e].map((x) => x[metric]);
        realized[mi][e].push(median(h) / median(b) - 1);
        const pg = perfgate(b, h);
        rows[mi][e].push({ decisions: RULES.map(([, rule], k) => (k === 0 ? pg : rule(b, h))), outcome: pg.outcome });
      });
    });
    const elapsed = (Date.now() - started) / 1000;
    process.stderr.write(`trial ${t + 1}/${TRIALS} done (${elapsed.toFixed(0)} s)\n`);
  }

  const pairS = median(pairSeconds);
  METRICS.forEach((metric, mi) => {
    console.log('');
    console.log(
      metric === 'wall'
        ? '## Metric: process wall time (start-up included)'
        : '## Metric: process CPU time (user + system, reported by the process)',
    );
    console.log(
      `realized median change of head vs base: ${EFFECTS.map((d, e) => `δ=${pct(d)} → ${pct(median(realized[mi][e]))}`).join('; ')}`,
    );
    console.log('');
    const header = [
      'rule',
      ...EFFECTS.map((d) => (d === 0 ? 'false fail δ=0' : `fail δ=${pct(d)}`)),
      'median rounds (δ=0 / B / 2B)',
      'median wall (δ=0)',
    ];
    const lines: string[][] = [header];
    RULES.forEach(([name], k) => {
      const rate = EFFECTS.map((_, e) => rows[mi][e].filter((row) => row.decisions[k].fail).length / TRIALS);
      const rounds = [0, 2, 3].map((e) => median(rows[mi][e].map((row) => row.decisions[k].rounds)));
      const wall = median(rows[mi][0].map((row) => row.decisions[k].rounds)) * pairS;
      lines.push([name, ...rate.map(pct), rounds.join(' / '), `${wall.toFixed(1)} s`]);
    });
    const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
    for (const [i, l] of lines.entries()) {
      console.log(`| ${l.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`);
      if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    }
    console.log('');
    const outcomes = EFFECTS.map((d, e) => {
      const counts = new Map<string, number>();
      for (const row of rows[mi][e]) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
      return `δ=${pct(d)}: ${[...counts.entries()].map(([o, c]) => `${o} ${c}`).join(', ')}`;
    });
    console.log(`perfgate outcomes: ${outcomes.join('; ')}`);
  });
  console.log('');
  console.log(
    `wall time of the benchmark: ${((Date.now() - started) / 1000).toFixed(0)} s; one base+head pair ≈ ${pairS.toFixed(2)} s`,
  );
  console.log(
    `(${TRIALS} trials per cell: a rate of 0 only says < ~${pct(3 / TRIALS)} with 95 % confidence; raise PERFGATE_BENCH_TRIALS for tighter figures)`,
  );
}

main();
