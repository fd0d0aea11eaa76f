/**
 * Instruction counts against wall time: rounds and measuring time to a verdict, through the
 * shipped `perfgate run` on real repositories, for a C, a Go, a Rust and a Node.js program whose
 * head runs 3 % more loop iterations (and an unchanged head), at budgets of 1 % and 2 %.
 *
 *   npm run bench:instructions [-- --programs c,go,rust,node,node-predictable] [--max-rounds 30]
 *
 * Each cell is one `perfgate run` (fixed seed): mode `instructions` gates `prog:instructions`
 * (counted by valgrind) with wall, CPU and RSS `off`; mode `wall` gates `prog:wall` with the other
 * metrics `off` — the same suite, timed by the clock. "time" is the measuring phase (warm-up and
 * rounds; builds excluded). Programs whose compiler is missing are skipped with a message.
 * Figures depend on the machine and on whatever else runs on it; the load average is printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'src', 'cli', 'index.ts');
const TSX = import.meta.resolve('tsx');

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MAX_ROUNDS = arg('max-rounds', '30');
const LOOPS = 20_000_000;
const MORE = Math.round(LOOPS * 1.03);

interface Program {
  key: string;
  name: string;
  tool: string;
  files: (loops: number) => Record<string, string>;
  build?: string;
  run: string;
}

const C = `#include <stdio.h>
#include "loops.h"
__attribute__((noinline)) static unsigned long crunch(unsigned long n) {
  unsigned long acc = 0;
  for (unsigned long i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return acc;
}
int main(void) { printf("%lu\\n", crunch(LOOPS)); return 0; }
`;
const GO = `package main

import "fmt"

//go:noinline
func crunch(n uint64) uint64 {
	var acc uint64
	for i := uint64(0); i < n; i++ {
		acc = (acc*31 + i) % 1000003
	}
	return acc
}

func main() { fmt.Println(crunch(loops)) }
`;
const RUST = `include!("loops.rs");
#[inline(never)]
fn crunch(n: u64) -> u64 {
    let mut acc: u64 = 0;
    for i in 0..n { acc = (acc.wrapping_mul(31) + i) % 1000003; }
    acc
}
fn main() { println!("{}", crunch(std::hint::black_box(LOOPS))); }
`;
const NODE = `'use strict';
const loops = Number(require('node:fs').readFileSync(__dirname + '/loops.txt', 'utf8'));
function crunch(n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return acc;
}
console.log(crunch(loops));
`;

const PROGRAMS: Program[] = [
  {
    key: 'c',
    name: 'C',
    tool: 'cc',
    files: (n) => ({ 'prog.c': C, 'loops.h': `#define LOOPS ${n}UL\n` }),
    build: 'cc -O2 -o prog prog.c',
    run: './prog',
  },
  {
    key: 'go',
    name: 'Go (static)',
    tool: 'go',
    files: (n) => ({
      'main.go': GO,
      'loops.go': `package main\n\nconst loops = ${n}\n`,
      'go.mod': 'module example.com/bench\n\ngo 1.19\n',
    }),
    build: 'go build -o prog .',
    run: './prog',
  },
  {
    key: 'rust',
    name: 'Rust',
    tool: 'rustc',
    files: (n) => ({ 'main.rs': RUST, 'loops.rs': `const LOOPS: u64 = ${n};\n` }),
    build: 'rustc -O -o prog main.rs',
    run: './prog',
  },
  {
    key: 'node',
    name: 'Node.js',
    tool: 'node',
    files: (n) => ({ 'app.js': NODE, 'loops.txt': String(n) }),
    run: 'node app.js',
  },
  {
    key: 'node-predictable',
    name: 'Node.js --predictable',
    tool: 'node',
    files: (n) => ({ 'app.js': NODE, 'loops.txt': String(n) }),
    run: 'node --predictable app.js',
  },
];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function repo(program: Program, headLoops: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-instr-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.invalid');
  git(dir, 'config', 'user.name', 'bench');
  git(dir, 'config', 'commit.gpgsign', 'false');
  const write = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  };
  write(program.files(LOOPS));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  write(program.files(headLoops));
  git(dir, 'commit', '-qam', 'head', '--allow-empty');
  return dir;
}

function has(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    try {
      execFileSync(tool, ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}

interface Cell {
  verdict: string;
  outcome: string;
  rounds: number;
  seconds: number;
  change: number | null;
  spread: number;
}

function perfgate(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'run', ...args], { cwd });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

async function cell(program: Program, dir: string, mode: 'instructions' | 'wall', budget: string): Promise<Cell> {
  const suite = `- name: prog\n  run: ${program.run}\n  warmup: 1\n${mode === 'instructions' ? '  instructions: true\n' : ''}`;
  const off = ['wall', 'cpu', 'rss', 'instructions'].filter((m) => m !== mode).map((m) => `prog:${m}: off`);
  const json = path.join(dir, `results-${mode}-${budget}.json`);
  const r = await perfgate(dir, [
    '--base',
    'HEAD~1',
    '--suites',
    suite,
    ...(program.build ? ['--build', program.build] : []),
    '--budgets',
    [`prog:${mode}: ${budget}`, ...off].join('\n'),
    '--max-rounds',
    MAX_ROUNDS,
    '--profile',
    'never',
    '--seed',
    '7',
    '--json',
    json,
  ]);
  let report: {
    verdict: string;
    environment: { durationS: number };
    results: {
      id: string;
      outcome: string;
      rounds: number;
      change: { estimate: number } | null;
      base: number[];
      head: number[];
    }[];
  };
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    throw new Error(`perfgate run wrote no results (exit ${r.code}):\n${r.output.slice(-3000)}`);
  }
  const m = report.results.find((x) => x.id === `prog:${mode}`);
  const spreadOf = (xs: number[]) => (xs.length > 1 ? Math.max(...xs) / Math.min(...xs) - 1 : 0);
  return {
    verdict: report.verdict,
    outcome: m?.outcome ?? 'missing',
    rounds: m?.rounds ?? 0,
    seconds: report.environment.durationS,
    change: m?.change?.estimate ?? null,
    spread: m ? Math.max(spreadOf(m.base), spreadOf(m.head)) : 0,
  };
}

function table(head: string[], rows: string[][]): string {
  const cells = [head, ...rows];
  const width = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const wanted = arg('programs', PROGRAMS.map((p) => p.key).join(',')).split(',');
const hasValgrind = has('valgrind');
console.log(
  `load average before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )} (${os.cpus().length} cores); loops ${LOOPS} on base, ${MORE} (+3 %) on the slower head; max-rounds ${MAX_ROUNDS}`,
);
if (!hasValgrind)
  console.log('valgrind is not installed: instruction cells are skipped (`sudo apt-get install -y valgrind`).');
const HEAD = ['program', 'head', 'budget', 'gated metric', 'verdict', 'rounds', 'time', 'change', 'spread in a side'];
const rows: string[][] = [];
for (const program of PROGRAMS.filter((p) => wanted.includes(p.key))) {
  if (!has(program.tool)) {
    console.log(`${program.name}: skipped (${program.tool} not found)`);
    continue;
  }
  for (const [label, loops] of [
    ['+3 % loops', MORE],
    ['unchanged', LOOPS],
  ] as const) {
    const dir = repo(program, loops);
    for (const budget of ['1%', '2%']) {
      for (const mode of ['instructions', 'wall'] as const) {
        if (mode === 'instructions' && !hasValgrind) continue;
        const c = await cell(program, dir, mode, budget);
        const row = [
          program.name,
          label,
          budget,
          mode,
          `${c.verdict} (${c.outcome})`,
          String(c.rounds),
          `${c.seconds.toFixed(1)} s`,
          c.change === null ? '—' : `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(2)} %`,
          `${(c.spread * 100).toFixed(c.spread < 0.001 ? 4 : 2)} %`,
        ];
        rows.push(row);
        console.log(row.join(' · '));
      }
    }
  }
}
console.log();
console.log(table(HEAD, rows));
console.log(
  `load average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
