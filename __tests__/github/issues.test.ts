import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubPort, GitHubPermissionError, issueMarker, MAX_ISSUE_TITLE } from '../../src/adapters/github';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';

const OWNER = 'octo';
const REPO = 'app';
const marker = issueMarker('creep', 'check');

let gh: FakeGitHub;
let logs: string[];
beforeEach(async () => {
  gh = await startFakeGitHub();
  logs = [];
});
afterEach(async () => {
  await gh.close();
});

function port() {
  return createGitHubPort(
    { token: 'test-token', apiUrl: gh.url, owner: OWNER, repo: REPO },
    { retries: 2, retryDelayMs: 1, log: (m) => logs.push(m) },
  );
}

describe('the tracking issue', () => {
  it('opens one issue, updates it in place, and closes it with a comment', async () => {
    const github = port();
    const opened = await github.upsertIssue(marker, 'slower', 'report 1');
    expect(opened.created).toBe(true);
    const updated = await github.upsertIssue(marker, 'slower still', 'report 2');
    expect(updated).toEqual({ number: opened.number, url: opened.url, created: false });
    const [issue] = gh.issues(OWNER, REPO);
    expect(gh.issues(OWNER, REPO)).toHaveLength(1);
    expect(issue).toMatchObject({ title: 'slower still', body: `${marker}\nreport 2`, state: 'open' });

    const closed = await github.closeIssue(marker, 'passes again');
    expect(closed).toEqual({ number: opened.number, url: opened.url });
    expect(issue).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(gh.comments(OWNER, REPO, issue.number).map((c) => c.body)).toEqual(['passes again']);
    expect(await github.closeIssue(marker, 'again')).toBeNull();

    // A later failure opens a new issue rather than reopening the closed one.
    const next = await github.upsertIssue(marker, 'slower again', 'report 3');
    expect(next.created).toBe(true);
    expect(next.number).not.toBe(opened.number);
  });

  it('finds its issue beyond the first page, and ignores pull requests, copies by people and other markers', async () => {
    for (let i = 0; i < 120; i++) gh.seedIssue(OWNER, REPO, { title: `noise ${i}`, body: 'unrelated' });
    gh.seedIssue(OWNER, REPO, { title: 'copied', body: `${marker}\nquoted by someone` });
    gh.seedIssue(OWNER, REPO, { title: 'a PR', body: `${marker}\n`, login: 'github-actions[bot]', pullRequest: true });
    gh.seedIssue(OWNER, REPO, {
      title: 'other job',
      body: `${issueMarker('creep', 'other')}\n`,
      login: 'github-actions[bot]',
    });
    const ours = gh.seedIssue(OWNER, REPO, { title: 'ours', body: `${marker}\nold`, login: 'github-actions[bot]' });
    const result = await port().upsertIssue(marker, 'new title', 'new body');
    expect(result).toMatchObject({ number: ours.number, created: false });
    expect(ours.body).toBe(`${marker}\nnew body`);
    expect(gh.issues(OWNER, REPO).filter((i) => i.title === 'new title')).toHaveLength(1);
  });

  it('truncates a title beyond GitHub’s limit', async () => {
    await port().upsertIssue(marker, 'x'.repeat(400), 'body');
    expect(gh.issues(OWNER, REPO)[0].title).toHaveLength(MAX_ISSUE_TITLE);
  });

  it('does not open a second issue when the POST failed after taking effect', async () => {
    gh.failNext(1, 502, { method: 'POST', pathIncludes: '/issues', afterApplying: true });
    await port().upsertIssue(marker, 't', 'b');
    expect(gh.issues(OWNER, REPO)).toHaveLength(1);
  });

  it('says the token cannot write issues', async () => {
    gh.readOnly = true;
    await expect(port().upsertIssue(marker, 't', 'b')).rejects.toBeInstanceOf(GitHubPermissionError);
  });
});
