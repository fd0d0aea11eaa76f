import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  commentMarker,
  createGitHubPort,
  GitHubPermissionError,
  type GitHubPortOptions,
  MAX_COMMENT_BODY,
} from '../../src/adapters/github';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';

const OWNER = 'octo';
const REPO = 'app';
const PR = 7;
const SHA = 'a'.repeat(40);
const marker = commentMarker('ci.yml', 'bench');

let gh: FakeGitHub;
let logs: string[];

beforeEach(async () => {
  gh = await startFakeGitHub();
  logs = [];
});
afterEach(async () => {
  await gh.close();
});

function port(options: GitHubPortOptions = {}) {
  return createGitHubPort(
    { token: 'test-token', apiUrl: gh.url, owner: OWNER, repo: REPO },
    { retries: 3, retryDelayMs: 1, log: (m) => logs.push(m), ...options },
  );
}

const writes = () => gh.requests.filter((r) => r.method !== 'GET');

describe('upsertComment', () => {
  it('creates the comment once, then updates it in place', async () => {
    const github = port();
    const first = await github.upsertComment(PR, marker, `${marker}\nrun 1`);
    expect(first.created).toBe(true);
    expect(first.url).toBe(`${gh.url}/${OWNER}/${REPO}/pull/${PR}#issuecomment-${first.id}`);

    const second = await github.upsertComment(PR, marker, `${marker}\nrun 2`);
    expect(second).toEqual({ url: first.url, id: first.id, created: false });
    const comments = gh.comments(OWNER, REPO, PR);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toBe(`${marker}\nrun 2`);
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(gh.requests[0].authorization).toBe('token test-token');
  });

  it('puts the marker on the first line when the body does not start with it', async () => {
    await port().upsertComment(PR, marker, 'no marker here');
    await port().upsertComment(PR, marker, `text\n${marker}`);
    expect(gh.comments(OWNER, REPO, PR).map((c) => c.body)).toEqual([`${marker}\ntext\n${marker}`]);
  });

  it('finds the marker beyond the first page (150 seeded comments)', async () => {
    const noise = Array.from({ length: 150 }, (_, i) => `comment ${i}`);
    gh.seedComments(OWNER, REPO, PR, noise.slice(0, 140), 'someone');
    gh.seedComments(OWNER, REPO, PR, [`${marker}\nold report`], 'github-actions[bot]');
    gh.seedComments(OWNER, REPO, PR, noise.slice(140), 'someone');
    const target = gh.comments(OWNER, REPO, PR)[140];

    const result = await port().upsertComment(PR, marker, `${marker}\nnew report`);
    expect(result).toMatchObject({ id: target.id, created: false });
    expect(gh.comments(OWNER, REPO, PR)).toHaveLength(151);
    expect(gh.comments(OWNER, REPO, PR)[140].body).toBe(`${marker}\nnew report`);
    const listed = gh.requests.filter((r) => r.method === 'GET' && r.path.includes('/comments'));
    expect(listed.map((r) => new URL(r.path, gh.url).searchParams.get('page') ?? '1')).toEqual(['1', '2']);
    expect(listed.every((r) => new URL(r.path, gh.url).searchParams.get('per_page') === '100')).toBe(true);
  });

  it('never edits comments without the exact marker, nor marked comments by other users', async () => {
    gh.seedComments(
      OWNER,
      REPO,
      PR,
      ['perfgate:ci.yml/bench', commentMarker('ci.yml', 'bench2'), `> ${marker}\nquoted by another bot`],
      'github-actions[bot]',
    );
    gh.seedComments(OWNER, REPO, PR, [`${marker}\nspoofed by a user`], 'mallory');
    const result = await port().upsertComment(PR, marker, 'report');
    expect(result.created).toBe(true);
    const bodies = gh.comments(OWNER, REPO, PR).map((c) => c.body);
    expect(bodies).toEqual([
      'perfgate:ci.yml/bench',
      commentMarker('ci.yml', 'bench2'),
      `> ${marker}\nquoted by another bot`,
      `${marker}\nspoofed by a user`,
      `${marker}\nreport`,
    ]);
    expect(writes().map((r) => r.method)).toEqual(['POST']);
    // mallory's marked comment made the adapter ask who the token is; GITHUB_TOKEN may not know (403), asked once.
    expect(gh.requests.filter((r) => r.path === '/user')).toHaveLength(1);
  });

  it("edits a marked comment by the token's own user (personal access token)", async () => {
    gh.viewer = 'alice';
    gh.seedComments(OWNER, REPO, PR, [`${marker}\nmallory's`], 'mallory');
    gh.seedComments(OWNER, REPO, PR, [`${marker}\nalice's`], 'alice');
    const result = await port().upsertComment(PR, marker, 'updated');
    expect(result.created).toBe(false);
    expect(gh.comments(OWNER, REPO, PR).map((c) => c.body)).toEqual([`${marker}\nmallory's`, `${marker}\nupdated`]);
  });

  it('keeps exactly one comment per marker: updates the oldest and deletes duplicates', async () => {
    gh.seedComments(OWNER, REPO, PR, [`${marker}\nA`, 'chatter', `${marker}\nB`], 'github-actions[bot]');
    const [oldest] = gh.comments(OWNER, REPO, PR);
    const result = await port().upsertComment(PR, marker, 'C');
    expect(result).toMatchObject({ id: oldest.id, created: false });
    expect(gh.comments(OWNER, REPO, PR).map((c) => c.body)).toEqual([`${marker}\nC`, 'chatter']);
    expect(logs.some((l) => l.includes('Deleted duplicate'))).toBe(true);
  });

  it('retries transient 502s and succeeds', async () => {
    gh.failNext(2, 502);
    const result = await port().upsertComment(PR, marker, 'report');
    expect(result.created).toBe(true);
    expect(gh.comments(OWNER, REPO, PR)).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(logs.filter((l) => l.includes('answered 502; retrying'))).toHaveLength(2);
  });

  it('retries a 502 on update in place', async () => {
    const github = port();
    await github.upsertComment(PR, marker, 'first');
    gh.failNext(2, 502, { method: 'PATCH' });
    await expect(github.upsertComment(PR, marker, 'second')).resolves.toMatchObject({ created: false });
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH']);
    expect(gh.comments(OWNER, REPO, PR).map((c) => c.body)).toEqual([`${marker}\nsecond`]);
  });

  it('does not duplicate the comment when a create answered 502 but took effect', async () => {
    gh.failNext(1, 502, { method: 'POST', afterApplying: true });
    const result = await port().upsertComment(PR, marker, 'report');
    // The POST created the comment despite the 502; the adapter looks again, finds and updates it.
    expect(result.created).toBe(false);
    expect(gh.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    expect(gh.comments(OWNER, REPO, PR).map((c) => c.body)).toEqual([`${marker}\nreport`]);
    expect(logs.some((l) => l.includes('looking for it again'))).toBe(true);
  });

  it('creates the comment when a create answered 503 without taking effect', async () => {
    gh.failNext(1, 503, { method: 'POST' });
    const result = await port().upsertComment(PR, marker, 'report');
    expect(result.created).toBe(true);
    expect(gh.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
    expect(gh.comments(OWNER, REPO, PR)).toHaveLength(1);
  });

  it('retries rate limits (429, secondary 403) with the wait GitHub asks for', async () => {
    gh.failNext(1, 429);
    await port().upsertComment(PR, marker, 'a');
    gh.failNext(1, 403);
    await port().upsertComment(PR, marker, 'b');
    expect(gh.comments(OWNER, REPO, PR).map((c) => c.body)).toEqual([`${marker}\nb`]);
    expect(logs.filter((l) => l.includes('rate limited'))).toHaveLength(2);
  });

  it('retries a create refused by a secondary rate limit, without a duplicate', async () => {
    gh.failNext(1, 403, { method: 'POST' });
    await expect(port().upsertComment(PR, marker, 'x')).resolves.toMatchObject({ created: true });
    expect(gh.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'POST']);
    expect(gh.comments(OWNER, REPO, PR)).toHaveLength(1);
  });

  it('abandons an attempt that gets no answer and retries it', async () => {
    gh.failNext(1, 502, { hang: true });
    await expect(port({ requestTimeoutMs: 300 }).upsertComment(PR, marker, 'x')).resolves.toMatchObject({
      created: true,
    });
    expect(gh.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
    expect(logs.some((l) => /failed \(.*tim/i.test(l))).toBe(true);
  });

  it('gives up after the configured retries with a clear error', async () => {
    gh.failNext(10, 502);
    await expect(port({ retries: 2 }).upsertComment(PR, marker, 'x')).rejects.toThrow(
      `Could not list the comments of #${PR} in ${OWNER}/${REPO}: GitHub answered 502 "Bad Gateway".`,
    );
    expect(gh.requests).toHaveLength(3);
  });

  it('says the request got no answer when every attempt times out', async () => {
    gh.failNext(5, 502, { hang: true });
    await expect(port({ retries: 1, requestTimeoutMs: 200 }).upsertComment(PR, marker, 'x')).rejects.toThrow(
      /Could not list the comments of #7 in octo\/app: the request to GitHub failed \(.*timeout.*\)/,
    );
    expect(gh.requests).toHaveLength(2);
  });

  it('throws GitHubPermissionError for a read-only token', async () => {
    gh.readOnly = true;
    const error = await port()
      .upsertComment(PR, marker, 'x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect((error as GitHubPermissionError).status).toBe(403);
    expect((error as Error).message).toMatch(/Resource not accessible by integration/);
    expect((error as Error).message).toMatch(/fork/);
    expect((error as Error).message).toMatch(/report mode/);
    expect(writes()).toHaveLength(1); // a refusal is not retried
  });

  it('rejects an over-long body before calling GitHub', async () => {
    const body = `${marker}\n${'x'.repeat(MAX_COMMENT_BODY)}`;
    await expect(port().upsertComment(PR, marker, body)).rejects.toThrow(
      `the comment body is ${body.length} characters (marker included), but GitHub accepts at most 65536`,
    );
    expect(gh.requests).toHaveLength(0);
    const exact = `${marker}\n${'x'.repeat(MAX_COMMENT_BODY - marker.length - 1)}`;
    await expect(port().upsertComment(PR, marker, exact)).resolves.toMatchObject({ created: true });
  });

  it('rejects a marker that is not a hidden comment', async () => {
    await expect(port().upsertComment(PR, 'perfgate', 'x')).rejects.toThrow(/hidden HTML comment/);
  });
});

describe('createCheckRun', () => {
  it('creates a completed check run and returns its URL', async () => {
    const result = await port().createCheckRun({
      headSha: SHA,
      name: 'perfgate',
      conclusion: 'failure',
      title: '1 regression',
      summary: '| metric | change |',
    });
    const [run] = gh.checkRuns();
    expect(result.url).toBe(run.html_url);
    expect(run).toMatchObject({
      owner: OWNER,
      repo: REPO,
      name: 'perfgate',
      head_sha: SHA,
      status: 'completed',
      conclusion: 'failure',
      output: { title: '1 regression', summary: '| metric | change |' },
    });
    expect(typeof run.completed_at).toBe('string');
  });

  it('throws GitHubPermissionError for a read-only token', async () => {
    gh.readOnly = true;
    const run = { headSha: SHA, name: 'perfgate', conclusion: 'success' as const, title: 't', summary: 's' };
    await expect(port().createCheckRun(run)).rejects.toBeInstanceOf(GitHubPermissionError);
  });

  it('rejects a short SHA and an over-long summary before calling GitHub', async () => {
    const run = { headSha: SHA, name: 'perfgate', conclusion: 'neutral' as const, title: 't', summary: 's' };
    await expect(port().createCheckRun({ ...run, headSha: 'abc123' })).rejects.toThrow(/40 hex digits/);
    await expect(port().createCheckRun({ ...run, summary: 'x'.repeat(65_536) })).rejects.toThrow(/at most 65535/);
    expect(gh.requests).toHaveLength(0);
  });
});

describe('getPullRequest', () => {
  it('reads base and head, and tells a fork PR apart', async () => {
    gh.seedPull(OWNER, REPO, 1, { base: { sha: SHA, ref: 'main' }, head: { sha: 'b'.repeat(40), ref: 'feat' } });
    gh.seedPull(OWNER, REPO, 2, {
      base: { sha: SHA, ref: 'main' },
      head: { sha: 'c'.repeat(40), ref: 'x' },
      fork: true,
    });
    const github = port();
    expect(await github.getPullRequest(1)).toEqual({
      number: 1,
      base: { sha: SHA, ref: 'main' },
      head: { sha: 'b'.repeat(40), ref: 'feat' },
      fromFork: false,
      labels: [],
      body: '',
      authorAssociation: 'CONTRIBUTOR',
    });
    expect((await github.getPullRequest(2)).fromFork).toBe(true);
    await expect(github.getPullRequest(3)).rejects.toThrow(/read pull request #3 in octo\/app: GitHub answered 404/);
  });

  it('reads the labels, the description and the author association as they are now', async () => {
    gh.seedPull(OWNER, REPO, 4, {
      base: { sha: SHA, ref: 'main' },
      head: { sha: 'd'.repeat(40), ref: 'y' },
      body: 'Faster parser.\nperfgate: accept cli:wall',
      authorAssociation: 'MEMBER',
    });
    const github = port();
    expect(await github.getPullRequest(4)).toMatchObject({
      labels: [],
      body: 'Faster parser.\nperfgate: accept cli:wall',
      authorAssociation: 'MEMBER',
    });
    gh.pull(OWNER, REPO, 4)!.labels = ['perf-regression-accepted', 'bug'];
    expect((await github.getPullRequest(4)).labels).toEqual(['perf-regression-accepted', 'bug']);
  });
});

describe('commentMarker', () => {
  it('is a hidden HTML comment naming workflow and job', () => {
    expect(commentMarker('ci.yml', 'bench')).toBe('<!-- perfgate:ci.yml/bench -->');
  });

  it('encodes characters that could end the comment or blur the separator', () => {
    const m = commentMarker('a/b.yml', 'x --> <!-- y');
    expect(m).toBe('<!-- perfgate:a%2Fb.yml/x%20--%3E%20%3C%21--%20y -->');
    expect(m.indexOf('-->')).toBe(m.length - 3);
    expect(commentMarker('a/b', 'c')).not.toBe(commentMarker('a', 'b/c'));
  });

  it('rejects empty names', () => {
    expect(() => commentMarker(' ', 'bench')).toThrow(/workflow name is empty/);
  });
});
