import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${gh.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });

describe('fake GitHub', () => {
  it('pages comments like GitHub: 30 per page by default, at most 100, with Link rel="next"', async () => {
    gh.seedComments(
      'o',
      'r',
      1,
      Array.from({ length: 150 }, (_, i) => `c${i}`),
    );
    const first = await api('/repos/o/r/issues/1/comments');
    expect(((await first.json()) as unknown[]).length).toBe(30);
    const link = first.headers.get('link') ?? '';
    expect(link).toContain(`<${gh.url}/repos/o/r/issues/1/comments?per_page=30&page=2>; rel="next"`);
    expect(link).toContain('page=5>; rel="last"');

    const last = await api('/repos/o/r/issues/1/comments?per_page=500&page=2');
    const bodies = ((await last.json()) as Array<{ body: string; user: { login: string; type: string } }>).map(
      (c) => c.body,
    );
    expect(bodies).toHaveLength(50);
    expect(bodies[0]).toBe('c100');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('answers writes with 403 when read-only, and oversize bodies with 422', async () => {
    const post = (body: string) =>
      api('/repos/o/r/issues/1/comments', { method: 'POST', body: JSON.stringify({ body }) });
    expect((await post('x'.repeat(65_537))).status).toBe(422);
    gh.readOnly = true;
    const refused = await post('hi');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'Resource not accessible by integration' });
    expect((await api('/repos/o/r/issues/1/comments')).status).toBe(200);
  });

  it('serves pull requests, /user and 404 for unknown routes', async () => {
    gh.seedPull('o', 'r', 5, {
      base: { sha: '1'.repeat(40), ref: 'main' },
      head: { sha: '2'.repeat(40), ref: 'f' },
      fork: true,
    });
    const pull = (await (await api('/repos/o/r/pulls/5')).json()) as Record<string, unknown>;
    expect(pull.base).toMatchObject({ sha: '1'.repeat(40), ref: 'main', repo: { full_name: 'o/r' } });
    expect(pull.head).toMatchObject({ sha: '2'.repeat(40), ref: 'f', repo: { full_name: 'forker/r', fork: true } });
    expect((await api('/repos/o/r/pulls/6')).status).toBe(404);
    expect((await api('/user')).status).toBe(403);
    gh.viewer = 'alice';
    expect(await (await api('/user')).json()).toMatchObject({ login: 'alice', type: 'User' });
    expect((await api('/nope')).status).toBe(404);
  });

  it('serves a child process that finds it through GITHUB_API_URL', async () => {
    const script = `
      import { getOctokit } from '@actions/github';
      const octokit = getOctokit('child-token');
      const { data } = await octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 2, body: 'from child' });
      console.log(data.html_url);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, GITHUB_API_URL: gh.url },
    });
    const [comment] = gh.comments('o', 'r', 2);
    expect(stdout.trim()).toBe(comment.html_url);
    expect(comment).toMatchObject({ body: 'from child', user: { login: 'github-actions[bot]' } });
    expect(gh.requests[0]).toMatchObject({ method: 'POST', authorization: 'token child-token' });
  });
});
