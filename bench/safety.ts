/**
 * Safety benchmark: what the guarantees cost and whether they hold at random moments.
 *
 *   npm run bundle && npm run bench:safety -- [--runs N]
 *
 * 1. Cancellation: the bundled action (`node dist/index.js`, runner-like environment) and the CLI
 *    run a build, a command suite that starts a detached daemon and an HTTP suite; each run gets
 *    SIGINT or SIGTERM at a random moment. Reported: signal → exit (the promise: under 5 s), and
 *    any process, worktree or missing "cancelled" report left behind.
 * 2. Side isolation: the cost per check of the other checkout (inotify through supervisor.py,
 *    and the walking fallback), on a small repository, one with 20,000 tracked files, and the
 *    same with a node_modules of 50,000 files in each checkout; the one-time cost of watching a
 *    fresh node_modules after a build; and that a write into the other side's node_modules is
 *    seen.
 * 3. Per-sample overhead: what a sample costs beyond the measured command (the supervisor's
 *    round trip, the fork of its runner, the isolation check), against a bare `bash -c true`
 *    spawned from node. Also the `rss` floor a tiny command reports (the runner's size).
 * 4. Escapes: daemons started by setsid, a double fork, and a command that kills its supervisor
 *    (and the supervisor too): found, named and killed.
 *
 * Figures depend on the machine and on what else runs on it: the load average is printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckoutWatcher } from '../src/adapters/checkout-watch';
import { addWorktrees, gitDirOf } from '../src/adapters/git';
import { runMeasured } from '../src/adapters/process';
import { describeProcess, isLive, processTable } from '../src/adapters/procfs';
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
const summary = (xs: number[], digits = 0) =>
  `min ${Math.min(...xs).toFixed(digits)}, median ${quantile(xs, 0.5).toFixed(digits)}, p90 ${quantile(xs, 0.9).toFixed(digits)}, max ${Math.max(...xs).toFixed(digits)}`;

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
  return (processTable() ?? [])
    .filter((p) => isLive(p) && p.pid !== process.pid)
    .map((p) => describeProcess(p.pid))
    .filter((d) => d.includes(text));
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

/** A node_modules of `files` files shaped like npm's: packages of 40 files in 4 directories. */
function nodeModules(dir: string, files: number): void {
  for (let p = 0; p * 40 < files; p++) {
    const pkg = path.join(dir, 'node_modules', p % 5 === 0 ? `@scope${p % 50}/pkg${p}` : `pkg${p}`);
    for (const sub of ['lib/util', 'dist']) mkdirSync(path.join(pkg, sub), { recursive: true });
    for (let f = 0; f < 40; f++) {
      const where = f < 4 ? '' : f < 24 ? 'lib' : f < 34 ? 'lib/util' : 'dist';
      writeFileSync(path.join(pkg, where, `f${f}.js`), `module.exports = ${f};\n`);
    }
  }
}

