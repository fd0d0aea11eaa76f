/**
 * Benchmark of soak suites with their default settings (3 runs a side of 5 minutes, 1 minute settle,
 * 1-minute envelope windows, tolerance 1 MB/min, α 5 %): seeded simulations through the shipped
 * settings parser, growth estimate, `measure()` loop, gate and verdict rule (`bench/soak-simulation.ts`).
 *
 * Memory of each simulated run: a warm-up that levels off, slow AR(1) noise (φ 0.98 per second,
 * stationary sd 0.5 MB; 1 MB in the "noisy" rows), growth both sides share (2 kB/s), and per case a
 * major-GC saw-tooth (4 MB piled up and dropped every 45 s, random phase), a run-to-run drift of the
 * growth (sd 2 kB/s) and head's extra growth. Per case: the share of runs that fail, pass and end in an
 * error, and what the rss growth metric decided. "At the tolerance" (head grows exactly 1 MB/min more)
 * is the least favourable point: there the fail rate must be ≤ α (up to the simulation's error: its
 * 95 % interval must reach α or below) — alone in the family (fd growth off),
 * beside fd growth (the default), and beside a load suite whose metrics sit at their budget's edge (one
 * α for the whole run).
 *
 *   npm run bench:soak
 *   PERFGATE_BENCH_TRIALS=200 npm run bench:soak
 *
 * Environment: PERFGATE_BENCH_TRIALS (trials per case, default 1000), PERFGATE_BENCH_SEED (default 1).
 */
import { soakTimeS } from '../src/settings/suites';
import { type MemoryProfile, PROFILE, type SoakCell, soakSettings, summarizeSoak } from './soak-simulation';

const TRIALS = Math.round(Number(process.env.PERFGATE_BENCH_TRIALS ?? 1000));
const SEED = Math.round(Number(process.env.PERFGATE_BENCH_SEED ?? 1));
const ALPHA = 0.05;
const MB = 1e6;
const TOLERANCE = 1e6 / 60;

const GC = { saw: 4 * MB, period: 45 };
const at = (leak: number, more: Partial<MemoryProfile> = {}): MemoryProfile => ({ ...PROFILE, leak, ...more });

interface Case {
  name: string;
  cell: SoakCell;
  /** What the case checks: a fail rate ≤ α (a null), ≥ 95 % (a leak), or a pass (flat). */
  check: 'null' | 'detect' | 'flat';
}

const CASES: Case[] = [
  { name: 'flat', cell: { profile: at(0) }, check: 'flat' },
  { name: 'flat, GC saw-tooth', cell: { profile: at(0, GC) }, check: 'flat' },
  { name: 'flat, GC, noisy (sd 1 MB)', cell: { profile: at(0, { ...GC, sd: 1 * MB }) }, check: 'flat' },
  {
    name: 'at the tolerance, GC, rss alone (fd off)',
    cell: { profile: at(TOLERANCE, GC), budgets: 'api:fd-growth: off' },
    check: 'null',
  },
  { name: 'at the tolerance, GC (defaults)', cell: { profile: at(TOLERANCE, GC) }, check: 'null' },
  {
    name: 'at the tolerance, GC, noisy, rss alone',
    cell: { profile: at(TOLERANCE, { ...GC, sd: 1 * MB }), budgets: 'api:fd-growth: off' },
    check: 'null',
  },
  {
    name: 'at the tolerance, GC, drift, rss alone',
    cell: { profile: at(TOLERANCE, { ...GC, drift: 2e3 }), budgets: 'api:fd-growth: off' },
    check: 'null',
  },
  {
    name: 'at the tolerance + load suite at +5 % (3 metrics)',
    cell: { profile: at(TOLERANCE, GC), load: { metrics: 3, change: 0.05, cv: 0.05 } },
    check: 'null',
  },
  { name: 'leak 3 MB/min', cell: { profile: at(3e6 / 60) }, check: 'detect' },
  { name: 'leak 3 MB/min, GC saw-tooth', cell: { profile: at(3e6 / 60, GC) }, check: 'detect' },
  { name: 'leak 3 MB/min, GC, drift', cell: { profile: at(3e6 / 60, { ...GC, drift: 2e3 }) }, check: 'detect' },
  {
    name: 'leak 3 MB/min, GC, noisy (sd 1 MB)',
    cell: { profile: at(3e6 / 60, { ...GC, sd: 1 * MB }) },
    check: 'detect',
  },
];

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The ends of a two-sided 95 % Wilson interval for a rate (the simulation error). */
function wilson(rate: number, n: number): [number, number] {
  const z = 1.96;
  const d = 1 + (z * z) / n;
  const centre = rate + (z * z) / (2 * n);
  const half = z * Math.sqrt((rate * (1 - rate)) / n + (z * z) / (4 * n * n));
  return [(centre - half) / d, (centre + half) / d];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((l) => l[c].length)));
  const line = (l: string[]) => `| ${l.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const settings = soakSettings({});
const soak = settings.suites[0].kind === 'http' ? settings.suites[0].soak! : null;
console.log(
  `Soak defaults: ${soak!.rounds} runs a side of ${soak!.duration} s (settle ${soak!.settle} s, window ${soak!.block} s), ` +
    `tolerance 1 MB/min, α ${ALPHA}: ${(2 * soak!.rounds * soak!.duration) / 60} runner-minutes of load per soak suite ` +
    `(max-time is extended by up to ${soakTimeS(settings.suites) / 60} min for it). ${TRIALS} trials a case, seed ${SEED}.\n`,
);

const rows: string[][] = [];
let ok = true;
for (const [i, c] of CASES.entries()) {
  const s = await summarizeSoak(c.cell, TRIALS, SEED * 1000 + i);
  let verdict: string;
  if (c.check === 'null') {
    // The simulation's own error: the rate holds when its 95 % interval reaches down to α or below.
    const [low, high] = wilson(s.fail, TRIALS);
    const holds = low <= ALPHA;
    ok &&= holds;
    verdict = `${holds ? 'ok' : 'FAILS'}: fail ≤ α (95 %: ${pct(low)} … ${pct(high)})`;
  } else if (c.check === 'detect') {
    const holds = s.fail >= 0.95;
    ok &&= holds;
    verdict = `${holds ? 'ok' : 'FAILS'}: caught ≥ 95 %`;
  } else {
    const holds = s.pass >= 0.95;
    ok &&= holds;
    verdict = `${holds ? 'ok' : 'FAILS'}: passes ≥ 95 %`;
  }
  rows.push([c.name, pct(s.fail), pct(s.pass), pct(s.error), pct(s.within), pct(s.inconclusive), verdict]);
  console.error(`${c.name}: done`);
}
console.log(table(['case', 'fail', 'pass', 'error', 'rss within', 'rss inconclusive', 'check'], rows));
if (!ok) process.exitCode = 1;
