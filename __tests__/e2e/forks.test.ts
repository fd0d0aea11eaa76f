/**
 * End to end, the fork-safe and sharded patterns: `mode: measure` jobs write results (as an
 * artifact would carry them) and a `mode: report` job — triggered by workflow_run, never running
 * PR code — posts one comment and a check run. Results files are treated as hostile.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry, prEvent, runAction as run, scenario } from '../helpers/action';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';

let github: FakeGitHub;
beforeAll(async () => {
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run bundle` first');
  github = await startFakeGitHub();
});
afterAll(async () => {
  await github?.close();
});

const PR_HEAD = 'abcdef0123456789abcdef0123456789abcdef01';

/** Two json-format suites (so there is something to shard). */
const TWO_SUITES = `
- name: alpha
  run: node bench.cjs
  format: json
  warmup: 0
- name: beta
  run: node bench.cjs
  format: json
  warmup: 0
`;

function measureEvent(pr: number, baseSha: string) {
  const e = prEvent(pr, baseSha);
  e.pull_request.head.sha = PR_HEAD;
  return e;
}

const workflowRun = { workflow_run: { head_sha: PR_HEAD, event: 'pull_request', pull_requests: [] } };

function artifacts() {
  return mkdtempSync(path.join(os.tmpdir(), 'perfgate-artifacts-'));
}

