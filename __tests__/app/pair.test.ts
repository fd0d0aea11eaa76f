import { describe, expect, it } from 'vitest';
import { eventFacts } from '../../src/app/context';
import { describePair, pickLatestTag, planPair } from '../../src/app/pair';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const ZERO = '0'.repeat(40);

describe('planPair: which commits each event compares', () => {
  it('pull_request: the PR base against the checkout (the merge commit)', () => {
    const plan = planPair(eventFacts('pull_request', { pull_request: { base: { sha: A, ref: 'main' } } }), null);
    expect(plan).toEqual({ rule: 'pull_request', base: { kind: 'rev', rev: A, ref: 'main' }, head: null });
  });

  it('merge_group: merge_group.base_sha against merge_group.head_sha, never HEAD~1', () => {
    const event = eventFacts('merge_group', {
      merge_group: {
        base_sha: A,
        base_ref: 'refs/heads/main',
        head_sha: B,
        head_ref: `refs/heads/gh-readonly-queue/main/pr-7-${A}`,
      },
    });
    expect(planPair(event, null)).toEqual({
      rule: 'merge_group',
      base: { kind: 'rev', rev: A, ref: 'main' },
      head: { rev: B, ref: `gh-readonly-queue/main/pr-7-${A}` },
    });
  });

  it('push: before against after; a new ref (before all zeros) against the parent; a force push says so', () => {
    const push = (extra: object) => eventFacts('push', { ref: 'refs/heads/main', before: A, after: B, ...extra });
    expect(planPair(push({}), null)).toMatchObject({ rule: 'push', base: { rev: A }, head: { rev: B, ref: 'main' } });
    expect(planPair(push({ before: ZERO, created: true }), null)).toMatchObject({
      rule: 'push-created',
      base: { kind: 'parent' },
    });
    expect(planPair(push({ forced: true }), null)).toMatchObject({ rule: 'push-forced', base: { rev: A } });
    expect(() => planPair(push({ after: ZERO, deleted: true }), null)).toThrow(/deleted refs\/heads\/main/);
  });

  it('schedule and workflow_dispatch need the base input; it may be latest-tag or any ref', () => {
    for (const name of ['schedule', 'workflow_dispatch', 'release']) {
      expect(() => planPair(eventFacts(name, {}), null)).toThrow(
        new RegExp(`input "base": a "${name}" run names no pair of commits`),
      );
    }
    expect(planPair(eventFacts('schedule', { schedule: '0 3 * * 1' }), 'latest-tag')).toEqual({
      rule: 'input',
      base: { kind: 'latest-tag' },
      head: null,
    });
    expect(planPair(eventFacts('workflow_dispatch', { inputs: {} }), 'release/2.x').base).toEqual({
      kind: 'rev',
      rev: 'release/2.x',
      ref: 'release/2.x',
    });
  });

  it('says in one sentence why, naming the event', () => {
    const local = eventFacts('local', {});
    expect(describePair(planPair(local, 'HEAD~1'), local)).toBe(
      'local run: base is "HEAD~1", as given by --base; head is the checked-out commit.',
    );
    const pr = eventFacts('pull_request', { pull_request: { base: { sha: A } } });
    expect(describePair(planPair(pr, null), pr)).toBe(
      "pull request: base is the PR's base commit (pull_request.base.sha); head is the merge commit GitHub made.",
    );
  });

  it('the base input overrides the base under every event, keeping the event head', () => {
    const event = eventFacts('merge_group', { merge_group: { base_sha: A, head_sha: B } });
    expect(planPair(event, 'v1.0.0')).toMatchObject({ rule: 'input', base: { rev: 'v1.0.0' }, head: { rev: B } });
  });
});

describe('pickLatestTag', () => {
  const t = (name: string, date = 100) => ({ name, date });

  it('takes the highest vMAJOR.MINOR.PATCH by number, not by name or date', () => {
    expect(pickLatestTag([t('v1.9.0', 300), t('v1.10.0', 100), t('1.2.3', 500)])).toEqual({
      name: 'v1.10.0',
      rule: 'version',
    });
  });

  it('ignores pre-releases and other names while a version tag exists', () => {
    expect(pickLatestTag([t('v2.0.0-rc.1', 900), t('nightly', 999), t('v1.0.0', 1)])?.name).toBe('v1.0.0');
  });

  it('falls back to the newest commit when no tag is a version, ties to the larger name', () => {
    expect(pickLatestTag([t('release-a', 5), t('release-c', 9), t('release-b', 9)])).toEqual({
      name: 'release-c',
      rule: 'date',
    });
    expect(pickLatestTag([])).toBeNull();
  });
});
