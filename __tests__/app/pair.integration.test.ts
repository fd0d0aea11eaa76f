/** `choosePair` against real git repositories (clones, tags, force pushes); the pure rules are in pair.test.ts. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventFacts } from '../../src/app/context';
import { choosePair, PairError } from '../../src/app/pair';
import { git, makeRepo } from '../helpers/repo';

const ZERO = '0'.repeat(40);

/** origin: base → slow → docs; a depth-1 clone of the tip, as actions/checkout leaves it. */
function queueRepo() {
  const origin = makeRepo({ 'value.txt': '10' });
  const base = git(origin, 'rev-parse', 'HEAD');
  writeFileSync(path.join(origin, 'value.txt'), '12');
  git(origin, 'commit', '-qam', 'slow PR');
  writeFileSync(path.join(origin, 'README.md'), 'docs');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-qm', 'docs PR');
  const head = git(origin, 'rev-parse', 'HEAD');
  const clone = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-clone-')), 'repo');
  git(path.dirname(clone), 'clone', '-q', '--depth=1', `file://${origin}`, clone);
  return { origin, clone, base, head };
}

describe('choosePair against real repositories', () => {
  it('merge_group in a depth-1 clone: fetches merge_group.base_sha two commits back and says why', async () => {
    const { clone, base, head } = queueRepo();
    const pair = await choosePair(
      clone,
      null,
      eventFacts('merge_group', {
        merge_group: { base_sha: base, base_ref: 'refs/heads/main', head_sha: head, head_ref: 'refs/heads/q' },
      }),
    );
    expect(pair.base).toEqual({ sha: base, ref: 'main' });
    expect(pair.head).toEqual({ sha: head, ref: 'q' });
    expect(pair.pairing.event).toBe('merge_group');
    expect(pair.pairing.reason).toMatch(/merge_group\.base_sha.*merge_group\.head_sha/);
  });

  it('push creating a branch compares with the parent and says so', async () => {
    const { clone, head } = queueRepo();
    const pair = await choosePair(
      clone,
      null,
      eventFacts('push', { ref: 'refs/heads/topic', before: ZERO, after: head, created: true }),
    );
    expect(pair.base.sha).toBe(git(clone, 'rev-parse', `${head}^`));
    expect(pair.pairing.reason).toMatch(/created the ref.*parent of the pushed commit/);
  });

  it('a force push whose replaced tip is gone says it could not compare', async () => {
    const { clone, head } = queueRepo();
    const gone = 'c'.repeat(40);
    await expect(
      choosePair(clone, null, eventFacts('push', { ref: 'refs/heads/main', before: gone, after: head, forced: true })),
    ).rejects.toThrow(/force push that replaced cccccccccccc.*could not compare/);
  });

  it('latest-tag: the highest version tag reachable from the head, with the number of commits since', async () => {
    const { origin, clone, base } = queueRepo();
    git(origin, 'tag', 'v1.2.0', base);
    git(origin, 'tag', 'v1.10.0', `${base}`);
    git(origin, 'tag', 'v0.9.0', 'HEAD~1');
    const pair = await choosePair(clone, 'latest-tag', eventFacts('schedule', {}, 'main'));
    expect(pair.base).toEqual({ sha: base, ref: 'v1.10.0' });
    expect(pair.head.ref).toBe('main');
    expect(pair.pairing.commits).toBe(2);
    expect(pair.pairing.reason).toContain('latest release tag, v1.10.0 (the highest version tag reachable');
  });

  it('latest-tag with no tags is a clear error', async () => {
    const repo = makeRepo({ 'a.txt': 'x' });
    const error = await choosePair(repo, 'latest-tag', eventFacts('schedule', {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairError);
    expect((error as Error).message).toMatch(/^input "base": "latest-tag" found no tag reachable from the head/);
  });
});