describe('measure and report as separate steps', () => {
  it('measure fails its own check and does not comment; report posts one comment and a check run with the same verdict', async () => {
    const { repo, baseSha } = scenario(10, 15);
    const out = artifacts();
    const measured = await run(
      github,
      repo,
      { suites: TWO_SUITES, mode: 'measure', results: path.join(out, 'perfgate') },
      measureEvent(21, baseSha),
    );
    expect(measured.code).toBe(1);
    expect(measured.outputs.verdict).toBe('fail');
    expect(measured.summary).toContain('regression');
    expect(github.comments('octo', 'app', 21)).toHaveLength(0);
    expect(existsSync(path.join(out, 'perfgate', 'perfgate-results.json'))).toBe(true);

    github.seedPull('octo', 'app', 21, {
      base: { sha: baseSha, ref: 'main' },
      head: { sha: PR_HEAD, ref: 'feature' },
      fork: true,
    });
    const reportRepo = mkdtempSync(path.join(os.tmpdir(), 'perfgate-report-ws-'));
    const reported = await run(github, reportRepo, { mode: 'report', results: out }, workflowRun, {
      GITHUB_EVENT_NAME: 'workflow_run',
    });
    expect(reported.outputs.verdict).toBe('fail');
    const comments = github.comments('octo', 'app', 21);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('regressions beyond budget');
    const check = github.checkRuns().find((c) => c.head_sha === PR_HEAD);
    expect(check).toMatchObject({ name: 'perfgate', conclusion: 'failure' });
  });

  it("tells a fork PR that its build failed: the error report carries the PR's head commit, so the report job posts it", async () => {
    const failingBuild = `node -e "if (require('fs').existsSync('broken.txt')) { console.error('compile error in broken.txt'); process.exit(3) }"`;
    const { repo, baseSha } = scenario(10, 10, (dir) => writeFileSync(path.join(dir, 'broken.txt'), 'x'));
    const out = artifacts();
    const measured = await run(
      github,
      repo,
      { suites: TWO_SUITES, build: failingBuild, mode: 'measure', results: path.join(out, 'perfgate') },
      measureEvent(25, baseSha),
    );
    expect(measured.code).toBe(1);
    expect(measured.outputs.verdict).toBe('error');
    const written = JSON.parse(readFileSync(path.join(out, 'perfgate', 'perfgate-results.json'), 'utf8'));
    expect(written.checkSha).toBe(PR_HEAD);

    github.seedPull('octo', 'app', 25, {
      base: { sha: baseSha, ref: 'main' },
      head: { sha: PR_HEAD, ref: 'feature' },
      fork: true,
    });
    const ws = mkdtempSync(path.join(os.tmpdir(), 'perfgate-report-ws-'));
    const reported = await run(github, ws, { mode: 'report', results: out }, workflowRun, {
      GITHUB_EVENT_NAME: 'workflow_run',
    });
    expect(reported.stdout).not.toContain('does not belong to this workflow run');
    expect(reported.outputs.verdict).toBe('error');
    const comments = github.comments('octo', 'app', 25);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('The head build failed (exit code 3)');
    expect(comments[0].body).toContain('compile error in broken.txt');
    const check = github
      .checkRuns()
      .find((c) => c.head_sha === PR_HEAD && JSON.stringify(c.output).includes('broken.txt'));
    expect(check).toMatchObject({ name: 'perfgate' });
    expect(check!.conclusion).toBe('failure'); // never neutral: GitHub counts a neutral required check as passing
  });

  it('merges two shards into one comment, and reports a missing shard plainly', async () => {
    const { repo, baseSha } = scenario(10, 10);
    const out = artifacts();
    for (const shard of ['1/2', '2/2']) {
      const r = await run(
        github,
        repo,
        {
          suites: TWO_SUITES,
          mode: 'measure',
          shard,
          results: path.join(out, `perfgate-${shard.replace('/', '-of-')}`),
        },
        measureEvent(22, baseSha),
      );
      expect(r.code, r.stdout).toBe(0);
    }
    github.seedPull('octo', 'app', 22, { base: { sha: baseSha, ref: 'main' }, head: { sha: PR_HEAD, ref: 'feature' } });
    const ws = mkdtempSync(path.join(os.tmpdir(), 'perfgate-report-ws-'));
    const merged = await run(github, ws, { mode: 'report', results: out }, workflowRun, {
      GITHUB_EVENT_NAME: 'workflow_run',
    });
    expect(merged.code, merged.stdout).toBe(0);
    expect(merged.outputs.verdict).toBe('pass');
    const [comment] = github.comments('octo', 'app', 22);
    expect(github.comments('octo', 'app', 22)).toHaveLength(1);
    expect(comment.body).toContain('alpha/parse:time');
    expect(comment.body).toContain('beta/parse:time');

    // Only one shard's artifact: an error that names the missing shard, never a pass.
    const partial = artifacts();
    cpSync(path.join(out, 'perfgate-1-of-2'), path.join(partial, 'perfgate-1-of-2'), { recursive: true });
    const incomplete = await run(github, ws, { mode: 'report', results: partial }, workflowRun, {
      GITHUB_EVENT_NAME: 'workflow_run',
    });
    expect(incomplete.code).toBe(1);
    expect(incomplete.outputs.verdict).toBe('error');
    expect(incomplete.stdout).toContain('Shard 2 of 2 did not report results');
  });

  it('rejects a tampered results file with a clear message, and runs nothing from it', async () => {
    const { repo, baseSha } = scenario(10, 10);
    const out = artifacts();
    await run(
      github,
      repo,
      { suites: TWO_SUITES, mode: 'measure', results: path.join(out, 'r') },
      measureEvent(23, baseSha),
    );
    const file = path.join(out, 'r', 'perfgate-results.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    const marker = path.join(out, 'pwned');
    data.build = `touch ${marker}`;
    data.results[0].id = '<img src=x onerror=alert(1)>';
    writeFileSync(file, JSON.stringify(data));
    const ws = mkdtempSync(path.join(os.tmpdir(), 'perfgate-report-ws-'));
    const reported = await run(github, ws, { mode: 'report', results: out }, workflowRun, {
      GITHUB_EVENT_NAME: 'workflow_run',
    });
    expect(reported.code).toBe(1);
    expect(reported.stdout).toMatch(/r\/perfgate-results\.json is not a perfgate results file.*build/);
    expect(existsSync(marker)).toBe(false);
    expect(github.comments('octo', 'app', 23)).toHaveLength(0);
  });

  it('will not comment on a PR other than the one whose workflow run produced the results', async () => {
    const { repo, baseSha } = scenario(10, 10);
    const out = artifacts();
    await run(
      github,
      repo,
      { suites: TWO_SUITES, mode: 'measure', results: path.join(out, 'r') },
      measureEvent(24, baseSha),
    );
    const file = path.join(out, 'r', 'perfgate-results.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.pullRequest = 99; // someone else's PR
    writeFileSync(file, JSON.stringify(data));
    github.seedPull('octo', 'app', 99, {
      base: { sha: baseSha, ref: 'main' },
      head: { sha: 'f'.repeat(40), ref: 'other' },
    });
    const ws = mkdtempSync(path.join(os.tmpdir(), 'perfgate-report-ws-'));
    mkdirSync(ws, { recursive: true });
    const reported = await run(github, ws, { mode: 'report', results: out }, workflowRun, {
      GITHUB_EVENT_NAME: 'workflow_run',
    });
    expect(reported.code).toBe(1);
    expect(reported.stdout).toContain('will not post these results');
    expect(github.comments('octo', 'app', 99)).toHaveLength(0);
  });
});
