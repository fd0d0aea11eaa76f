/**
 * `perfgate run` from a developer's clone, with real suites: a command suite and an HTTP suite
 * whose head server is made 20 ms slower per request. The effect is far beyond any noise on this
 * machine, so the assertions are about wiring (metrics, ids, units, outcome), not statistics.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/repo';
import { nodeCommandRepo } from '../profile/fixtures';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js');

const SERVER = `
const http = require('node:http');
const delay = Number(require('node:fs').readFileSync('delay.txt', 'utf8'));
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  setTimeout(() => res.end(JSON.stringify({ items: [1, 2, 3] })), delay);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const CONFIG = `
suites:
  - name: hello
    run: node -e "console.log('hi')"
    warmup: 0
  - name: api
    server: node server.cjs
    ready: /health
    connections: 2
    duration: 300ms
    warmupDuration: 100ms
    warmup: 0
    scenarios:
      - name: items
        path: /items
`;

function run(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('perfgate run', () => {
  // Ten rounds of a server per side on a shared 2-core machine: more than the default minute.
  it('measures command and HTTP suites on both commits and flags the slower server', { timeout: 300_000 }, async () => {
    const repo = makeRepo({ '.github/perfgate.yml': CONFIG, 'server.cjs': SERVER, 'delay.txt': '0' });
    writeFileSync(path.join(repo, 'delay.txt'), '20');
    git(repo, 'commit', '-qam', 'slower');
    const json = path.join(repo, '..', `${path.basename(repo)}-results.json`);
    const r = await run(repo, [
      '--base',
      'HEAD~1',
      '--min-rounds',
      '8',
      '--max-rounds',
      '8',
      // One gated metric: eight paired rounds cannot reach a Holm level shared by eleven once the fail
      // end allows for serial correlation (the smallest signed-rank p with 8 pairs is 1/256).
      '--budget',
      'off',
      '--budgets',
      'api/items:p50: 10%',
      '--json',
      json,
      '--seed',
      '3',
      // Profiling after a regression has its own end-to-end tests; here it would only cost time.
      '--profile',
      'never',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stderr).toContain('Comparing base');
    const results = JSON.parse(readFileSync(json, 'utf8')).results as Array<{
      id: string;
      unit: string;
      outcome: string;
      suite: string;
      case?: string;
      name: string;
      percentile?: number;
      base: number[];
    }>;
    const byId = new Map(results.map((m) => [m.id, m]));
    for (const id of [
      'hello:wall',
      'hello:cpu',
      'hello:rss',
      'api/items:p50',
      'api/items:p99',
      'api/items:throughput',
      'api/items:errors',
    ]) {
      expect(byId.has(id), `${id} in ${[...byId.keys()].join(', ')}`).toBe(true);
    }
    // The facts of a metric are taken where it is measured and carried to the results.
    expect(byId.get('api/items:p50')).toMatchObject({
      unit: 's',
      outcome: 'regression',
      suite: 'api',
      case: 'items',
      name: 'p50',
      percentile: 50,
    });
    expect(byId.get('hello:wall')).toMatchObject({ suite: 'hello', name: 'wall' });
    expect(byId.get('hello:wall')).not.toHaveProperty('case');
    expect(byId.get('api/items:p50')!.base).toHaveLength(8);
    expect(r.stdout).toMatch(/^api\/items:p50 +\S/m);
    expect(r.stdout).not.toMatch(/&#|\u200d|<sup>/);
  });

  it('reports a suite the PR adds to the config file as new on head: measured on head only, never run on base', async () => {
    const repo = makeRepo({
      '.github/perfgate.yml': 'suites:\n  - name: hello\n    run: node -e "1"\n    warmup: 0\n',
      'lib.cjs': LIB(10),
    });
    writeFileSync(
      path.join(repo, '.github/perfgate.yml'),
      `${readFileSync(path.join(repo, '.github/perfgate.yml'))}${IDS_SUITE}`,
    );
    mkdirSync(path.join(repo, 'bench'));
    writeFileSync(path.join(repo, 'bench', 'ids.cjs'), IDS_BENCH);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'add the ids benchmark');
    const json = path.join(repo, '..', `${path.basename(repo)}-new.json`);
    const r = await run(repo, [
      '--base',
      'HEAD~1',
      '--min-rounds',
      '8',
      '--max-rounds',
      '8',
      '--json',
      json,
      '--seed',
      '5',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('Suite "ids" is new on head');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.errors).toEqual([]);
    const ids = report.results.find((m) => m.id === 'ids/make:time');
    expect(ids).toMatchObject({ outcome: 'added', base: [] });
    expect(ids!.head).toHaveLength(8);
    expect(report.results.find((m) => m.id === 'hello:wall')?.base).toHaveLength(8);
    const note = report.warnings.find((w) => w.code === 'new-on-head');
    expect(note?.text).toMatch(
      /^Suite "ids" is new on head: base's configuration \(\.github\/perfgate\.yml at [0-9a-f]{7}\) does not list it, so it is measured on head only/,
    );
  });

  it('reports a suite that exists on base and fails only there as an error naming the side, the exit status and the output', async () => {
    // The issue's reproduction: the suite fails in the base checkout only, and head is a third slower.
    const suite = `suites:\n  - name: cli\n    run: node cli.cjs && test "\${PWD##*/}" != base\n    warmup: 0\n`;
    const repo = makeRepo({
      '.github/perfgate.yml': suite,
      'cli.cjs': 'const t = Date.now(); while (Date.now() - t < 30);\n',
    });
    writeFileSync(path.join(repo, 'cli.cjs'), 'const t = Date.now(); while (Date.now() - t < 40);\n');
    git(repo, 'commit', '-qam', 'a third slower');
    const json = path.join(repo, '..', `${path.basename(repo)}-base-fails.json`);
    const r = await run(repo, ['--base', 'HEAD~1', '--min-rounds', '8', '--max-rounds', '8', '--json', json]);
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.stdout).toContain('perfgate ERROR');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.errors[0]).toMatch(
      /^suite "cli" on base: "node cli.cjs && test .*" exited with code 1 — it is in base's configuration \(\.github\/perfgate\.yml at [0-9a-f]{7}\), so it is not new on head/,
    );
    expect(report.results.every((m) => m.outcome !== 'added')).toBe(true);
    expect(report.warnings.some((w) => w.code === 'new-on-head')).toBe(false);
  });

  it('with --bench-from-head, takes a benchmark file new on head as evidence of a new suite, and nothing else', async () => {
    const inline = `- name: ids\n  run: node bench/ids.cjs\n  format: json\n  warmup: 0\n`;
    // The PR adds bench/ids.cjs, which needs an API base's library lacks: new, measured on head only.
    const repo = makeRepo({ 'lib.cjs': 'exports.other = 1;\n', 'bench/other.cjs': '' });
    writeFileSync(path.join(repo, 'lib.cjs'), LIB(10));
    writeFileSync(path.join(repo, 'bench', 'ids.cjs'), IDS_BENCH);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'add ids');
    const json = path.join(repo, '..', `${path.basename(repo)}-new-file.json`);
    const flags = ['--base', 'HEAD~1', '--suites', inline, '--bench-from-head', 'bench/', '--min-rounds', '4'];
    const r = await run(repo, [...flags, '--max-rounds', '8', '--json', json]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.warnings.find((w) => w.code === 'new-on-head')?.text).toContain(
      'its file bench/ids.cjs (bench-from-head) is new on head',
    );
    expect(report.results.find((m) => m.id === 'ids/make:time')).toMatchObject({ outcome: 'added', base: [] });

    // The same benchmark file already on base, and head's version fails there: an error, not "added".
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'base now has bench/ids.cjs');
    writeFileSync(
      path.join(repo, 'bench', 'ids.cjs'),
      `if (process.cwd().endsWith('/base')) process.exit(3);\n${IDS_BENCH}`,
    );
    git(repo, 'commit', '-qam', 'benchmark that fails on base');
    const again = await run(repo, [...flags, '--max-rounds', '8', '--json', json]);
    expect(again.code, again.stderr + again.stdout).toBe(2);
    const second = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(second.errors[0]).toMatch(
      /^suite "ids" on base: "node bench\/ids.cjs" exited with code 3 — nothing shows it is new on head/,
    );
  });

  it('runs the PR’s benchmark files against both builds with --bench-from-head', async () => {
    const repo = makeRepo({ '.github/perfgate.yml': `suites:${IDS_SUITE}`, 'lib.cjs': LIB(10) });
    writeFileSync(path.join(repo, 'lib.cjs'), LIB(20)); // the library gets twice as slow …
    mkdirSync(path.join(repo, 'bench'));
    writeFileSync(path.join(repo, 'bench', 'ids.cjs'), IDS_BENCH); // … in the PR that adds its benchmark
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'slower ids, with a benchmark');
    const json = path.join(repo, '..', `${path.basename(repo)}-from-head.json`);
    const r = await run(repo, [
      '--base',
      'HEAD~1',
      '--bench-from-head',
      'bench/',
      // One look at round 8: the signed-rank test's smallest p (1/256) is below the fail end's level once
      // widened for serial correlation; 6 rounds (1/64) are not, and settings refuse them.
      '--min-rounds',
      '8',
      '--max-rounds',
      '8',
      '--budget',
      '10%',
      '--json',
      json,
      '--seed',
      '6',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const ids = report.results.find((m) => m.id === 'ids/make:time');
    expect(ids).toMatchObject({ outcome: 'regression' });
    expect(ids!.base).toHaveLength(8);
    expect(report.warnings.find((w) => w.code === 'bench-from-head')?.text).toContain('1 file copied from head');
    expect(report.reproduce).toContain('benchFromHead:\n  - bench\n');
  });
});