async function isolation() {
  console.log(`\n## Side isolation, per check of the other checkout (load ${load()})\n`);
  const many = (n: number) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[`src/d${i % 100}/f${i}.txt`] = `${i}\n`;
    return files;
  };
  const cases = [
    ['small (3 files)', 3, 0],
    ['20,000 tracked files', 20_000, 0],
    ['20,000 tracked files + node_modules of 50,000 files (each side)', 20_000, 50_000],
  ] as const;
  for (const [name, tracked, modules] of cases) {
    const dir = repo(tracked === 3 ? { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' } : many(tracked));
    const head = git(dir, 'rev-parse', 'HEAD');
    const base = git(dir, 'rev-parse', 'HEAD~1');
    const co = await addWorktrees(
      dir,
      mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-wt-')),
      { sha: base },
      { sha: head },
    );
    for (const mode of ['inotify', 'walk'] as const) {
      let t = performance.now();
      const watcher = await CheckoutWatcher.start(
        {
          base: { dir: co.base, gitDir: await gitDirOf(co.base) },
          head: { dir: co.head, gitDir: await gitDirOf(co.head) },
        },
        { walk: mode === 'walk' },
      );
      const startMs = performance.now() - t;
      // The builds: each side installs its node_modules, then the check after each build.
      let buildMs = 0;
      if (modules > 0) {
        for (const side of ['base', 'head'] as const) {
          if (!existsSync(path.join(co[side], 'node_modules'))) nodeModules(co[side], modules);
          t = performance.now();
          const r = await watcher.check(side);
          buildMs += performance.now() - t;
          if (r.count > 0) throw new Error(`a build was seen writing the other side: ${JSON.stringify(r)}`);
        }
      }
      const times: number[] = [];
      for (let i = 0; i < (mode === 'walk' ? 6 : 200); i++) {
        t = performance.now();
        await watcher.check(i % 2 ? 'head' : 'base');
        times.push(performance.now() - t);
      }
      // A write into the other side's untracked files (its node_modules, else an untracked file) is seen.
      const victim =
        modules > 0 ? path.join(co.base, 'node_modules', 'pkg1', 'lib', 'util', 'f30.js') : path.join(co.base, 'x.js');
      writeFileSync(victim, 'module.exports = "changed";\n');
      const seen = await watcher.check('head');
      watcher.close();
      console.log(
        `${name}, ${mode}${mode === 'inotify' ? ` (${watcher.directories} directories watched)` : ''}: ` +
          `ms per check: ${summary(times, 2)}; start ${startMs.toFixed(0)} ms` +
          `${modules > 0 ? `, the two checks after the builds (watching the new node_modules) ${buildMs.toFixed(0)} ms` : ''}; ` +
          `a write into base's ${path.relative(co.base, victim)} by head: ${seen.count > 0 ? `seen (${seen.writes[0]?.path}, ${seen.writes[0]?.kind})` : 'NOT SEEN'}`,
      );
    }
    await co.remove();
  }
}

async function overhead() {
  console.log(`\n## Per-sample overhead beyond the measured command (load ${load()})\n`);
  const bare = () =>
    new Promise<void>((resolve) =>
      spawn('/bin/bash', ['-c', 'true'], { stdio: 'ignore' }).on('close', () => resolve()),
    );
  const dir = repo(
    Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`src/d${i % 100}/f${i}.txt`, `${i}\n`])),
  );
  const co = await addWorktrees(
    dir,
    mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-wt-')),
    { sha: git(dir, 'rev-parse', 'HEAD~1') },
    { sha: git(dir, 'rev-parse', 'HEAD') },
  );
  const guard = await IsolationGuard.start(co);
  await runMeasured('true', { cwd: co.base, timeoutS: 60 }); // the supervisor's start, once per run
  const sample: number[] = [];
  const command: number[] = [];
  const check: number[] = [];
  const bareMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 200; i++) {
    const side = i % 2 ? 'head' : 'base';
    let t = performance.now();
    const run = await runMeasured('true', { cwd: co[side], timeoutS: 60 });
    const ran = performance.now() - t;
    const c0 = performance.now();
    await guard.after(side, 'bench');
    const checked = performance.now() - c0;
    sample.push(ran + checked - run.wallS * 1000);
    command.push(ran - run.wallS * 1000);
    check.push(checked);
    if (run.rssB !== null) rss.push(run.rssB / 1024);
    t = performance.now();
    await bare();
    bareMs.push(performance.now() - t);
  }
  guard.close();
  await co.remove();
  console.log(
    `per sample beyond the measured command (\`true\`, 20,000 tracked files; ${guard.how}): ms ${summary(sample, 1)}\n` +
      `  of which the supervisor (request, runner fork, report, output pipes): ms ${summary(command, 1)}\n` +
      `  of which the isolation check: ms ${summary(check, 2)}\n` +
      `bare \`bash -c true\` spawned from node, whole: ms ${summary(bareMs, 1)}\n` +
      `rss reported for \`true\` (the floor: the runner's size, KiB): ${summary(rss, 0)}`,
  );
}

async function escapes() {
  console.log(`\n## Escapes (load ${load()})\n`);
  const cases: [string, (m: string) => string][] = [
    ['setsid -f', (m) => `setsid -f sleep ${m} >/dev/null 2>&1`],
    ['double fork', (m) => `(setsid sh -c 'sleep ${m} & exit' &) ; sleep 0.2`],
    ['kill -9 $PPID', (m) => `setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.1; kill -9 $PPID; sleep 1`],
    [
      'kills the supervisor too',
      (m) =>
        `setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.1; kill -9 $(awk '{print $4}' /proc/$PPID/stat) $PPID; sleep 1`,
    ],
  ];
  for (const [name, command] of cases) {
    const m = `${6000 + Math.floor(Math.random() * 2000)}.${Date.now() % 100000}`;
    const run = await runMeasured(command(m), { cwd: os.tmpdir(), timeoutS: 60 });
    const left = processesMatching(m);
    console.log(
      `${name}: ${run.lost ? `lost (${run.lost})` : `exit ${run.exitCode}`}; named: ${run.leftBehind.some((l) => l.includes(m)) ? 'yes' : 'NO'}; still running after: ${left.length ? left.join('; ') : 'nothing'}`,
    );
  }
}

console.log(`# perfgate safety benchmark — ${os.cpus().length} cores, ${os.cpus()[0]?.model}; load ${load()}`);
await overhead();
await escapes();
await isolation();
await cancellation();
console.log(`\nload at the end: ${load()}`);
