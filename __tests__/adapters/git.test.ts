import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addWorktrees, copyFromHead, parentOf, reachableTags, resolveCommit } from '../../src/adapters/git';
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

  it('copies the files bench-from-head selects from head into base, and removes base-only ones there', async () => {
    const repo = makeRepo({
      'src/lib.js': 'base lib',
      'bench/old.bench.js': 'old bench',
      'bench/shared.js': 'base helper',
      'pkg/a/x_bench_test.go': 'base go bench',
    });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'src/lib.js'), 'head lib');
    writeFileSync(path.join(repo, 'bench/shared.js'), 'head helper');
    writeFileSync(path.join(repo, 'bench/ids.bench.js'), 'new bench');
    writeFileSync(path.join(repo, 'pkg/a/x_bench_test.go'), 'head go bench');
    git(repo, 'rm', '-q', 'bench/old.bench.js');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'head');
    const headSha = git(repo, 'rev-parse', 'HEAD');
    const root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-wt-'));
    const checkouts = await addWorktrees(repo, root, { sha: baseSha }, { sha: headSha });
    try {
      const done = await copyFromHead(checkouts, ['bench', '**/*_bench_test.go']);
      expect(done).toEqual({ copied: 3, removed: 1, newOnHead: ['bench/ids.bench.js'] });
      const read = (f: string) => readFileSync(path.join(checkouts.base, f), 'utf8');
      expect(read('src/lib.js')).toBe('base lib'); // the library stays base's
      expect(read('bench/ids.bench.js')).toBe('new bench');
      expect(read('bench/shared.js')).toBe('head helper');
      expect(read('pkg/a/x_bench_test.go')).toBe('head go bench');
      expect(existsSync(path.join(checkouts.base, 'bench/old.bench.js'))).toBe(false);

      await expect(copyFromHead(checkouts, ['bench', 'benches/'])).rejects.toThrow(
        /bench-from-head: "benches\/" selects no file tracked in the head commit/,
      );
    } finally {
      await checkouts.remove();
    }
  });

  it('leaves no worktree behind when checking out is aborted, at whatever step', async () => {
    const { clone, baseSha, headSha } = shallowClone();
    await resolveCommit(clone, baseSha);
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
});
