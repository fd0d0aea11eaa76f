/**
 * How often the report's notes fire on clean runs of real tools: base and head differ only in a
 * README line, so every note a metric shows is one a reader would learn to skip. Each trial is one
 * `perfgate run` (the code that ships, through the CLI entry) over four suites measured
 * interleaved: a tinybench harness over nanoid (quantized nanosecond medians), a Go benchmark,
 * hyperfine (Debian's, when installed) timing a small command, and a Node.js HTTP server under the
 * built-in load driver. Prints, per suite kind, the share of metrics whose row shows a note (as
 * the comment draws it), the notes recorded in the results JSON by code, and the comment's length.
 *
 *   node --import tsx bench/notes.ts          # TRIALS=5 by default
 *
 * Needs npm (tinybench, nanoid) and Go; hyperfine is skipped when missing.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../__tests__/helpers/repo';
import { cli } from '../src/cli/cli';
import type { ComparisonReport } from '../src/core/model';
import { renderMarkdown } from '../src/core/render/markdown';
import { buildView, shownNotes } from '../src/core/render/view';
import { NANOID_BUILD, nanoidPairRepo } from './nanoid-pair';

const TRIALS = Number(process.env.TRIALS) || 5;

const GO_BENCH = `package sum

import "testing"

func Sum(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	return s
}

var sink int

func BenchmarkSum(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = Sum(1000)
	}
}
`;

const SERVER = `'use strict';
const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  let acc = 0;
  for (let i = 0; i < 20000; i++) acc = (acc * 31 + i) % 1000003;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ acc }));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function hasCommand(name: string): boolean {
  try {
    execSync(`command -v ${name}`, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The nanoid repository with its base as head too, plus the other suites' files; head changes a README line. */
function cleanRepo(): string {
  const { repo, baseSha } = nanoidPairRepo();
  git(repo, 'reset', '-q', '--hard', baseSha);
  writeFileSync(path.join(repo, 'go.mod'), 'module example.com/sum\n\ngo 1.19\n');
  writeFileSync(path.join(repo, 'sum_test.go'), GO_BENCH);
  writeFileSync(path.join(repo, 'server.cjs'), SERVER);
  writeFileSync(path.join(repo, 'README.md'), 'A clean pair.\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'suites');
  writeFileSync(path.join(repo, 'README.md'), 'A clean pair: only this line differs.\n');
  git(repo, 'commit', '-qam', 'docs');
  return repo;
}

const suites = [
  { name: 'tiny', run: 'node nanoid-bench.mjs', format: 'tinybench' },
  { name: 'go', run: "go test -run '^$' -bench . -benchtime 200ms -count 1", format: 'go' },
  ...(hasCommand('hyperfine')
    ? [
        {
          name: 'hf',
          run: "hyperfine --runs 10 --warmup 2 --style none --export-json hf.json -n node 'node -e 0'",
          format: 'hyperfine',
          output: 'hf.json',
        },
      ]
    : []),
  {
    name: 'http',
    server: 'node server.cjs',
    ready: '/health',
    connections: 2,
    duration: '1s',
    scenarios: [{ name: 'items', path: '/items' }],
  },
];

const repo = cleanRepo();
const out = mkdtempSync(path.join(os.tmpdir(), 'perfgate-bench-notes-'));
const kinds = suites.map((s) => s.name);
const perKind = new Map(kinds.map((k) => [k, { metrics: 0, noted: 0 }]));
const codes = new Map<string, number>();
const shownCodes = new Map<string, number>();
const lengths: string[] = [];
const verdicts: string[] = [];
let metricsTotal = 0;
const cwd = process.cwd();
console.log(
  `load average before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${os.cpus().length} cores)`,
);
try {
  process.chdir(repo);
  for (let t = 1; t <= TRIALS; t++) {
    const json = path.join(out, `trial-${t}.json`);
    const code = await cli([
      'run',
      '--base',
      'HEAD~1',
      '--build',
      NANOID_BUILD,
      '--profile',
      'never',
      '--seed',
      String(t),
      '--suites',
      JSON.stringify(suites),
      '--json',
      json,
    ]);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ComparisonReport;
    verdicts.push(`${report.verdict} (exit ${code})`);
    const view = buildView(report);
    for (const r of report.results) {
      metricsTotal++;
      const k = perKind.get(r.suite)!;
      k.metrics++;
      const shown = shownNotes(r, report.method.analysis);
      if (shown.length > 0) k.noted++;
      for (const w of r.warnings) codes.set(w.code, (codes.get(w.code) ?? 0) + 1);
      for (const w of shown) shownCodes.set(w.code, (shownCodes.get(w.code) ?? 0) + 1);
    }
    for (const w of report.warnings) codes.set(`run:${w.code}`, (codes.get(`run:${w.code}`) ?? 0) + 1);
    const md = renderMarkdown(report).trimEnd();
    const open = md.replace(/<details>[\s\S]*?<\/details>/g, '<details/>').split('\n').length;
    lengths.push(`${md.split('\n').length} (${open} open)`);
    console.log(
      `trial ${t}: ${verdicts.at(-1)}, ${report.results.length} metrics, ${view.footnotes.size} footnotes, ${view.runNotes.length} run notes`,
    );
  }
} finally {
  process.chdir(cwd);
  rmSync(repo, { recursive: true, force: true });
}
console.log(`\n${TRIALS} clean runs (head differs from base in a README line); results in ${out}`);
console.log('| suite | metrics | rows with a shown note | rate |');
console.log('| --- | --- | --- | --- |');
for (const [k, v] of perKind)
  console.log(`| ${k} | ${v.metrics} | ${v.noted} | ${v.metrics ? ((100 * v.noted) / v.metrics).toFixed(1) : '—'} % |`);
console.log(
  `\nnotes recorded in the results (per code, over ${metricsTotal} metrics): ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
);
console.log(`notes shown in the report: ${[...shownCodes].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
console.log(`verdicts: ${verdicts.join(', ')}; comment lines: ${lengths.join(', ')}`);
console.log(
  `load average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
