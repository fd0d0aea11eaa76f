/**
 * What profiling costs, and whether it names the slowed function: the extra wall time of the
 * profiling step for one regressed suite of each kind — a Node.js command, a Node.js HTTP server,
 * a C program under perf, a fixed-time harness over a real library (the reversed nanoid pair with
 * tinybench) — next to the time of one measured sample (base + head) of the same suite, and the
 * rank of the slowed function in "where the time went" in each of several profiling phases.
 *
 *   node --import tsx bench/profile.ts            # every case; REPEAT=5 by default for the harness
 *   node --import tsx bench/profile.ts nanoid     # only the cases whose name contains "nanoid"
 *
 * The first three fixtures are the end-to-end tests' (`__tests__/profile/fixtures.ts`): head makes
 * one named function 8 to 30 times slower. The nanoid pair (`bench/nanoid-pair.ts`, needs the npm
 * registry) changes one closure of a real library, about 2 times slower. Figures depend on the
 * machine and on whatever else runs on it; the load average is printed beside them.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { C_BUILD, cProgramRepo, nodeCommandRepo, nodeServerRepo } from '../__tests__/profile/fixtures';
import { addWorktrees, resolveCommit, workspaceHead } from '../src/adapters/git';
import { perfAvailability } from '../src/adapters/profile/perf';
import { profileSuites } from '../src/app/profile';
import { createRunner } from '../src/app/runners';
import { shareOfGrowth } from '../src/core/profile/diff';
import type { ProfileFrame } from '../src/core/profile/types';
import { whereText } from '../src/core/render/profile-view';
import { parseSuites } from '../src/settings/suites';
import { CHANGED, NANOID_BUILD, NANOID_SUITE, nanoidPairRepo } from './nanoid-pair';

interface Case {
  name: string;
  repo: () => { repo: string; baseSha: string };
  build?: string;
  /** The build needs perf (a C program). */
  perf?: boolean;
  suite: unknown;
  /** The slowed function, as the report names it. */
  expect: string;
  is: (f: ProfileFrame) => boolean;
  /** Profiling phases to run (the rank is reported for each). */
  repeat: number;
}

const CASES: Case[] = [
  {
    name: 'Node.js command',
    repo: nodeCommandRepo,
    suite: { name: 'cli', run: 'node app.js' },
    expect: 'parseRecords',
    is: (f) => f.name === 'parseRecords',
    repeat: 1,
  },
  {
    name: 'Node.js HTTP server',
    repo: nodeServerRepo,
    suite: {
      name: 'api',
      server: 'node server.js',
      ready: '/health',
      connections: 2,
      duration: '1s',
      warmupDuration: '200ms',
      scenarios: [{ name: 'items', path: '/items' }],
    },
    expect: 'renderItems',
    is: (f) => f.name === 'renderItems',
    repeat: 1,
  },
  {
    name: 'C program (perf)',
    repo: cProgramRepo,
    build: C_BUILD,
    perf: true,
    suite: { name: 'prog', run: './prog' },
    expect: 'checksum',
    is: (f) => f.name === 'checksum',
    repeat: 1,
  },
  {
    name: 'nanoid + tinybench (fixed time)',
    repo: nanoidPairRepo,
    build: NANOID_BUILD,
    suite: NANOID_SUITE,
    expect: `the customRandom closure (${CHANGED.file}:${CHANGED.line})`,
    is: (f) => f.file === CHANGED.file && f.line === CHANGED.line && !f.package,
    repeat: Number(process.env.REPEAT) || 5,
  },
];
const only = process.argv[2];

function table(head: string[], rows: string[][]): string {
  const cells = [head, ...rows];
  const width = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const perf = await perfAvailability();
const rows: string[][] = [];
console.log(
  `load average before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${os.cpus().length} cores)`,
);
for (const c of CASES) {
  if (only && !c.name.includes(only)) continue;
  if (c.perf && !perf.ok) {
    rows.push([c.name, 'skipped', '', '', '', '', perf.reason]);
    continue;
  }
  const { repo, baseSha } = c.repo();
  const base = { sha: await resolveCommit(repo, baseSha) };
  const head = await workspaceHead(repo);
  const root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-profile-'));
  const checkouts = await addWorktrees(repo, path.join(root, 'perfgate'), base, head);
  try {
    if (c.build) for (const dir of [checkouts.base, checkouts.head]) execSync(c.build, { cwd: dir });
    const { suites, issues } = parseSuites([c.suite]);
    if (issues.length) throw new Error(JSON.stringify(issues));
    const runner = createRunner(suites[0]);
    // One measured sample per side (after a warm-up run), for scale.
    await runner.sample('base', checkouts.base);
    let sampleS = 0;
    const reps = 3;
    for (let i = 0; i < reps; i++) {
      for (const side of ['base', 'head'] as const) {
        const t0 = performance.now();
        await runner.sample(side, checkouts[side]);
        sampleS += (performance.now() - t0) / 1000;
      }
    }
    sampleS /= reps;
    for (let i = 0; i < c.repeat; i++) {
      const t0 = performance.now();
      const [profile] = await profileSuites({
        checkouts,
        targets: [{ runner, metrics: [] }],
        dir: path.join(root, 'profiles'),
        relativeTo: root,
        seed: i + 1,
        log: () => {},
      });
      const totalS = (performance.now() - t0) / 1000;
      const view = profile.views[0];
      const rank = view ? view.top.findIndex((t) => c.is(view.functions[t.fn])) + 1 : 0;
      const top = view?.top[0];
      const first = top ? view.functions[top.fn] : null;
      const share = top ? shareOfGrowth(view, top) : null;
      const where = first ? `\`${first.name}\` ${whereText(first)}` : '—';
      rows.push([
        c.repeat > 1 ? `${c.name} #${i + 1}` : c.name,
        `${profile.profiler}${view ? `, per ${view.per}` : ''}`,
        `${profile.runs.base}+${profile.runs.head} (+1 probe)`,
        sampleS.toFixed(2),
        totalS.toFixed(2),
        (totalS / sampleS).toFixed(1),
        `${rank === 0 ? 'not ranked' : `rank ${rank}`}${rank === 1 ? ' ✓' : ` ✗ (expected ${c.expect} first)`}; first: ${where}${share === null ? '' : `, ${(share * 100).toFixed(0)} % of growth`}`,
      ]);
      if (profile.notes.length) console.log(`${c.name}: ${profile.notes.join(' ')}`);
    }
  } finally {
    await checkouts.remove();
    rmSync(root, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
}
console.log(
  table(
    [
      'suite',
      'profiler',
      'profiled runs (base+head)',
      'one measured round, s',
      'profiling, s',
      'in rounds',
      'top function',
    ],
    rows,
  ),
);
console.log(
  `load average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
