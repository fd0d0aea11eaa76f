/**
 * What a run leaves behind and how it names failures, through the real CLI: a suite that fails
 * only on head is that suite's error (not "removed" metrics); a benchmark that detaches a daemon
 * is an error that says so, and the daemon is gone; the scratch directory goes, except the report
 * files the user is pointed to.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { marker, processesMatching } from '../helpers/procs';
import { git, makeRepo } from '../helpers/repo';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js');

function run(cwd: string, args: string[], tmp: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { cwd, env: { ...process.env, TMPDIR: tmp } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function repoWith(suites: string) {
  const repo = makeRepo({ '.github/perfgate.yml': `suites:\n${suites}` });
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'head');
  return repo;
}

const ARGS = ['--base', 'HEAD~1', '--min-rounds', '8', '--max-rounds', '8'];
const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'perfgate-hygiene-'));

describe('the CLI', () => {
  it('reports a suite that fails only on head as its error, not as removed metrics', async () => {
    const repo = repoWith(
      '  - name: fine\n    run: "true"\n    warmup: 0\n' +
        '  - name: broken\n    run: test "$(basename "$PWD")" = base\n    warmup: 0\n',
    );
    const r = await run(repo, ARGS, scratch());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/suite "broken" on head: .* exited with code 1/);
    expect(r.stdout).not.toContain('removed');
    // The terminal report is plain text: one row per metric, the id first.
    expect(r.stdout).not.toMatch(/^broken:wall /m);
    expect(r.stdout).toMatch(/^fine:wall /m);
  });

  it('fails a benchmark that leaves a daemon running, says so, and kills the daemon', async () => {
    const m = marker();
    const repo = repoWith(`  - name: daemon\n    run: setsid -f sleep ${m} >/dev/null 2>&1\n    warmup: 0\n`);
    const r = await run(repo, ARGS, scratch());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/suite "daemon" on (base|head): .* left a background process running .*sleep/);
    expect(processesMatching(m)).toEqual([]);
  });

  it('leaves nothing in the temp directory when --json and --html are given', async () => {
    const repo = repoWith('  - name: quick\n    run: "true"\n    warmup: 0\n');
    const tmp = scratch();
    const out = scratch();
    const r = await run(repo, [...ARGS, '--json', path.join(out, 'r.json'), '--html', path.join(out, 'r.html')], tmp);
    expect(r.code, r.stderr).not.toBe(2);
    expect(readdirSync(tmp)).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(out, 'r.json'), 'utf8')).results.length).toBeGreaterThan(0);
  });

  it('keeps only the report files it points to when no --json or --html is given', async () => {
    const repo = repoWith('  - name: quick\n    run: "true"\n    warmup: 0\n');
    const tmp = scratch();
    const r = await run(repo, ARGS, tmp);
    expect(r.code, r.stderr).not.toBe(2);
    const [dir, ...more] = readdirSync(tmp);
    expect(more).toEqual([]);
    expect(readdirSync(path.join(tmp, dir)).sort()).toEqual(['perfgate-report.html', 'perfgate-results.json']);
    expect(r.stderr).toContain(path.join(tmp, dir, 'perfgate-results.json'));
  });
});
