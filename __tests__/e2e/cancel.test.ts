/**
 * Cancellation, end to end: the bundled action (`node dist/index.js`, as a runner runs it) and
 * the CLI (`dist/cli/index.js`) get SIGINT or SIGTERM at different moments — a build, a warm-up,
 * a command suite after some rounds, an HTTP load run. Each time: the process exits non-zero soon,
 * nothing it started runs any more (detached daemons included), both worktrees are gone, and the
 * report says "cancelled — not a verdict" with what was measured so far.
 *
 * The moments are reached by waiting for files the commands write when they start, never by
 * sleeping for a guessed time. "Soon" is asserted with a wide margin (the promise is 5 s; see
 * `npm run bench:cancel` for the measured figure).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH, entry, prEvent, startAction } from '../helpers/action';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';
import { marker, processesMatching } from '../helpers/procs';
import { git, makeRepo } from '../helpers/repo';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js');
/** Generous: the promise is 5 s, this machine is shared and loaded. */
const EXIT_WITHIN_MS = 15_000;

const SERVER = `
const http = require('node:http');
require('node:fs').writeFileSync(process.argv[2] + '/server-' + process.pid, '');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

interface Moment {
  name: string;
  /** Inputs (action) or flags (CLI) beyond the suites. */
  build?: (state: string, m: string) => string;
  suites: (state: string, m: string) => string;
  /** The file whose existence says the moment has come. */
  reached: string;
  /** Metric rows the report must show (measured before the signal). */
  rows?: string[];
}

const MOMENTS: Moment[] = [
  {
    name: 'a build (which has started a detached daemon)',
    build: (state, m) => `setsid -f sleep ${m} >/dev/null 2>&1; touch ${state}/reached; sleep ${m}`,
    suites: () => `
- name: cmd
  run: "true"
  warmup: 0`,
    reached: 'reached',
  },
  {
    name: 'a warm-up',
    suites: (state, m) => `
- name: cmd
  run: "touch ${state}/reached; sleep ${m}"
  warmup: 1`,
    reached: 'reached',
  },
  {
    name: 'a command suite, after three complete rounds',
    // Calls 1–6 (three rounds of base and head) are quick; the 7th starts a daemon and hangs.
    suites: (state, m) => `
- name: cmd
  run: "mkdir -p ${state}/calls; n=$(ls ${state}/calls | wc -l); touch ${state}/calls/$$; if [ $n -ge 6 ]; then setsid -f sleep ${m} >/dev/null 2>&1; touch ${state}/reached; sleep ${m}; fi"
  warmup: 0`,
    reached: 'reached',
    rows: ['cmd:wall'],
  },
  {
    name: 'an HTTP load run',
    suites: (state, m) => `
- name: api
  server: node server.cjs ${state} ${m}
  duration: 60s
  warmupDuration: 0s
  warmup: 0
  connections: 2
  scenarios:
    - name: root
      path: /`,
    reached: 'server-*',
  },
];

function reached(state: string, pattern: string): boolean {
  if (!pattern.endsWith('*')) return existsSync(path.join(state, pattern));
  return readdirNames(state).some((n) => n.startsWith(pattern.slice(0, -1)));
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function setup() {
  const repo = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10', 'server.cjs': SERVER });
  const baseSha = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'head');
  const state = mkdtempSync(path.join(os.tmpdir(), 'perfgate-cancel-state-'));
  return { repo, baseSha, state, m: marker() };
}

/** Waits for the moment, sends `signal`, and returns how long the process took to exit. */
async function cancelAt(child: ChildProcess, state: string, moment: Moment, signal: NodeJS.Signals) {
  await expect.poll(() => reached(state, moment.reached), { timeout: 120_000, interval: 100 }).toBe(true);
  if (moment.reached.endsWith('*')) await new Promise((r) => setTimeout(r, 1000)); // into the load run
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  const sent = performance.now();
  child.kill(signal);
  return (await exited) - sent;
}

function expectNothingLeft(repo: string, m: string, worktreeRoot: string) {
  expect(processesMatching(m)).toEqual([]);
  expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  expect(existsSync(path.join(worktreeRoot, 'base'))).toBe(false);
  expect(existsSync(path.join(worktreeRoot, 'head'))).toBe(false);
}

let github: FakeGitHub;
beforeAll(async () => {
  if (!existsSync(entry) || !existsSync(cli)) throw new Error('dist/ is missing: run `npm run bundle` first');
  github = await startFakeGitHub();
});
afterAll(async () => {
  await github?.close();
});

describe('the action, cancelled by the runner', () => {
  let pr = 100;
  for (const [i, moment] of MOMENTS.entries()) {
    const signal: NodeJS.Signals = i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
    it(`stops within seconds during ${moment.name} (${signal}), leaves nothing, and says it is not a verdict`, async () => {
      const { repo, baseSha, state, m } = setup();
      const number = pr++;
      // An earlier run's comment exists for the first moments: it is updated, not duplicated.
      const hadComment = i < 2;
      if (hadComment)
        github.seedComments('octo', 'app', number, ['<!-- perfgate:ci/bench -->\nold report'], 'github-actions[bot]');
      const inputs: Record<string, string> = { suites: moment.suites(state, m) };
      if (moment.build) inputs.build = moment.build(state, m);
      const run = startAction(github, repo, inputs, prEvent(number, baseSha));
      const ms = await cancelAt(run.child, state, moment, signal);
      const result = await run.done;
      expect(ms, `exited ${Math.round(ms)} ms after ${signal}`).toBeLessThan(EXIT_WITHIN_MS);
      expect(result.code, result.stdout).not.toBe(0);
      expectNothingLeft(repo, m, path.join(run.runnerTemp, 'perfgate'));
      expect(result.outputs.verdict).toBe('error');
      expect(result.summary).toContain(`### 🛑 perfgate: cancelled (${signal}) — not a verdict`);
      expect(result.stdout).toMatch(/::error::.*cancelled/);
      for (const row of moment.rows ?? []) expect(result.summary).toContain(`\`${row}\``);
      if (moment.rows) expect(result.summary).toContain('after 3 complete rounds');
      const comments = github.comments('octo', 'app', number);
      if (hadComment) {
        expect(comments).toHaveLength(1);
        expect(comments[0].body).toContain('cancelled');
      } else {
        expect(comments).toHaveLength(0); // a cancelled run never starts a comment
      }
    }, 180_000);
  }
});

