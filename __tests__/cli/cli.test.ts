/**
 * The `perfgate` command, bundled (`dist/cli/index.js`), run as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js');

function perfgate(args: string[], cwd = os.tmpdir()) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `go test -bench` output with ±1 % seeded jitter around the given ns/op values. */
function goBench(random: () => number, benchmarks: Record<string, number>): string {
  const lines = ['goos: linux', 'goarch: amd64', 'pkg: example.com/parse'];
  for (const [name, ns] of Object.entries(benchmarks)) {
    const v = ns * (1 + 0.01 * (2 * random() - 1));
    lines.push(`${name}-8   \t  100000\t     ${v.toFixed(1)} ns/op\t     512 B/op\t       4 allocs/op`);
  }
  lines.push('PASS', 'ok  \texample.com/parse\t1.234s');
  return `${lines.join('\n')}\n`;
}

function files(prefix: string, n: number, make: (i: number) => string): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), `perfgate-cli-${prefix}-`));
  return Array.from({ length: n }, (_, i) => {
    const file = path.join(dir, `${prefix}-${i}.txt`);
    writeFileSync(file, make(i));
    return file;
  });
}

describe('perfgate compare', () => {
  const random = mulberry32(5);
  const base = files('base', 8, () =>
    goBench(random, { BenchmarkParse: 12000, BenchmarkEncode: 800, BenchmarkOld: 50 }),
  );
  const head = files('head', 8, () =>
    goBench(random, { BenchmarkParse: 15000, BenchmarkEncode: 800, BenchmarkNew: 70 }),
  );

  it('finds the regression, shows one-sided benchmarks as added/removed, and exits 1', () => {
    expect(existsSync(cli), 'dist/cli/index.js is missing: run `npm run bundle`').toBe(true);
    const json = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-cli-')), 'r.json');
    const r = perfgate([
      'compare',
      '--format',
      'go',
      '--name',
      'micro',
      '--base',
      ...base,
      '--head',
      ...head,
      '--json',
      json,
    ]);
    expect(r.code, r.stderr).toBe(1);
    // Plain text for a terminal: no markdown, no entities, no zero-width characters.
    expect(r.stdout).toContain('perfgate FAIL: 1 regression beyond budget — micro/BenchmarkParse:time');
    expect(r.stdout).not.toMatch(/&#|`|\u200d|<sup>|\*\*/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.reproduce).toMatch(/^perfgate compare --format go --name micro --base \S+base-0\.txt /);
    expect(report.method).toMatchObject({ alpha: 0.05, rounds: 8, looks: [8] });
    const results = report.results as Array<{ id: string; outcome: string }>;
    const outcome = Object.fromEntries(results.map((m) => [m.id, m.outcome]));
    expect(outcome['micro/BenchmarkParse:time']).toBe('regression');
    expect(outcome['micro/BenchmarkEncode:time']).toMatch(/within-budget|inconclusive/);
    expect(outcome['micro/BenchmarkOld:time']).toBe('removed');
    expect(outcome['micro/BenchmarkNew:time']).toBe('added');
  });

  it('passes with a wide enough budget for that benchmark', () => {
    const r = perfgate([
      'compare',
      '--format',
      'go',
      '--base',
      ...base,
      '--head',
      ...head,
      '--budgets',
      'go/BenchmarkParse:time: 40%',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('decides allocations without noise from identical copies: B/op 48 → 72 and allocs/op 2 → 3 fail (exit 1)', () => {
    const fiber = (bytes: number, allocs: number) =>
      `goos: linux\ngoarch: amd64\npkg: github.com/gofiber/fiber/v2\ncpu: AMD EPYC 7763 64-Core Processor\n` +
      `Benchmark_Ctx_Accepts-4   \t 5051106\t       237.4 ns/op\t      ${bytes} B/op\t       ${allocs} allocs/op\n` +
      'PASS\nok  \tgithub.com/gofiber/fiber/v2\t3.215s\n';
    const r = perfgate([
      'compare',
      '--format',
      'go',
      '--base',
      ...files('fiber-base', 3, () => fiber(48, 2)),
      '--head',
      ...files('fiber-head', 3, () => fiber(72, 3)),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/go\/Benchmark_Ctx_Accepts:bytes/);
    expect(r.stdout).toMatch(/\+50\.0%/);
    expect(r.stdout).not.toMatch(/steps of 24/);
  });

  it('two files of noisy values a side cannot decide: exit 2, naming how many files a side would', () => {
    const r = perfgate(['compare', '--format', 'go', '--base', ...base.slice(0, 2), '--head', ...head.slice(0, 2)]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/At least \d+ samples a side \(files for perfgate compare\) would reach it/);
  });

  it('names the file and line of a truncated result, and exits 2', () => {
    const broken = files('broken', 1, () => 'goos: linux\nBenchmarkParse-8   \t  100000\t     12000');
    const r = perfgate(['compare', '--format', 'go', '--base', ...base, '--head', broken[0], head[1]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(broken[0]);
    expect(r.stderr).toMatch(/:2\b/);
  });

  it('names the flag of a bad value, as the action names the input', () => {
    const r = perfgate(['compare', '--format', 'go', '--base', ...base, '--head', ...head, '--budget', 'fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--budget: cannot read the rule "fast"');
  });

  it('explains its usage on a bad flag', () => {
    const r = perfgate(['compare', '--format', 'nope', '--base', 'a', '--head', 'b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format: expected one of hyperfine, go,');
  });
});

describe('perfgate --help', () => {
  it.each([
    [['--help'], ['perfgate run', 'perfgate compare']],
    [['help'], ['perfgate run', 'perfgate compare']],
    [
      ['run', '--help'],
      ['perfgate run', '--max-rounds N', '--alpha A'],
    ],
    [['run', '--base', 'main', '-h'], ['perfgate run']],
    [
      ['compare', '--help'],
      ['perfgate compare', '--format FMT', '--head FILE...'],
    ],
  ])('perfgate %j prints the usage and exits 0', (args, expected) => {
    const r = perfgate(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const text of expected) expect(r.stdout).toContain(text);
    expect(r.stdout).toContain('Exit status: 0 pass, 1 regression beyond budget, 2 error');
  });

  it('names an unknown flag and the command it was given to, and exits 2', () => {
    const r = perfgate(['run', '--rounds', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --rounds for "perfgate run"');
    expect(r.stderr).toContain('perfgate run [flags]');
  });
});
