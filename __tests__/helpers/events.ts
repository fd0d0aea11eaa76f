/**
 * Webhook payloads in GitHub's shapes (docs.github.com/webhooks/webhook-events-and-payloads),
 * trimmed to realistic fields, and the runner variables that go with them; plus an "origin"
 * repository with a depth-1 checkout of one commit, as actions/checkout leaves the workspace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from './repo';

const repository = {
  id: 1296269,
  name: 'app',
  full_name: 'octo/app',
  private: false,
  owner: { login: 'octo', id: 1, type: 'Organization' },
  default_branch: 'main',
};
const sender = { login: 'octocat', id: 583231, type: 'User' };

function commit(id: string, message: string) {
  return {
    id,
    tree_id: 'f'.repeat(40),
    message,
    timestamp: '2026-03-02T10:00:00Z',
    author: { name: 'Mona', email: 'mona@example.invalid' },
    committer: { name: 'GitHub', email: 'noreply@github.com' },
  };
}

/** `merge_group` (action `checks_requested`): the queue built `headSha` on top of `baseSha`. */
export function mergeGroupEvent(baseSha: string, headSha: string, pr: number) {
  const headRef = `refs/heads/gh-readonly-queue/main/pr-${pr}-${baseSha}`;
  return {
    payload: {
      action: 'checks_requested',
      merge_group: {
        head_sha: headSha,
        head_ref: headRef,
        base_sha: baseSha,
        base_ref: 'refs/heads/main',
        head_commit: commit(headSha, `Merge pull request #${pr} from octo/feature`),
      },
      repository,
      sender,
    },
    env: {
      GITHUB_EVENT_NAME: 'merge_group',
      GITHUB_SHA: headSha,
      GITHUB_REF: headRef,
      GITHUB_REF_NAME: headRef.replace('refs/heads/', ''),
    },
  };
}

/** `push` to `ref` (default main); `before` all zeros for a new ref. */
export function pushEvent(before: string, after: string, options: { ref?: string; forced?: boolean } = {}) {
  const ref = `refs/heads/${options.ref ?? 'main'}`;
  const created = /^0+$/.test(before);
  return {
    payload: {
      ref,
      before,
      after,
      repository,
      pusher: { name: 'mona', email: 'mona@example.invalid' },
      sender,
      created,
      deleted: false,
      forced: options.forced ?? false,
      base_ref: null,
      compare: `https://github.com/octo/app/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: [commit(after, 'change')],
      head_commit: commit(after, 'change'),
    },
    env: { GITHUB_EVENT_NAME: 'push', GITHUB_SHA: after, GITHUB_REF: ref, GITHUB_REF_NAME: options.ref ?? 'main' },
  };
}

/** `schedule`: the payload names the cron line only; the run is for the default branch's tip. */
export function scheduleEvent(sha: string) {
  return {
    payload: { schedule: '0 3 * * 1', repository, workflow: '.github/workflows/perf-creep.yml' },
    env: {
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_SHA: sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_WORKFLOW: 'perf-creep',
      GITHUB_JOB: 'creep',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
    },
  };
}

/** Commits `files` on the origin's current branch; returns the new SHA. */
export function commitFiles(repo: string, files: Record<string, string>, message: string): string {
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(repo, name), content);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A depth-1 clone of `sha` from `origin` (no tags), as actions/checkout makes it. */
export function checkout(origin: string, sha: string): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-ws-')), 'app');
  git(path.dirname(dir), 'init', '-q', dir);
  git(dir, 'remote', 'add', 'origin', `file://${origin}`);
  git(dir, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', sha);
  git(dir, 'checkout', '-q', '--detach', sha);
  return dir;
}