interface Report {
  errors: string[];
  reproduce: string;
  warnings: { code: string; text: string }[];
  results: { id: string; outcome: string; base: number[]; head: number[] }[];
}

/** The library under test: `make()` reports a cost of `ms` (± 1 %). */
const LIB = (ms: number) => `exports.make = () => ${ms} * (1 + 0.01 * (Math.random() * 2 - 1));\n`;

/** A benchmark the PR adds, reporting in perfgate's json format. */
const IDS_BENCH = `
const { make } = require('../lib.cjs');
console.log(JSON.stringify({ benchmarks: [{ name: 'make', metrics: [{ name: 'time', value: make(), unit: 'ms', direction: 'lower' }] }] }));
`;

const IDS_SUITE = `
  - name: ids
    run: node bench/ids.cjs
    format: json
`;

describe('perfgate run: where the time went in the terminal', () => {
  it('prints the profile’s top rows and keeps the raw profiles beside --json and --html', {
    timeout: 300_000,
  }, async () => {
    const { repo, baseSha } = nodeCommandRepo();
    const out = mkdtempSync(path.join(os.tmpdir(), 'perfgate-cli-out-'));
    const reports = path.join(out, 'reports');
    mkdirSync(reports);
    const r = await run(repo, [
      '--base',
      baseSha,
      '--suites',
      '- { name: cli, run: node app.js }',
      '--min-rounds',
      '8',
      '--max-rounds',
      '8',
      '--json',
      path.join(out, 'results.json'),
      '--html',
      path.join(reports, 'report.html'),
    ]);
    expect(r.code, r.stderr).toBe(1);
    const section = r.stdout.slice(r.stdout.indexOf('Where the time went: cli'));
    expect(section.split('\n')[3], r.stdout).toMatch(/^ {2}parseRecords app\.js:5 /);
    for (const dir of [out, reports]) {
      const files = readdirSync(path.join(dir, 'perfgate-profiles', 'cli'), { recursive: true });
      expect(files.some((f) => String(f).endsWith('.cpuprofile'))).toBe(true);
    }
    expect(section).toContain(`in ${path.join(out, 'perfgate-profiles', 'cli')}/`);
    expect(r.stderr).toContain(`Raw profiles: ${path.join(out, 'perfgate-profiles')}`);
  });
});