describe('the action, cancelled while GitHub does not answer', () => {
  it('still exits within seconds, with the verdict output, the summary and nothing left', async () => {
    const { repo, baseSha, state, m } = setup();
    const moment = MOMENTS[0];
    github.seedComments('octo', 'app', 150, ['<!-- perfgate:ci/bench -->\nold report'], 'github-actions[bot]');
    const run = startAction(
      github,
      repo,
      { suites: moment.suites(state, m), build: moment.build!(state, m) },
      prEvent(150, baseSha),
    );
    await expect.poll(() => reached(state, moment.reached), { timeout: 120_000, interval: 100 }).toBe(true);
    github.failNext(10, 502, { hang: true }); // the comment update never gets an answer
    const exited = new Promise<number>((resolve) => run.child.once('exit', () => resolve(performance.now())));
    const sent = performance.now();
    run.child.kill('SIGINT');
    const ms = (await exited) - sent;
    const result = await run.done;
    expect(ms, `exited ${Math.round(ms)} ms after SIGINT`).toBeLessThan(EXIT_WITHIN_MS);
    expect(result.code).not.toBe(0);
    expectNothingLeft(repo, m, path.join(run.runnerTemp, 'perfgate'));
    expect(result.outputs.verdict).toBe('error');
    expect(result.summary).toContain('### 🛑 perfgate: cancelled (SIGINT) — not a verdict');
    expect(result.stdout).toContain('stopping now'); // the deadline, not the hanging request, ended it
  }, 180_000);
});

describe('the action, cancelled twice in quick succession', () => {
  for (const [i, moment] of [MOMENTS[0], MOMENTS[2]].entries()) {
    it(`leaves a job summary that says cancelled when a second SIGINT follows 40 ms after the first (${moment.name})`, async () => {
      const { repo, baseSha, state, m } = setup();
      const inputs: Record<string, string> = { suites: moment.suites(state, m) };
      if (moment.build) inputs.build = moment.build(state, m);
      const run = startAction(github, repo, inputs, prEvent(160 + i, baseSha));
      await expect.poll(() => reached(state, moment.reached), { timeout: 120_000, interval: 100 }).toBe(true);
      run.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 40));
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code).not.toBe(0);
      expectNothingLeft(repo, m, path.join(run.runnerTemp, 'perfgate'));
      expect(result.outputs.verdict).toBe('error');
      expect(result.summary).toContain('perfgate: cancelled (SIGINT) — not a verdict');
      expect(result.stdout).toMatch(/::error::.*cancelled/);
    }, 180_000);
  }
});

describe('the CLI, cancelled with Ctrl-C', () => {
  for (const moment of MOMENTS) {
    it(`stops within seconds during ${moment.name}, leaves nothing behind, and prints what was measured`, async () => {
      const { repo, state, m } = setup();
      mkdirSync(path.join(repo, '.github'), { recursive: true });
      writeFileSync(
        path.join(repo, '.github', 'perfgate.yml'),
        `suites:${moment.suites(state, m).replace(/\n/g, '\n  ')}\n`,
      );
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'config');
      git(repo, 'commit', '-q', '--allow-empty', '-m', 'head');
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'perfgate-cancel-tmp-'));
      const args = ['run', '--min-rounds', '6', '--max-rounds', '12'];
      if (moment.build) args.push('--build', moment.build(state, m));
      const child = spawn(process.execPath, [cli, ...args], { cwd: repo, env: { ...process.env, TMPDIR: tmp } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const ms = await cancelAt(child, state, moment, 'SIGINT');
      const code = await closed;
      expect(ms, `exited ${Math.round(ms)} ms after SIGINT`).toBeLessThan(EXIT_WITHIN_MS);
      expect(code, stderr).toBe(130);
      const dirs = readdirNames(tmp);
      expect(dirs.length).toBeLessThanOrEqual(1); // only the report files it points to
      expectNothingLeft(repo, m, path.join(tmp, dirs[0] ?? 'none', 'perfgate'));
      // The terminal report is plain text.
      expect(stdout).toContain('perfgate ERROR: cancelled (SIGINT) — not a verdict');
      for (const row of moment.rows ?? []) expect(stdout).toMatch(new RegExp(`^${row.replace(/[/]/g, '\\/')} `, 'm'));
      expect(stdout).not.toContain('before the time limit');
      const results = stderr.match(/^Results: (.+)$/m)?.[1];
      expect(results && JSON.parse(readFileSync(results, 'utf8')).cancelled).toBe('SIGINT');
    }, 180_000);
  }
});
