/**
 * End to end (`node dist/index.js` against the loopback GitHub stand-in): command suites that
 * count instructions under valgrind.
 *
 * - The check of issue 20: a C program whose head runs 3 % more loop iterations fails a 1 %
 *   budget on instructions (wall, CPU and RSS `off`) within 5 rounds; the same repository with an
 *   unchanged head passes within 5 rounds. Instruction counts of a compiled program are the same
 *   every run, so the gate decides them by their values.
 * - Where the instructions went: after a regression, callgrind's exact per-function counts of both
 *   sides name the slowed function first — in a C program, and in a Node.js program (V8's perf map
 *   names its JIT code).
 *
 * Skipped with a message when valgrind or a C compiler is missing (`.ci/run` installs valgrind).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterAvailability } from '../../src/adapters/instructions';
import { entry, prEvent, runAction } from '../helpers/action';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';
import { git, makeRepo } from '../helpers/repo';
import { C_BUILD, cProgramRepo, nodeCommandRepo } from '../profile/fixtures';

const valgrind = await counterAvailability('valgrind');
const hasCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!valgrind.ok || !hasCc)
  console.warn(`instructions e2e: skipped: ${valgrind.ok ? 'no C compiler (cc)' : valgrind.reason}`);

let github: FakeGitHub;
beforeAll(async () => {
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run bundle` first');
  github = await startFakeGitHub();
});
afterAll(async () => {
  await github?.close();
});

/** Minutes on a loaded 2-core machine: a simulated CPU runs 20–100 times slower. */
const SLOW = 600_000;

/** A C program whose loop runs LOOPS times (a compile-time constant). */
const LOOP_PROGRAM = `#include <stdio.h>
#include "loops.h"

__attribute__((noinline)) static unsigned long crunch(unsigned long n) {
  unsigned long acc = 0;
  for (unsigned long i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return acc;
}

int main(void) {
  printf("%lu\\n", crunch(LOOPS));
  return 0;
}
`;

function loopRepo(baseLoops: number, headLoops: number) {
  const repo = makeRepo({ 'prog.c': LOOP_PROGRAM, 'loops.h': `#define LOOPS ${baseLoops}UL\n` });
  const baseSha = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(path.join(repo, 'loops.h'), `#define LOOPS ${headLoops}UL\n`);
  git(repo, 'commit', '-qam', headLoops === baseLoops ? 'unchanged' : 'more loops', '--allow-empty');
  return { repo, baseSha };
}

const GATE = {
  suites: '- name: prog\n  run: ./prog\n  instructions: true\n  warmup: 0\n',
  build: 'cc -O1 -o prog prog.c',
  budgets: 'prog:instructions: 1%\nprog:wall: off\nprog:cpu: off\nprog:rss: off',
  profile: 'never',
};

/** The rows of the first "where the time went" table of a comment: [function cell, base, head, change, share]. */
function whereTheTimeWent(body: string): string[][] {
  const start = body.indexOf('#### Where the time went');
  expect(start, body).toBeGreaterThanOrEqual(0);
  const lines = body.slice(start).split('\n');
  const header = lines.findIndex((l) => /^\|\s*Function\s*\|/.test(l));
  const rows: string[][] = [];
  for (const l of lines.slice(header + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe.skipIf(!valgrind.ok || !hasCc)('instruction counts decide a 1 % budget in a few rounds', () => {
  it(
    'a head with 3 % more loop iterations fails within 5 rounds',
    async () => {
      const { repo, baseSha } = loopRepo(3_000_000, 3_090_000);
      const run = await runAction(github, repo, GATE, prEvent(61, baseSha));
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      const instructions = results.results.find((r: { id: string }) => r.id === 'prog:instructions');
      expect(instructions).toMatchObject({ outcome: 'regression', unit: 'count', counter: 'valgrind' });
      expect(instructions.rounds).toBeLessThanOrEqual(5);
      expect(instructions.change.estimate).toBeGreaterThan(0.02);
      const [comment] = github.comments('octo', 'app', 61);
      expect(comment.body).toContain("Instructions counted by valgrind's cachegrind");
    },
    SLOW,
  );

  it(
    'an unchanged head passes within 5 rounds',
    async () => {
      const { repo, baseSha } = loopRepo(3_000_000, 3_000_000);
      const run = await runAction(github, repo, GATE, prEvent(62, baseSha));
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(0);
      expect(run.outputs.verdict).toBe('pass');
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      const instructions = results.results.find((r: { id: string }) => r.id === 'prog:instructions');
      expect(instructions.outcome).toMatch(/^(within-budget|improvement)$/);
      expect(instructions.rounds).toBeLessThanOrEqual(5);
      expect(new Set(instructions.base).size).toBe(1);
    },
    SLOW,
  );
});

describe.skipIf(!valgrind.ok || !hasCc)('where the instructions went', () => {
  // One look after a fixed number of rounds, as in the profile tests.
  const ROUNDS = { 'min-rounds': '8', 'max-rounds': '8', profile: 'on-regression' };

  it(
    'a C program: callgrind names the slowed function first, with exact counts',
    async () => {
      const { repo, baseSha } = cProgramRepo(2);
      const suites = '- name: prog\n  run: ./prog\n  instructions: true\n  warmup: 0\n';
      const run = await runAction(github, repo, { suites, build: C_BUILD, ...ROUNDS }, prEvent(63, baseSha));
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      const [comment] = github.comments('octo', 'app', 63);
      const rows = whereTheTimeWent(comment.body);
      expect(rows[0][0]).toMatch(/^`checksum` prog\.c:4$/);
      // checksum runs 3,000,000 iterations of 19 instructions on base, twice that on head.
      expect(rows[0][1]).toBe('57M');
      expect(rows[0][2]).toBe('114M');
      expect(comment.body).toContain('callgrind instruction counts (exact, not sampled), 1 run per side');
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      expect(results.profiles[0].profiler).toBe('callgrind');
      expect(results.profiles[0].files.some((f: string) => /\/callgrind\.out\.\d+$/.test(f))).toBe(true);
      const html = readFileSync(run.outputs.html, 'utf8');
      expect(html).toContain('data-fn="checksum"');
    },
    SLOW,
  );

  it(
    'a Node.js program: its JIT code is named, and the slowed function comes first',
    async () => {
      const { repo, baseSha } = nodeCommandRepo(4);
      const suites = '- name: cli\n  run: node app.js\n  instructions: true\n  warmup: 0\n';
      const run = await runAction(
        github,
        repo,
        // Eight rounds: two gated metrics (2⁻⁸ is below α/2 widened for serial correlation), and each
        // Node.js sample takes seconds under valgrind.
        { suites, ...ROUNDS, 'min-rounds': '8', 'max-rounds': '8', budgets: 'cli:wall: off\ncli:rss: off' },
        prEvent(64, baseSha),
      );
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      const [comment] = github.comments('octo', 'app', 64);
      const rows = whereTheTimeWent(comment.body);
      expect(rows[0][0]).toMatch(/^`parseRecords` app\.js:5$/);
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      expect(results.profiles[0].files.some((f: string) => /\/perf-\d+\.map$/.test(f))).toBe(true);
    },
    SLOW,
  );
});
