/**
 * End to end: a maintainer accepts an intended regression with the PR label or a
 * `perfgate: accept …` line in the PR description. Both are read from the (loopback) GitHub API
 * on every run — in `report` mode never from the results artifact — so a label added after a
 * failing run makes the next run pass. The suites are perfgate `json` harness suites whose values
 * come from a file in the checkout (see action.test.ts), profiling off to keep the runs short.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prEvent, runAction as run, scenario, useFakeGitHub } from '../helpers/action';
import type { FakeGitHub } from '../helpers/fake-github';

const github = useFakeGitHub();

const PR_HEAD = 'abcdef0123456789abcdef0123456789abcdef02';
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
const inputs = (extra: Record<string, string> = {}) => ({
  suites: TWO_SUITES,
  profile: 'never',
  'min-rounds': '8',
  'max-rounds': '8',
  ...extra,
});
/** Two or three runs of the action per case; a loaded 2-core machine needs minutes for that. */
const SLOW = 300_000;

function seed(pr: number, baseSha: string, extra: Partial<Parameters<FakeGitHub['seedPull']>[3]> = {}) {
  github.seedPull('octo', 'app', pr, {
    base: { sha: baseSha, ref: 'main' },
    head: { sha: PR_HEAD, ref: 'feature' },
    ...extra,
  });
}

function event(pr: number, baseSha: string) {
  const e = prEvent(pr, baseSha);
  e.pull_request.head.sha = PR_HEAD;
  return e;
}

const lastComment = (pr: number) => github.comments('octo', 'app', pr).at(-1)!.body;

describe('accepting a regression in full mode', () => {
  it(
    'by label: a label added after a failing run makes the next run pass, still showing the regressions',
    async () => {
      const { repo, baseSha } = scenario(10, 15);
      seed(51, baseSha);
      const first = await run(github, repo, inputs(), event(51, baseSha));
      expect(first.code, first.stdout).toBe(1);
      expect(first.outputs.verdict).toBe('fail');
      expect(lastComment(51)).toContain('❌ perfgate: 2 regressions beyond budget');

      github.pull('octo', 'app', 51)!.labels = ['perf-regression-accepted'];
      const second = await run(github, repo, inputs(), event(51, baseSha));
      expect(second.code, second.stdout).toBe(0);
      expect(second.outputs.verdict).toBe('pass');
      expect(second.outputs.regressions).toBe('0');
      expect(second.outputs.accepted).toBe('2');
      expect(second.stdout).toContain('alpha/parse:time: regression accepted by the label "perf-regression-accepted"');
      const body = lastComment(51);
      expect(github.comments('octo', 'app', 51)).toHaveLength(1);
      expect(body).toContain('### ☑️ perfgate: 2 regressions beyond budget, accepted by label');
      expect(body).toContain('☑️ regression, accepted by label');
      // The results keep the outcome and say why it does not fail.
      const results = JSON.parse(readFileSync(second.outputs.results, 'utf8'));
      expect(results.results[0]).toMatchObject({
        outcome: 'regression',
        accepted: { by: 'label', rule: 'perf-regression-accepted' },
      });
    },
    SLOW,
  );

  it(
    'by the description line: named metrics pass, anything not named still fails',
    async () => {
      const { repo, baseSha } = scenario(10, 15);
      seed(52, baseSha, {
        body: 'A slower but correct parser.\n\nperfgate: accept alpha/*:time',
        authorAssociation: 'MEMBER',
      });
      const partly = await run(github, repo, inputs(), event(52, baseSha));
      expect(partly.code).toBe(1);
      expect(partly.stdout).toContain('regression beyond budget in beta/parse:time');
      expect(partly.stdout).not.toContain('beyond budget in alpha');
      const body = lastComment(52);
      expect(body).toContain('❌ perfgate: 1 regression beyond budget — `beta/parse:time` · 1 accepted');
      expect(body).toContain('☑️ regression, accepted in the PR description');

      github.pull('octo', 'app', 52)!.body = 'perfgate: accept alpha/*:time, `beta/parse:time`';
      const all = await run(github, repo, inputs(), event(52, baseSha));
      expect(all.code, all.stdout).toBe(0);
      expect(lastComment(52)).toContain('accepted in the PR description');
    },
    SLOW,
  );

  it(
    'ignores a description line from an author without write access, and a different label',
    async () => {
      const { repo, baseSha } = scenario(10, 15);
      seed(53, baseSha, { body: 'perfgate: accept **', authorAssociation: 'CONTRIBUTOR', labels: ['wontfix'] });
      const r = await run(github, repo, inputs({ 'accept-label': 'slower-on-purpose' }), event(53, baseSha));
      expect(r.code).toBe(1);
      expect(lastComment(53)).toContain("the PR's author has no write access");
      github.pull('octo', 'app', 53)!.labels = ['slower-on-purpose'];
      const accepted = await run(github, repo, inputs({ 'accept-label': 'slower-on-purpose' }), event(53, baseSha));
      expect(accepted.code, accepted.stdout).toBe(0);
    },
    SLOW,
  );
});

describe('accepting a regression in report mode', () => {
  const workflowRun = { workflow_run: { head_sha: PR_HEAD, event: 'pull_request', pull_requests: [] } };

  it(
    'reads the label and the description from the API, never from the artifact',
    async () => {
      const { repo, baseSha } = scenario(10, 15);
      const out = mkdtempSync(path.join(os.tmpdir(), 'perfgate-artifacts-'));
      const measured = await run(
        github,
        repo,
        inputs({ mode: 'measure', results: path.join(out, 'r') }),
        event(54, baseSha),
      );
      expect(measured.code).toBe(1);
      // A fork's artifact claims its regressions were accepted: report mode must not believe it.
      const file = path.join(out, 'r', 'perfgate-results.json');
      const data = JSON.parse(readFileSync(file, 'utf8'));
      for (const m of data.results) m.accepted = { by: 'label', rule: 'perf-regression-accepted' };
      data.verdict = 'pass';
      writeFileSync(file, JSON.stringify(data));

      seed(54, baseSha, { fork: true });
      const ws = mkdtempSync(path.join(os.tmpdir(), 'perfgate-report-ws-'));
      const report = () =>
        run(github, ws, { mode: 'report', results: out }, workflowRun, { GITHUB_EVENT_NAME: 'workflow_run' });
      const unaccepted = await report();
      expect(unaccepted.code).toBe(1);
      expect(unaccepted.outputs.verdict).toBe('fail');
      expect(
        github
          .checkRuns()
          .filter((c) => c.head_sha === PR_HEAD)
          .at(-1),
      ).toMatchObject({ conclusion: 'failure' });
      expect(lastComment(54)).not.toContain('accepted');

      github.pull('octo', 'app', 54)!.labels = ['perf-regression-accepted'];
      const accepted = await report();
      expect(accepted.code, accepted.stdout).toBe(0);
      expect(accepted.outputs.verdict).toBe('pass');
      expect(
        github
          .checkRuns()
          .filter((c) => c.head_sha === PR_HEAD)
          .at(-1),
      ).toMatchObject({ conclusion: 'success' });
      expect(lastComment(54)).toContain('accepted by label');

      const pull = github.pull('octo', 'app', 54)!;
      pull.labels = [];
      pull.body = 'perfgate: accept alpha/**, beta/**';
      pull.authorAssociation = 'OWNER';
      const described = await report();
      expect(described.code, described.stdout).toBe(0);
      expect(lastComment(54)).toContain('accepted in the PR description');
    },
    SLOW,
  );
});
