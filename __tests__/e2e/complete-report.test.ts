/**
 * End to end (`node dist/index.js`): a PR that regresses 500 metrics, one of them with a
 * 10,000-character name. The comment must keep every regression row within GitHub's 65,536
 * characters, the job summary must carry the whole report, the results JSON the full id, and the
 * failure annotation must name at most 10 ids.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prEvent, runAction, useFakeGitHub } from '../helpers/action';
import { git, makeRepo } from '../helpers/repo';

const LONG = 'x'.repeat(10_000);
const METRICS = 500;

/** 500 benchmarks in perfgate's json format, each reporting `value.txt` ms × (1 ± 1 %). */
const MANY = `
const fs = require('node:fs');
const v = Number(fs.readFileSync('value.txt', 'utf8'));
const benchmarks = [];
for (let i = 0; i < ${METRICS}; i++) {
  const name = i === 7 ? 'b7-${LONG}' : 'benchmark-with-a-fairly-long-name-' + i;
  benchmarks.push({ name, metrics: [{ name: 'time', value: v * (1 + 0.01 * (Math.random() * 2 - 1)), unit: 'ms', direction: 'lower' }] });
}
console.log(JSON.stringify({ benchmarks }));
`;

const github = useFakeGitHub();

describe('a report too large for a comment', () => {
  it('keeps every regression row in the comment, the whole report in the summary, ≤ 10 ids in the annotation', {
    timeout: 300_000,
  }, async () => {
    const repo = makeRepo({ 'bench.cjs': MANY, 'value.txt': '10' });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'value.txt'), '15');
    git(repo, 'commit', '-qam', 'slower');
    const suites = '\n- name: many\n  run: node bench.cjs\n  format: json\n  warmup: 0\n';
    const run = await runAction(github, repo, { suites }, prEvent(40, baseSha), {
      // 500 metrics share the fail end's α: at 20 rounds the rank test, with its allowance for serial
      // correlation, cannot reach α/500 for every one of them (the run would say which need more rounds).
      'INPUT_MIN-ROUNDS': '30',
      'INPUT_MAX-ROUNDS': '30',
    });
    expect(run.code, run.stdout.slice(-2000)).toBe(1);
    expect(run.outputs.regressions).toBe(String(METRICS));

    const [comment] = github.comments('octo', 'app', 40);
    expect(comment.body.length).toBeLessThanOrEqual(65_536);
    const rows = comment.body.split('\n').filter((l) => l.startsWith('| `many/'));
    expect(rows).toHaveLength(METRICS);
    expect(rows.every((l) => l.includes('❌ regression'))).toBe(true);
    // Names are shortened in the middle for display; no row is padded to the longest name.
    expect(comment.body).not.toContain(LONG.slice(0, 200));
    expect(
      Math.max(
        ...comment.body
          .split('\n')
          .filter((l) => l.startsWith('|'))
          .map((l) => l.length),
      ),
    ).toBeLessThan(400);

    // The summary is rendered on its own, with everything (within its 1 MiB).
    expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(run.summary.split('\n').filter((l) => l.startsWith('| `many/'))).toHaveLength(METRICS);
    expect(run.summary).not.toContain('left out to fit');
    expect(run.summary).toContain('```mermaid');

    // The full id is in the results JSON.
    const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
    expect(results.results.some((r: { id: string }) => r.id === `many/b7-${LONG}:time`)).toBe(true);

    // The failure annotation names 10 ids and how many more, each shortened.
    const annotation = run.stdout.split('\n').find((l) => l.includes('regression beyond budget in'));
    expect(annotation).toBeDefined();
    expect(annotation).toContain(`and ${METRICS - 10} more`);
    expect(annotation!.match(/many\//g)).toHaveLength(10);
    expect(annotation!.length).toBeLessThan(1500);
  });
});
