/**
 * The comment's "Reproduce locally" block, run as a reader would run it: copied out of the PR
 * comment the action posted, pasted into bash in a fresh clone of the repository, with the
 * `perfgate` command on PATH. The suites come from the `suites` input and the benchmark needs
 * the `build` input's output, the case where the block used to fail.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entry, prEvent, runAction, useFakeGitHub } from '../helpers/action';
import { git, makeRepo } from '../helpers/repo';

const cli = path.join(path.dirname(entry), 'cli', 'index.js');

const github = useFakeGitHub([entry, cli]);

/** Reads what the build wrote: without the build there is nothing to measure. */
const BENCH = `
const fs = require('node:fs');
const v = Number(fs.readFileSync('out/value.txt', 'utf8'));
const jitter = 1 + 0.01 * (Math.random() * 2 - 1);
console.log(JSON.stringify({ benchmarks: [{ name: 'parse', metrics: [{ name: 'time', value: v * jitter, unit: 'ms', direction: 'lower' }] }] }));
`;

const SUITES = `
- name: micro
  run: node bench.cjs
  format: json
  warmup: 0
  env: { GREETING: "it's" }
`;

/** The fenced `sh` block after "Reproduce locally" (a folded section of the comment). */
function reproduceBlock(markdown: string): string {
  const at = markdown.indexOf('Reproduce locally');
  const m = /^(`{3,})sh\n([\s\S]*?)\n\1$/m.exec(markdown.slice(at));
  if (at < 0 || !m) throw new Error(`no reproduce block in:\n${markdown}`);
  return m[2];
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-s'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(script);
  });
}

describe('the "Reproduce locally" block', () => {
  it('runs as pasted, with the suites, build and budgets the workflow gave as inputs', async () => {
    const repo = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'value.txt'), '15');
    git(repo, 'commit', '-qam', 'slower');

    const action = await runAction(
      github,
      repo,
      {
        suites: SUITES,
        build: 'mkdir -p out && cp value.txt out/value.txt',
        budgets: 'micro/*:time: 20%',
        'max-time': '10m',
      },
      prEvent(31, baseSha),
    );
    expect(action.outputs.verdict, action.stdout).toBe('fail');
    const [comment] = github.comments('octo', 'app', 31);
    const block = reproduceBlock(comment.body);
    expect(block).toContain('--budget 10% --min-rounds 6 --max-rounds 12 --max-time 10m');

    // A reader's clone of the repository, and the perfgate command on PATH.
    const clone = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-reader-')), 'app');
    git(path.dirname(clone), 'clone', '-q', repo, clone);
    git(clone, 'checkout', '-q', baseSha); // wherever the reader happens to be
    const bin = mkdtempSync(path.join(os.tmpdir(), 'perfgate-bin-'));
    writeFileSync(path.join(bin, 'perfgate'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
    chmodSync(path.join(bin, 'perfgate'), 0o755);

    const r = await bash(block, clone, { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME ?? clone });
    expect(r.stderr).not.toMatch(/expected a mapping|Cannot find|ENOENT|unknown flag/);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^micro\/parse:time +\S/m);
    expect(r.stdout).toContain('regression beyond budget');
  });
});
