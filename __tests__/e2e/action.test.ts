/**
 * End to end: `node dist/index.js` run as a runner runs it — INPUT_* variables, an event
 * payload file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files — against a real git repository and a
 * loopback stand-in for GitHub's REST API.
 *
 * The suites are harness suites in perfgate's `json` format whose values come from a file in
 * the checkout, with 1 % seeded jitter: the outcome of each scenario is decided by the code
 * under test, not by how busy this machine is (statistics are never tested on live timings).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prEvent, runAction as run, SUITES, scenario, useFakeGitHub } from '../helpers/action';
import type { FakeGitHub } from '../helpers/fake-github';
import { git } from '../helpers/repo';

const github = useFakeGitHub();
const runAction = (...args: Parameters<typeof run> extends [FakeGitHub, ...infer R] ? R : never) =>
  run(github, ...args);

describe('the action, end to end', () => {
  it('passes when nothing changed, and posts one comment that a second run updates in place', async () => {
    const { repo, baseSha } = scenario(10, 10);
    const first = await runAction(repo, { suites: SUITES }, prEvent(1, baseSha));
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.verdict).toBe('pass');
    expect(first.outputs.regressions).toBe('0');
    expect(first.summary).toContain('### ✅ perfgate: no regression beyond budget');
    expect(existsSync(first.outputs.results)).toBe(true);
    const results = JSON.parse(readFileSync(first.outputs.results, 'utf8'));
    expect(results.results[0]).toMatchObject({ id: 'micro/parse:time', unit: 's', direction: 'lower' });
    expect(results.results[0].base.length).toBeGreaterThanOrEqual(6);
    expect(github.comments('octo', 'app', 1)).toHaveLength(1);
    expect(first.outputs['comment-url']).toMatch(/^http/);

    const second = await runAction(repo, { suites: SUITES }, prEvent(1, baseSha));
    expect(second.code, second.stdout).toBe(0);
    const comments = github.comments('octo', 'app', 1);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('<!-- perfgate:ci/bench -->');
  });

  it('fails on a clear slowdown and names the metric', async () => {
    const { repo, baseSha } = scenario(10, 15);
    const run = await runAction(repo, { suites: SUITES }, prEvent(2, baseSha));
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.regressions).toBe('1');
    expect(run.stdout).toContain('regression beyond budget in micro/parse:time');
    const [comment] = github.comments('octo', 'app', 2);
    expect(comment.body).toContain('❌ perfgate: 1 regression beyond budget — `micro/parse:time`');
  });

  it('reports without failing when fail-on-regression is false', async () => {
    const { repo, baseSha } = scenario(10, 15);
    const run = await runAction(repo, { suites: SUITES, 'fail-on-regression': 'false' }, prEvent(3, baseSha));
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('fail');
  });

  it('still passes a passing gate with a read-only token (fork PR), with a warning and the job summary', async () => {
    const { repo, baseSha } = scenario(10, 10);
    github.readOnly = true;
    try {
      const run = await runAction(repo, { suites: SUITES }, prEvent(4, baseSha));
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs.verdict).toBe('pass');
      expect(run.stdout).toMatch(/::warning::.*(read-only|fork)/i);
      expect(run.summary).toContain('perfgate: no regression');
      expect(github.comments('octo', 'app', 4)).toHaveLength(0);
    } finally {
      github.readOnly = false;
    }
  });

  it('keeps a regression verdict when the comment cannot be posted', async () => {
    const { repo, baseSha } = scenario(10, 15);
    github.readOnly = true;
    try {
      const run = await runAction(repo, { suites: SUITES }, prEvent(5, baseSha));
      expect(run.code).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
    } finally {
      github.readOnly = false;
    }
  });

  it('reports a failing head build as a build error, not a regression', async () => {
    const { repo, baseSha } = scenario(10, 10, (dir) =>
      writeFileSync(path.join(dir, 'build.sh'), 'echo compiling; echo "syntax error near line 3" >&2; exit 2\n'),
    );
    const baseBuild = 'if [ -f build.sh ]; then sh build.sh; fi';
    const run = await runAction(repo, { suites: SUITES, build: baseBuild }, prEvent(6, baseSha));
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('error');
    expect(run.outputs.regressions).toBe('0');
    expect(run.stdout).toContain('The head build failed');
    expect(run.stdout).toContain('syntax error near line 3');
    const [comment] = github.comments('octo', 'app', 6);
    expect(comment.body).toContain('no verdict');
    expect(comment.body).not.toContain('❌ regression');
  });

  it('with comment: on-regression, comments on a regression and brings that comment up to date once fixed', async () => {
    const same = scenario(10, 10);
    const quiet = await runAction(same.repo, { suites: SUITES, comment: 'on-regression' }, prEvent(9, same.baseSha));
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(github.comments('octo', 'app', 9)).toHaveLength(0);

    const slow = scenario(10, 15);
    expect(
      (await runAction(slow.repo, { suites: SUITES, comment: 'on-regression' }, prEvent(10, slow.baseSha))).code,
    ).toBe(1);
    expect(github.comments('octo', 'app', 10)[0].body).toContain('❌');
    const fixed = scenario(10, 10);
    expect(
      (await runAction(fixed.repo, { suites: SUITES, comment: 'on-regression' }, prEvent(10, fixed.baseSha))).code,
    ).toBe(0);
    const comments = github.comments('octo', 'app', 10);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('✅ perfgate: no regression');
  });

  it('fails fast on bad inputs with a message naming the input, the key and what is expected', async () => {
    const { repo, baseSha } = scenario(10, 10);
    const run = await runAction(
      repo,
      { suites: '- name: micro\n  run: node bench.cjs\n  formt: json\n', 'max-time': 'soon', budgets: 'micro/*: fast' },
      prEvent(7, baseSha),
    );
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('error');
    expect(run.stdout).toContain('input "suites" line 1: suites[0]: unknown key "formt" for a command suite');
    expect(run.stdout).toContain('input "max-time": expected a duration like "15m"');
    expect(run.stdout).toContain('input "budgets" line 1');
    expect(github.comments('octo', 'app', 7)).toHaveLength(0);
    // Nothing ran: no worktree was created.
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('refuses to run PR code under pull_request_target', async () => {
    const { repo, baseSha } = scenario(10, 10);
    const run = await runAction(repo, { suites: SUITES }, prEvent(8, baseSha), {
      GITHUB_EVENT_NAME: 'pull_request_target',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('refuses to check out and run pull-request code under "pull_request_target"');
    expect(run.stdout).toContain('allow-unsafe-pr-checkout');
  });
});
