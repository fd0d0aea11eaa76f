/**
 * Safety benchmark: what the guarantees cost and whether they hold at random moments.
 *
 *   npm run bundle && npm run bench:safety -- [--runs N]
 *
 * 1. Cancellation: the bundled action (`node dist/index.js`, runner-like environment) and the CLI
 *    run a build, a command suite that starts a detached daemon and an HTTP suite; each run gets
 *    SIGINT or SIGTERM at a random moment. Reported: signal → exit (the promise: under 5 s), and
 *    any process, worktree or missing "cancelled" report left behind.
 * 2. Side isolation: the cost per sample of checking the other checkout (an lstat of every
 *    tracked file of both checkouts, in process), on a small repository and on ones with 5,000
 *    and 20,000 tracked files.
 * 3. The supervisor: milliseconds per command it adds over a bare `bash -c`.
 *
 * Figures depend on the machine and on what else runs on it: the load average is printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addWorktrees } from '../src/adapters/git';
import { runMeasured } from '../src/adapters/process';
import { IsolationGuard } from '../src/app/isolation';

const root = path.resolve(import.meta.dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 12;

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const summary = (xs: number[]) =>
  `min ${Math.min(...xs).toFixed(0)}, median ${quantile(xs, 0.5).toFixed(0)}, p90 ${quantile(xs, 0.9).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-safety-'));
  git(dir, 'init', '-q', '-b', 'main');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'base');
  git(dir, '-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-q', '--allow-empty', '-m', 'head');
  return dir;
}

function processesMatching(text: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0])) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${name} ${cmd.slice(0, 80)}`);
    } catch {
      // gone
    }
  }
  return found;
}

const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

function suites(m: string): string {
  return `
- name: cmd
  run: "setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.2; pkill -xf 'sleep ${m}' || true"
  warmup: 1
- name: api
  server: node server.cjs ${m}
  duration: 1s
  warmupDuration: 200ms
  warmup: 0
  connections: 2
  scenarios:
    - name: root
      path: /
`;
}

async function cancelOnce(kind: 'action' | 'cli', delayS: number, signal: NodeJS.Signals) {
  const m = `${7000 + Math.floor(Math.random() * 2000)}.${Date.now() % 100000}`;
  const dir = repo({
    'server.cjs': SERVER,
    '.github/perfgate.yml': `suites:${suites(m).replace(/\n/g, '\n  ')}\n`,
  });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-safety-tmp-'));
  const summaryFile = path.join(tmp, 'summary.md');
  const outputFile = path.join(tmp, 'output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  writeFileSync(path.join(tmp, 'event.json'), '{}');
  const build = `sleep 0.5; setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.5; pkill -xf 'sleep ${m}' || true`;
  const child =
    kind === 'action'
      ? spawn(process.execPath, [path.join(root, 'dist', 'index.js')], {
          cwd: dir,
          stdio: 'ignore',
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            GITHUB_ACTIONS: 'true',
            GITHUB_EVENT_NAME: 'push',
            GITHUB_EVENT_PATH: path.join(tmp, 'event.json'),
            GITHUB_OUTPUT: outputFile,
            GITHUB_STEP_SUMMARY: summaryFile,
            GITHUB_WORKSPACE: dir,
            GITHUB_REPOSITORY: 'octo/app',
            RUNNER_TEMP: tmp,
            INPUT_BUILD: build,
            INPUT_BASE: 'HEAD~1',
            'INPUT_MIN-ROUNDS': '6',
            'INPUT_MAX-ROUNDS': '8',
          },
        })
      : spawn(
          process.execPath,
          [
            path.join(root, 'dist', 'cli', 'index.js'),
            'run',
            '--build',
            build,
            '--min-rounds',
            '6',
            '--max-rounds',
            '8',
          ],
          { cwd: dir, stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } },
        );
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: performance.now() })),
  );
  const started = performance.now();
  const early = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), delayS * 1000))]);
  if (early) return { finishedFirst: true as const };
  const sent = performance.now();
  child.kill(signal);
  const { code, at } = await exited;
  const problems: string[] = [];
  if (code === 0) problems.push('exit code 0');
  const left = processesMatching(m);
  if (left.length) problems.push(`left running: ${left.join('; ')}`);
  const worktrees = git(dir, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length ?? 0;
  if (worktrees !== 1) problems.push(`${worktrees - 1} worktrees left`);
  if (kind === 'action') {
    if (!readFileSync(summaryFile, 'utf8').includes('cancelled')) problems.push('summary does not say cancelled');
    if (!/^verdict<<[^\n]*\nerror$/m.test(readFileSync(outputFile, 'utf8'))) problems.push('no verdict=error output');
  }
  return { finishedFirst: false as const, ms: at - sent, atS: (sent - started) / 1000, problems };
}

async function cancellation() {
  console.log(`\n## Cancellation at random moments (${RUNS} runs each; load ${load()})\n`);
  if (!existsSync(path.join(root, 'dist', 'index.js'))) throw new Error('run `npm run bundle` first');
  for (const kind of ['action', 'cli'] as const) {
    const times: number[] = [];
    let failures = 0;
    let finished = 0;
    for (let i = 0; i < RUNS; i++) {
      const signal: NodeJS.Signals = kind === 'cli' || i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
      const delay = 0.3 + Math.random() * 25; // from git and the build through warm-up into the rounds
      const r = await cancelOnce(kind, delay, signal);
      if (r.finishedFirst) {
        finished++;
        continue;
      }
      times.push(r.ms);
      if (r.problems.length) failures++;
      console.log(
        `${kind} ${signal} at ${r.atS.toFixed(1)} s: exit after ${r.ms.toFixed(0)} ms${r.problems.length ? ` — ${r.problems.join(', ')}` : ''}`,
      );
    }
    console.log(
      `**${kind}**: signal → exit ms: ${times.length ? summary(times) : 'n/a'}; over 5 s: ${times.filter((t) => t > 5000).length}; runs with leftovers or a missing report: ${failures}; finished before the signal: ${finished}\n`,
    );
  }
}

async function isolation() {
  console.log(`\n## Side isolation check, per sample (load ${load()})\n`);
  const many = (n: number) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[`src/d${i % 100}/f${i}.txt`] = `${i}\n`;
    return files;
  };
  for (const [name, dir] of [
    ['small (3 files)', repo({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })],
    ['5,000 tracked files', repo(many(5000))],
    ['20,000 tracked files', repo(many(20000))],
  ] as const) {
    const head = git(dir, 'rev-parse', 'HEAD');
    const base = git(dir, 'rev-parse', 'HEAD~1');
    const co = await addWorktrees(
      dir,
      mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-wt-')),
      { sha: base },
      { sha: head },
    );
    const guard = await IsolationGuard.start(co);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      guard.after(i % 2 ? 'head' : 'base', 'bench');
      times.push(performance.now() - t);
    }
    await co.remove();
    console.log(`${name}: ms per sample: ${summary(times)}`);
  }
}

async function supervisor() {
  console.log(`\n## Supervisor overhead per command (load ${load()})\n`);
  const bare = () =>
    new Promise<void>((resolve) =>
      spawn('/bin/bash', ['-c', 'true'], { stdio: 'ignore' }).on('close', () => resolve()),
    );
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 30; i++) {
    let t = performance.now();
    await runMeasured('true', { cwd: os.tmpdir(), timeoutS: 60 });
    a.push(performance.now() - t);
    t = performance.now();
    await bare();
    b.push(performance.now() - t);
  }
  console.log(`supervised \`true\`: ms ${summary(a)}\nbare bash -c true: ms ${summary(b)}`);
}

console.log(`# perfgate safety benchmark — ${os.cpus().length} cores, ${os.cpus()[0]?.model}; load ${load()}`);
await isolation();
await supervisor();
await cancellation();
console.log(`\nload at the end: ${load()}`);
