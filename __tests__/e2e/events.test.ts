/**
 * End to end beyond pull requests: `node dist/index.js` under merge_group, push and schedule
 * events with GitHub's payload shapes, in depth-1 checkouts of an "origin" repository, against
 * the loopback GitHub stand-in. The suites report values read from the checkout (1 % jitter), so
 * each outcome is decided by the commits compared, not by this machine's load.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH, runAction, SUITES, useFakeGitHub } from '../helpers/action';
import { checkout, commitFiles, mergeGroupEvent, pushEvent, scheduleEvent } from '../helpers/events';
import { git, makeRepo } from '../helpers/repo';

const github = useFakeGitHub();

const commentWrites = () => github.requests.filter((r) => r.method !== 'GET' && r.path.includes('/comments'));

/** main at `base` (10 ms), then the queue's group: the PRs' commits on top of it. */
function mergeQueue(prs: Array<Record<string, string>>) {
  const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10', 'README.md': 'app' });
  const base = git(origin, 'rev-parse', 'HEAD');
  for (const [i, files] of prs.entries()) commitFiles(origin, files, `PR ${i + 1}`);
  const head = git(origin, 'rev-parse', 'HEAD');
  return { origin, base, head, workspace: checkout(origin, head) };
}

// One action run takes seconds on an idle machine and much longer on a loaded one.
describe('merge queue (merge_group)', { timeout: 180_000 }, () => {
  it('fails a group of a slow PR (+20 %) with a docs-only PR on top: base is merge_group.base_sha, not HEAD~1', async () => {
    const q = mergeQueue([{ 'value.txt': '12' }, { 'README.md': 'app, documented' }]);
    // HEAD~1 is the slow PR itself: comparing with it would pass.
    expect(readFileSync(`${q.origin}/value.txt`, 'utf8')).toBe('12');
    const event = mergeGroupEvent(q.base, q.head, 31);
    const before = commentWrites().length;
    const run = await runAction(github, q.workspace, { suites: SUITES }, event.payload, event.env);
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.regressions).toBe('1');
    expect(run.outputs['comment-url']).toBe('');
    expect(run.stdout).toContain(`Comparing base ${q.base.slice(0, 12)} (main) with head ${q.head.slice(0, 12)}`);
    expect(run.stdout).toContain('merge_group.base_sha');
    expect(run.stdout).toContain('regression beyond budget in micro/parse:time');
    expect(run.summary).toContain('❌ perfgate: 1 regression beyond budget');
    expect(run.summary).toContain('merge queue: base is the commit the group merges onto');
    // No PR to comment on: nothing tries to; the verdict goes on the group's commit as a check run.
    expect(commentWrites().length).toBe(before);
    expect(github.checkRuns().find((c) => c.head_sha === q.head)).toMatchObject({
      name: 'perfgate',
      conclusion: 'failure',
    });
  });

  it('passes a neutral group (a docs-only PR), writes the summary, posts no comment', async () => {
    const q = mergeQueue([{ 'README.md': 'app, documented' }]);
    const event = mergeGroupEvent(q.base, q.head, 32);
    const before = commentWrites().length;
    const run = await runAction(github, q.workspace, { suites: SUITES }, event.payload, event.env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.summary).toContain('✅ perfgate: no regression beyond budget');
    expect(commentWrites().length).toBe(before);
    expect(github.checkRuns().find((c) => c.head_sha === q.head)).toMatchObject({ conclusion: 'success' });
  });
});

describe('push', { timeout: 180_000 }, () => {
  it('compares before with after, fails on a slowdown and reports on the pushed commit', async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    const before = git(origin, 'rev-parse', 'HEAD');
    commitFiles(origin, { 'value.txt': '14' }, 'slower');
    const after = commitFiles(origin, { 'notes.txt': 'x' }, 'notes');
    const event = pushEvent(before, after);
    const run = await runAction(github, checkout(origin, after), { suites: SUITES }, event.payload, event.env);
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.stdout).toContain(`Comparing base ${before.slice(0, 12)} with head ${after.slice(0, 12)} (main)`);
    expect(run.summary).toContain('push to main: base is the previous tip (before)');
    expect(github.checkRuns().find((c) => c.head_sha === after)).toMatchObject({ conclusion: 'failure' });
  });

  it('a push that creates a branch compares with the parent commit and says so', async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    const after = commitFiles(origin, { 'notes.txt': 'x' }, 'notes');
    const event = pushEvent('0'.repeat(40), after, { ref: 'topic' });
    const run = await runAction(github, checkout(origin, after), { suites: SUITES }, event.payload, event.env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/push to topic created the ref: there is no previous tip \(before is all zeros\)/);
  });
});

