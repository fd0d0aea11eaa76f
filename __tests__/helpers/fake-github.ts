/**
 * A loopback stand-in for the parts of GitHub's REST API that perfgate uses: issue comments
 * (list with pagination, create, update, delete), issues (list with `state` and pagination,
 * create, update, close), check runs, pull requests and `GET /user`.
 *
 * It is a real HTTP server on 127.0.0.1 with a random port and GitHub's response shapes
 * (`html_url`, `Link: <…>; rel="next"`, `per_page`/`page`, 403/404/422 bodies), so the real
 * Octokit client talks to it unchanged. It depends only on `node:http`, so end-to-end tests can
 * point a child process at it through `GITHUB_API_URL`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  body: string;
  user: FakeUser;
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  user: FakeUser;
  html_url: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** Present on pull requests, which the issues list also returns. */
  pull_request?: { url: string; html_url: string };
}

export interface FakePull {
  base: { sha: string; ref: string };
  head: { sha: string; ref: string };
  /** The head branch lives in a fork (another repository, `forker/<repo>`). */
  fork?: boolean;
  /** Label names (default none). */
  labels?: string[];
  /** The PR description (default null, as GitHub sends an empty one). */
  body?: string | null;
  /** The author's association with the repository (default `CONTRIBUTOR`). */
  authorAssociation?: string;
}

/** Narrows `failNext` to some requests, or makes the failure happen after the request took effect. */
export interface FailOptions {
  /** Only requests with this method fail (e.g. `POST`); others pass and do not count. */
  method?: string;
  /** Only requests whose path contains this string fail. */
  pathIncludes?: string;
  /**
   * Apply the request, then answer with the error anyway, as GitHub sometimes does on a 502:
   * the comment exists although the client saw a failure.
   */
  afterApplying?: boolean;
  /** Never answer (the client must time out); `status` is then unused. */
  hang?: boolean;
}

export interface FakeGitHub {
  /** Base URL to pass as apiUrl / GITHUB_API_URL. */
  url: string;
  /** The live list of an issue's comments, oldest first. */
  comments(owner: string, repo: string, issue: number): FakeComment[];
  checkRuns(): Array<Record<string, unknown>>;
  /** The live list of a repository's issues (pull requests seeded with `seedIssue` included), oldest first. */
  issues(owner: string, repo: string): FakeIssue[];
  /** Adds an issue (default author `someone`, a user); `pullRequest: true` makes it a pull request. */
  seedIssue(
    owner: string,
    repo: string,
    issue: { title: string; body: string; login?: string; state?: 'open' | 'closed'; pullRequest?: boolean },
  ): FakeIssue;
  /** Every request received, in order; `path` includes the query string. */
  requests: Array<{ method: string; path: string; body?: unknown; authorization?: string }>;
  /** Adds comments (e.g. 150 to force pagination); default author `someone` (a user); a login ending in `[bot]` is a bot. */
  seedComments(owner: string, repo: string, issue: number, bodies: string[], login?: string): void;
  /** Makes `GET /repos/{owner}/{repo}/pulls/{number}` answer with this pull request. */
  seedPull(owner: string, repo: string, number: number, pull: FakePull): void;
  /** The seeded pull request, to change it between runs (e.g. add a label); undefined when not seeded. */
  pull(owner: string, repo: string, number: number): FakePull | undefined;
  /**
   * Transient failures (default 502) for the next N requests. A 429 or 403 is a rate limit: it
   * carries `Retry-After: 1` and, for 403, GitHub's "secondary rate limit" message.
   */
  failNext(count: number, status?: number, options?: FailOptions): void;
  /** Writes answer 403 {"message":"Resource not accessible by integration"}, like a fork PR's GITHUB_TOKEN. */
  readOnly: boolean;
  /**
   * The token's user, as a personal access token: `GET /user` returns it and new comments are
   * written by it. Unset (the default) behaves like GITHUB_TOKEN: `GET /user` answers 403 and new
   * comments are written by `github-actions[bot]`.
   */
  viewer?: string;
  close(): Promise<void>;
}

const BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
const DOCS = 'https://docs.github.com/rest';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

const notFound = () => new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });

function userFor(login: string): FakeUser {
  let id = 1000;
  for (const ch of login) id = (id * 31 + ch.charCodeAt(0)) % 1_000_000;
  return { login, id, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' }));
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    ...headers,
  });
  res.end(text);
}

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n > 0 ? n : fallback;
}

function stringField(body: unknown, field: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : undefined;
}

function validationFailed(resource: string, field: string, message: string): HttpError {
  return new HttpError(422, {
    message: 'Validation Failed',
    errors: [{ resource, code: 'custom', field, message }],
    documentation_url: DOCS,
    status: '422',
  });
}

/** Starts the stand-in on 127.0.0.1 with a random port. */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const commentsByIssue = new Map<string, FakeComment[]>();
  const pulls = new Map<string, FakePull>();
  const checkRuns: Array<Record<string, unknown>> = [];
  const issuesByRepo = new Map<string, FakeIssue[]>();
  // Issue numbers start high so they never collide with the PR numbers tests choose.
  let nextIssueNumber = 501;
  const requests: FakeGitHub['requests'] = [];
  let nextId = 1_000_000_001;
  let failures: { count: number; status: number; options: FailOptions } = { count: 0, status: 502, options: {} };
  let base = '';

  const issueKey = (owner: string, repo: string, issue: number) => `${owner}/${repo}#${issue}`.toLowerCase();
  const commentsOf = (owner: string, repo: string, issue: number) => {
    const key = issueKey(owner, repo, issue);
    let list = commentsByIssue.get(key);
    if (!list) {
      list = [];
      commentsByIssue.set(key, list);
    }
    return list;
  };
  const findComment = (owner: string, repo: string, id: number) => {
    const prefix = `${owner}/${repo}#`.toLowerCase();
    for (const [key, list] of commentsByIssue) {
      if (!key.startsWith(prefix)) continue;
      const index = list.findIndex((c) => c.id === id);
      if (index >= 0) return { list, index };
    }
    throw notFound();
  };
  const newComment = (owner: string, repo: string, issue: number, body: string, user: FakeUser): FakeComment => {
    const id = nextId++;
    const now = new Date().toISOString();
    return {
      id,
      body,
      user,
      html_url: `${base}/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      created_at: now,
      updated_at: now,
    };
  };
  const commentJson = (c: FakeComment, owner: string, repo: string) => ({
    ...c,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${owner}/${repo}/issues/comments/${c.id}`,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
  });
  const issuesOf = (owner: string, repo: string) => {
    const key = `${owner}/${repo}`.toLowerCase();
    let list = issuesByRepo.get(key);
    if (!list) {
      list = [];
      issuesByRepo.set(key, list);
    }
    return list;
  };
  const newIssue = (owner: string, repo: string, title: string, body: string, user: FakeUser): FakeIssue => {
    const number = nextIssueNumber++;
    const now = new Date().toISOString();
    const issue: FakeIssue = {
      number,
      title,
      body,
      state: 'open',
      state_reason: null,
      user,
      html_url: `${base}/${owner}/${repo}/issues/${number}`,
      created_at: now,
      updated_at: now,
      closed_at: null,
    };
    issuesOf(owner, repo).push(issue);
    return issue;
  };
  const issueJson = (i: FakeIssue, owner: string, repo: string) => ({
    ...i,
    id: 2_000_000 + i.number,
    node_id: `I_${i.number}`,
    url: `${base}/repos/${owner}/${repo}/issues/${i.number}`,
    comments: commentsOf(owner, repo, i.number).length,
    labels: [],
    author_association: i.user.type === 'Bot' ? 'NONE' : 'MEMBER',
  });
  const checkBody = (body: string) => {
    if (body.length > 65_536)
      throw validationFailed('IssueComment', 'body', 'Body is too long (maximum is 65536 characters)');
    return body;
  };

  function failure(method: string, path: string): HttpError | undefined {
    const { method: onlyMethod, pathIncludes } = failures.options;
    if (failures.count <= 0) return undefined;
    if (onlyMethod !== undefined && onlyMethod.toUpperCase() !== method) return undefined;
    if (pathIncludes !== undefined && !path.includes(pathIncludes)) return undefined;
    failures.count--;
    const { status } = failures;
    if (status === 429) {
      return new HttpError(
        429,
        { message: 'API rate limit exceeded', documentation_url: DOCS, status: '429' },
        { 'retry-after': '1' },
      );
    }
    if (status === 403) {
      const message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
      return new HttpError(403, { message, documentation_url: DOCS, status: '403' }, { 'retry-after': '1' });
    }
    const messages: Record<number, string> = {
      500: 'Internal Server Error',
      502: 'Bad Gateway',
      503: 'Service Unavailable',
    };
    return new HttpError(status, { message: messages[status] ?? 'Server Error', status: String(status) });
  }

  async function route(
    method: string,
    url: URL,
    body: unknown,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const write = method !== 'GET' && method !== 'HEAD';
    if (write && fake.readOnly) {
      throw new HttpError(403, {
        message: 'Resource not accessible by integration',
        documentation_url: DOCS,
        status: '403',
      });
    }
    if (parts[0] === 'user' && parts.length === 1 && method === 'GET') {
      if (!fake.viewer) {
        throw new HttpError(403, {
          message: 'Resource not accessible by integration',
          documentation_url: DOCS,
          status: '403',
        });
      }
      const user = userFor(fake.viewer);
      return { status: 200, body: { ...user, html_url: `${base}/${user.login}` } };
    }
    if (parts[0] !== 'repos' || parts.length < 4) throw notFound();
    const [, owner, repo, resource, ...rest] = parts;

    // /repos/{o}/{r}/issues/{n}/comments
    if (resource === 'issues' && rest.length === 2 && rest[1] === 'comments') {
      const issue = Number(rest[0]);
      if (!Number.isInteger(issue) || issue <= 0) throw notFound();
      const list = commentsOf(owner, repo, issue);
      if (method === 'GET') {
        const perPage = Math.min(100, positiveInt(url.searchParams.get('per_page'), 30));
        const page = positiveInt(url.searchParams.get('page'), 1);
        const last = Math.max(1, Math.ceil(list.length / perPage));
        const slice = list.slice((page - 1) * perPage, page * perPage).map((c) => commentJson(c, owner, repo));
        return { status: 200, body: slice, headers: linkHeader(url, page, last, perPage) };
      }
      if (method === 'POST') {
        const text = stringField(body, 'body');
        if (text === undefined) throw validationFailed('IssueComment', 'body', "body wasn't supplied.");
        const user = fake.viewer ? userFor(fake.viewer) : BOT;
        const comment = newComment(owner, repo, issue, checkBody(text), user);
        list.push(comment);
        return {
          status: 201,
          body: commentJson(comment, owner, repo),
          headers: { location: commentJson(comment, owner, repo).url },
        };
      }
    }
    // /repos/{o}/{r}/issues
    if (resource === 'issues' && rest.length === 0) {
      if (method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(state))
          throw validationFailed('Issue', 'state', `state must be open, closed or all, got ${state}`);
        const descending = (url.searchParams.get('direction') ?? 'desc') === 'desc';
        const matching = issuesOf(owner, repo).filter((i) => state === 'all' || i.state === state);
        if (descending) matching.reverse();
        const perPage = Math.min(100, positiveInt(url.searchParams.get('per_page'), 30));
        const page = positiveInt(url.searchParams.get('page'), 1);
        const last = Math.max(1, Math.ceil(matching.length / perPage));
        const slice = matching.slice((page - 1) * perPage, page * perPage).map((i) => issueJson(i, owner, repo));
        return { status: 200, body: slice, headers: linkHeader(url, page, last, perPage) };
      }
      if (method === 'POST') {
        const title = stringField(body, 'title');
        if (!title) throw validationFailed('Issue', 'title', "title wasn't supplied.");
        const issue = newIssue(
          owner,
          repo,
          title,
          checkBody(stringField(body, 'body') ?? ''),
          fake.viewer ? userFor(fake.viewer) : BOT,
        );
        return { status: 201, body: issueJson(issue, owner, repo) };
      }
    }
    // /repos/{o}/{r}/issues/{n}
    if (resource === 'issues' && rest.length === 1 && /^\d+$/.test(rest[0])) {
      const issue = issuesOf(owner, repo).find((i) => i.number === Number(rest[0]));
      if (!issue) throw notFound();
      if (method === 'GET') return { status: 200, body: issueJson(issue, owner, repo) };
      if (method === 'PATCH') {
        const title = stringField(body, 'title');
        const text = stringField(body, 'body');
        const state = stringField(body, 'state');
        if (title !== undefined) {
          if (title === '') throw validationFailed('Issue', 'title', 'title cannot be blank');
          issue.title = title;
        }
        if (text !== undefined) issue.body = checkBody(text);
        if (state !== undefined) {
          if (state !== 'open' && state !== 'closed')
            throw validationFailed('Issue', 'state', `state must be open or closed, got ${state}`);
          if (state !== issue.state) {
            issue.state = state;
            issue.closed_at = state === 'closed' ? new Date().toISOString() : null;
            issue.state_reason =
              state === 'closed'
                ? ((stringField(body, 'state_reason') as FakeIssue['state_reason']) ?? 'completed')
                : 'reopened';
          }
        }
        issue.updated_at = new Date().toISOString();
        return { status: 200, body: issueJson(issue, owner, repo) };
      }
    }
    // /repos/{o}/{r}/issues/comments/{id}
    if (resource === 'issues' && rest.length === 2 && rest[0] === 'comments') {
      const { list, index } = findComment(owner, repo, Number(rest[1]));
      const comment = list[index];
      if (method === 'GET') return { status: 200, body: commentJson(comment, owner, repo) };
      if (method === 'PATCH') {
        const text = stringField(body, 'body');
        if (text === undefined) throw validationFailed('IssueComment', 'body', "body wasn't supplied.");
        comment.body = checkBody(text);
        comment.updated_at = new Date().toISOString();
        return { status: 200, body: commentJson(comment, owner, repo) };
      }
      if (method === 'DELETE') {
        list.splice(index, 1);
        return { status: 204 };
      }
    }
    // /repos/{o}/{r}/check-runs
    if (resource === 'check-runs' && rest.length === 0 && method === 'POST') {
      const name = stringField(body, 'name');
      const headSha = stringField(body, 'head_sha');
      if (!name || !headSha) {
        throw new HttpError(422, {
          message: `Invalid request.\n\n"${name ? 'head_sha' : 'name'}" wasn't supplied.`,
          status: '422',
        });
      }
      if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(headSha))
        throw validationFailed('CheckRun', 'head_sha', 'No commit found for SHA: ' + headSha);
      const summary = (body as { output?: { summary?: unknown } }).output?.summary;
      if (typeof summary === 'string' && summary.length > 65_535) {
        throw validationFailed('CheckRun', 'summary', 'Output summary is too long (maximum is 65535 characters)');
      }
      const id = nextId++;
      const run = {
        ...(body as Record<string, unknown>),
        id,
        owner,
        repo,
        url: `${base}/repos/${owner}/${repo}/check-runs/${id}`,
        html_url: `${base}/${owner}/${repo}/runs/${id}`,
        status: stringField(body, 'status') ?? 'queued',
      };
      checkRuns.push(run);
      return { status: 201, body: run };
    }
    // /repos/{o}/{r}/pulls/{n}
    if (resource === 'pulls' && rest.length === 1 && method === 'GET') {
      const number = Number(rest[0]);
      const pull = pulls.get(issueKey(owner, repo, number));
      if (!pull) throw notFound();
      const baseRepo = { full_name: `${owner}/${repo}`, name: repo, owner: { login: owner }, fork: false };
      const headRepo = pull.fork
        ? { full_name: `forker/${repo}`, name: repo, owner: { login: 'forker' }, fork: true }
        : baseRepo;
      return {
        status: 200,
        body: {
          number,
          state: 'open',
          html_url: `${base}/${owner}/${repo}/pull/${number}`,
          body: pull.body ?? null,
          author_association: pull.authorAssociation ?? 'CONTRIBUTOR',
          user: userFor(pull.fork ? 'forker' : 'author'),
          labels: (pull.labels ?? []).map((name, i) => ({
            id: 5000 + i,
            node_id: `LA_${5000 + i}`,
            url: `${base}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
            name,
            color: 'ededed',
            default: false,
            description: null,
          })),
          base: { ...pull.base, label: `${owner}:${pull.base.ref}`, repo: baseRepo },
          head: { ...pull.head, label: `${headRepo.owner.login}:${pull.head.ref}`, repo: headRepo },
        },
      };
    }
    throw notFound();
  }

  /** GitHub's pagination header: `<url?page=2>; rel="next", <url?page=5>; rel="last"`, plus prev/first. */
  function linkHeader(url: URL, page: number, last: number, perPage: number): Record<string, string> {
    const link = (p: number, rel: string) => {
      const u = new URL(url.pathname, base);
      for (const [k, v] of url.searchParams) if (k !== 'page' && k !== 'per_page') u.searchParams.set(k, v);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return links.length > 0 ? { link: links.join(', ') } : {};
  }

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', base);
    readBody(req)
      .then(async (body) => {
        requests.push({
          method,
          path: url.pathname + url.search,
          ...(body === undefined ? {} : { body }),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        });
        const injected = failure(method, url.pathname);
        if (injected && failures.options.hang) return; // left open until the client gives up or close()
        if (injected && !failures.options.afterApplying) throw injected;
        const out = await route(method, url, body);
        if (injected) throw injected;
        send(res, out.status, out.body, out.headers);
      })
      .catch((error: unknown) => {
        if (error instanceof HttpError) send(res, error.status, error.body, error.headers);
        else send(res, 500, { message: `fake GitHub: ${(error as Error).message}` });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeGitHub = {
    url: base,
    requests,
    readOnly: false,
    viewer: undefined,
    comments: (owner, repo, issue) => commentsOf(owner, repo, issue),
    checkRuns: () => checkRuns,
    issues: (owner, repo) => issuesOf(owner, repo),
    seedIssue(owner, repo, { title, body, login = 'someone', state = 'open', pullRequest = false }) {
      const issue = newIssue(owner, repo, title, body, userFor(login));
      issue.state = state;
      if (pullRequest) {
        issue.pull_request = {
          url: `${base}/repos/${owner}/${repo}/pulls/${issue.number}`,
          html_url: `${base}/${owner}/${repo}/pull/${issue.number}`,
        };
      }
      return issue;
    },
    seedComments(owner, repo, issue, bodies, login = 'someone') {
      const list = commentsOf(owner, repo, issue);
      for (const body of bodies) list.push(newComment(owner, repo, issue, body, userFor(login)));
    },
    seedPull(owner, repo, number, pull) {
      pulls.set(issueKey(owner, repo, number), pull);
    },
    pull: (owner, repo, number) => pulls.get(issueKey(owner, repo, number)),
    failNext(count, status = 502, options = {}) {
      failures = { count, status, options };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return fake;
}
