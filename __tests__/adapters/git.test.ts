import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addWorktrees, changedEntries, listTracked, resolveRevisions, trackedState } from '../../src/adapters/git';
import { git, makeRepo } from '../helpers/repo';

/** An "origin" with two commits and a depth-1 clone of its tip, as actions/checkout leaves it. */
function shallowClone() {
  const origin = makeRepo({ 'a.txt': 'base' });
  const baseSha = git(origin, 'rev-parse', 'HEAD');
  writeFileSync(path.join(origin, 'a.txt'), 'head');
  git(origin, 'commit', '-qam', 'head');
  const headSha = git(origin, 'rev-parse', 'HEAD');
  const clone = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-clone-')), 'repo');
  git(path.dirname(clone), 'clone', '-q', '--depth=1', `file://${origin}`, clone);
  return { origin, clone, baseSha, headSha };
}

describe('git adapter', () => {
  it('fetches a PR base that a depth-1 checkout lacks', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    expect(() => git(clone, 'cat-file', '-e', `${baseSha}^{commit}`)).toThrow();
    const { base, head } = await resolveRevisions(clone, null, {
      eventName: 'pull_request',
      prBaseSha: baseSha,
      prBaseRef: 'main',
    });
    expect(base).toEqual({ sha: baseSha, ref: 'main' });
    expect(head.sha).toBe(headSha);
  });

  it('falls back to the previous commit on push, fetching it when needed', async () => {
    const { clone, baseSha } = shallowClone();
    const { base } = await resolveRevisions(clone, null, { eventName: 'push' });
    expect(base.sha).toBe(baseSha);
  });

  it('explains a base that cannot be found', async () => {
    const repo = makeRepo({ 'a.txt': 'x' });
    await expect(resolveRevisions(repo, 'no-such-branch', { eventName: 'push' })).rejects.toThrow(
      /cannot find the commit "no-such-branch"/,
    );
  });

  it('checks base and head out side by side at paths of equal length, and removes them', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    await resolveRevisions(clone, null, { eventName: 'pull_request', prBaseSha: baseSha });
    const root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-wt-'));
    const checkouts = await addWorktrees(clone, root, { sha: baseSha }, { sha: headSha });
    expect(checkouts.base.length).toBe(checkouts.head.length);
    expect(git(checkouts.base, 'rev-parse', 'HEAD')).toBe(baseSha);
    expect(git(checkouts.head, 'rev-parse', 'HEAD')).toBe(headSha);
    await checkouts.remove();
    expect(existsSync(checkouts.base)).toBe(false);
    expect(git(clone, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('leaves no worktree behind when checking out is aborted, at whatever step', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    await resolveRevisions(clone, null, { eventName: 'pull_request', prBaseSha: baseSha });
    // Abort while the first `git worktree add` runs, and once the base worktree exists.
    for (const when of ['at once', 'after base'] as const) {
      const root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-wt-abort-'));
      const abort = new AbortController();
      const pending = addWorktrees(clone, root, { sha: baseSha }, { sha: headSha }, abort.signal);
      if (when === 'after base')
        await expect
          .poll(() => existsSync(path.join(root, 'base', 'a.txt')), { timeout: 30_000, interval: 5 })
          .toBe(true);
      abort.abort(new Error(`cancelled ${when}`));
      // The checkout may have finished before the abort landed; then removing it is the caller's job.
      const outcome = await pending.then(
        async (c) => {
          await c.remove();
          return 'finished';
        },
        (e: Error) => e.message,
      );
      expect(['finished', `cancelled ${when}`]).toContain(outcome);
      expect(git(clone, 'worktree', 'list').split('\n')).toHaveLength(1);
      expect(existsSync(path.join(root, 'base'))).toBe(false);
      expect(existsSync(path.join(root, 'head'))).toBe(false);
    }
  });

  it('fingerprints tracked state: any write, re-write, deletion, checkout or staging shows, untracked files do not', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    await resolveRevisions(clone, null, { eventName: 'pull_request', prBaseSha: baseSha });
    const root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-wt-state-'));
    const co = await addWorktrees(clone, root, { sha: baseSha }, { sha: headSha });
    try {
      const tracked = await listTracked(co.head);
      expect(tracked.files).toEqual(['a.txt']);
      let state = trackedState(tracked);
      const expectChange = (what: () => void, entries: string[]) => {
        what();
        const now = trackedState(tracked);
        expect(changedEntries(state, now)).toEqual(entries);
        state = now;
      };
      expectChange(() => writeFileSync(path.join(co.head, 'untracked.txt'), 'x'), []);
      expectChange(() => writeFileSync(path.join(co.head, 'a.txt'), 'changed'), ['a.txt']);
      expectChange(() => writeFileSync(path.join(co.head, 'a.txt'), 'changed again'), ['a.txt']);
      expectChange(() => git(co.head, 'add', 'a.txt'), ['index']);
      expectChange(() => rmSync(path.join(co.head, 'a.txt')), ['a.txt']);
      expectChange(() => git(co.head, 'checkout', '-q', '-f', '--detach', baseSha), ['HEAD', 'index', 'a.txt']);
    } finally {
      await co.remove();
    }
  });
});