describe('creep since the latest release (schedule, base: latest-tag)', { timeout: 180_000 }, () => {
  const inputs = { suites: SUITES, base: 'latest-tag', budget: '10%' };

  it('opens one issue on a regression, updates it on the next failing run, closes it on a passing one', {
    timeout: 480_000,
  }, async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    const release = git(origin, 'rev-parse', 'HEAD');
    git(origin, 'tag', 'v1.0.0');
    git(origin, 'tag', 'v0.9.0', 'HEAD'); // lower version, same commit: not chosen
    commitFiles(origin, { 'value.txt': '10.4' }, 'small slowdown 1');
    commitFiles(origin, { 'value.txt': '10.8' }, 'small slowdown 2');
    const tip1 = commitFiles(origin, { 'value.txt': '12.5' }, 'small slowdown 3');
    const issues = () => github.issues('octo', 'app').filter((i) => i.body.startsWith('<!-- perfgate-issue:'));

    const first = scheduleEvent(tip1);
    const failing = await runAction(github, checkout(origin, tip1), inputs, first.payload, first.env);
    expect(failing.code, failing.stdout).toBe(1);
    expect(failing.outputs.verdict).toBe('fail');
    expect(failing.stdout).toContain(`Comparing base ${release.slice(0, 12)} (v1.0.0) with head ${tip1.slice(0, 12)}`);
    expect(issues()).toHaveLength(1);
    const [issue] = issues();
    expect(failing.outputs['issue-url']).toBe(issue.html_url);
    expect(issue.state).toBe('open');
    expect(issue.title).toMatch(/^perfgate: micro\/parse:time \+2\d\.\d% since v1\.0\.0$/);
    expect(issue.body).toContain('<!-- perfgate-issue:perf-creep/creep -->');
    expect(issue.body).toContain('performance has regressed since v1.0.0');
    expect(issue.body).toContain(`3 commits from the reference \`${release.slice(0, 12)}\` (v1.0.0)`);
    expect(issue.body).toContain(`https://github.com/octo/app/compare/${release}...${tip1}`);
    expect(issue.body).toContain('| `micro/parse:time` | +2');
    expect(issue.body).toContain('https://github.com/octo/app/actions/runs/4242');
    // No PR: nothing was commented; the check run is on the tip.
    expect(github.checkRuns().find((c) => c.head_sha === tip1)).toMatchObject({ conclusion: 'failure' });

    const tip2 = commitFiles(origin, { 'value.txt': '13' }, 'slower still');
    const second = scheduleEvent(tip2);
    const stillFailing = await runAction(github, checkout(origin, tip2), inputs, second.payload, second.env);
    expect(stillFailing.code, stillFailing.stdout).toBe(1);
    expect(issues()).toHaveLength(1);
    expect(issues()[0].number).toBe(issue.number);
    expect(issues()[0].body).toContain(`4 commits from the reference`);
    expect(issues()[0].body).toContain(tip2);

    const tip3 = commitFiles(origin, { 'value.txt': '10' }, 'fixed');
    const third = scheduleEvent(tip3);
    const passing = await runAction(github, checkout(origin, tip3), inputs, third.payload, third.env);
    expect(passing.code, passing.stdout).toBe(0);
    expect(passing.outputs.verdict).toBe('pass');
    expect(issues()).toHaveLength(1);
    expect(issues()[0]).toMatchObject({ number: issue.number, state: 'closed', state_reason: 'completed' });
    const [closing] = github.comments('octo', 'app', issue.number);
    expect(closing.body).toContain('perfgate passes again');
    expect(passing.stdout).toContain(`Tracking issue closed: ${issue.html_url}`);
  });

  it('tracking-issue: false keeps issues out of it', async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    git(origin, 'tag', 'v2.0.0');
    const tip = commitFiles(origin, { 'value.txt': '15' }, 'slower');
    const event = scheduleEvent(tip);
    const count = github.issues('octo', 'app').length;
    const run = await runAction(
      github,
      checkout(origin, tip),
      { ...inputs, 'tracking-issue': 'false' },
      event.payload,
      { ...event.env, GITHUB_JOB: 'creep-quiet' },
    );
    expect(run.code, run.stdout).toBe(1);
    expect(github.issues('octo', 'app')).toHaveLength(count);
  });

  it('keeps the failing verdict when the token may not write issues or check runs, and says which permission', async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    git(origin, 'tag', 'release-1');
    const tip = commitFiles(origin, { 'value.txt': '15' }, 'slower');
    const event = scheduleEvent(tip);
    github.readOnly = true;
    try {
      const run = await runAction(github, checkout(origin, tip), { ...inputs, base: 'release-1' }, event.payload, {
        ...event.env,
        GITHUB_JOB: 'creep-read-only',
      });
      expect(run.code, run.stdout).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
      expect(run.outputs['issue-url']).toBe('');
      expect(run.stdout).toMatch(/::warning::.*permissions: \{ issues: write \}/);
      expect(run.stdout).toMatch(/::warning::Could not create the check run: .*permissions: \{ checks: write \}/);
    } finally {
      github.readOnly = false;
    }
  });

  it('latest-tag with no tags is a clear error before anything runs', async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    const tip = commitFiles(origin, { 'value.txt': '11' }, 'change');
    const workspace = checkout(origin, tip);
    const event = scheduleEvent(tip);
    const count = github.issues('octo', 'app').length;
    const run = await runAction(github, workspace, inputs, event.payload, event.env);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('error');
    expect(run.stdout).toContain(
      `::error::input "base": "latest-tag" found no tag reachable from the head ${tip.slice(0, 12)}`,
    );
    expect(run.stdout).not.toContain('Build base');
    expect(git(workspace, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(github.issues('octo', 'app')).toHaveLength(count);
  });

  it('a scheduled run without a base says which input to set', async () => {
    const origin = makeRepo({ 'bench.cjs': BENCH, 'value.txt': '10' });
    const tip = git(origin, 'rev-parse', 'HEAD');
    const event = scheduleEvent(tip);
    const run = await runAction(github, checkout(origin, tip), { suites: SUITES }, event.payload, event.env);
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('error');
    expect(run.stdout).toContain('input "base": a "schedule" run names no pair of commits to compare');
  });
});
