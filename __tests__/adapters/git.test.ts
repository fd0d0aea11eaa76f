import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addWorktrees, parentOf, reachableTags, resolveCommit } from '../../src/adapters/git';
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
  it('fetches a commit that a depth-1 checkout lacks', async () => {
    const { clone, baseSha } = shallowClone();
    expect(() => git(clone, 'cat-file', '-e', `${baseSha}^{commit}`)).toThrow();
    expect(await resolveCommit(clone, baseSha)).toBe(baseSha);
  });

  it('finds the parent of a shallow tip by deepening the clone', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    expect(await parentOf(clone, headSha)).toBe(baseSha);
    expect(await parentOf(clone, baseSha)).toBeNull(); // a root commit
  });

  it('lists the tags reachable from a commit, fetching history and tags into a shallow clone', async () => {
    const { origin, clone, headSha } = shallowClone();
    git(origin, 'tag', 'v1.0.0', 'HEAD~1');
    git(origin, 'tag', '-a', '-m', 'annotated', 'v1.1.0', 'HEAD');
    git(origin, 'checkout', '-q', '-b', 'side', 'HEAD~1');
    git(origin, 'commit', '-q', '--allow-empty', '-m', 'elsewhere');
    git(origin, 'tag', 'v9.0.0'); // not reachable from the clone's head
    const tags = await reachableTags(clone, headSha);
    expect(tags.map((t) => t.name).sort()).toEqual(['v1.0.0', 'v1.1.0']);
    expect(tags.every((t) => t.date > 1_000_000_000)).toBe(true);
  });

  it('explains a base that cannot be found', async () => {
    const repo = makeRepo({ 'a.txt': 'x' });
    await expect(resolveCommit(repo, 'no-such-branch')).rejects.toThrow(/cannot find the commit "no-such-branch"/);
  });

  it('checks base and head out side by side at paths of equal length, and removes them', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    await resolveCommit(clone, baseSha);
    const root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-wt-'));
    const checkouts = await addWorktrees(clone, root, { sha: baseSha }, { sha: headSha });
    expect(checkouts.base.length).toBe(checkouts.head.length);
    expect(git(checkouts.base, 'rev-parse', 'HEAD')).toBe(baseSha);
    expect(git(checkouts.head, 'rev-parse', 'HEAD')).toBe(headSha);
    await checkouts.remove();
    expect(existsSync(checkouts.base)).toBe(false);
    expect(git(clone, 'worktree', 'list').split('\n')).toHaveLength(1);
  });
});
