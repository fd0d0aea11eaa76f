/**
 * Which two commits a run compares, decided by the triggering event or the `base` input, and one
 * sentence that says so in the log and the report.
 *
 * | event                          | base                                   | head                              |
 * |--------------------------------|----------------------------------------|-----------------------------------|
 * | `pull_request`                 | `pull_request.base.sha`                | the checkout (GitHub's merge commit) |
 * | `merge_group`                  | `merge_group.base_sha`                 | `merge_group.head_sha`            |
 * | `push`                         | `before` (new ref: the parent of `after`) | `after`                        |
 * | `schedule`, `workflow_dispatch`, others | the `base` input (required)   | the checkout                      |
 *
 * Which rule an event follows is its row in events.ts.
 * The `base` input overrides the base under every event; `latest-tag` names the latest release
 * tag reachable from the head (`pickLatestTag`).
 */
import { commitCount, parentOf, reachableTags, resolveCommit, type TagInfo, workspaceHead } from '../adapters/git';
import type { Pairing, Revision } from '../core/model';
import { type EventFacts, eventRule, shortRef } from './events';

/** The `base` value that means "the latest release tag reachable from the head". */
export const LATEST_TAG = 'latest-tag';

/** No pair can be compared (the event names none, or a commit it names cannot be had). Nothing has run. */
export class PairError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PairError';
  }
}

type Rule = 'input' | 'pull_request' | 'merge_group' | 'push' | 'push-created' | 'push-forced';

/** What to resolve: the plan of a pair, before any git command. */
export interface PairPlan {
  rule: Rule;
  base: { kind: 'rev'; rev: string; ref?: string } | { kind: 'latest-tag' } | { kind: 'parent' };
  /** The head commit; null for the workspace's checkout. */
  head: { rev: string; ref?: string } | null;
}

const ZERO_SHA = /^0+$/;

/** The head an event names: the group's commit, the pushed tip, or (null) the checkout. */
function eventHead(event: EventFacts): PairPlan['head'] {
  const { pair } = eventRule(event.eventName);
  if (pair === 'merge_group') {
    const group = event.mergeGroup;
    if (!group?.headSha) throw new PairError('the merge_group event has no merge_group.head_sha: nothing to measure.');
    return { rev: group.headSha, ref: shortRef(group.headRef) };
  }
  if (pair === 'push' && event.push?.after && !ZERO_SHA.test(event.push.after)) {
    return { rev: event.push.after, ref: shortRef(event.push.ref) };
  }
  return null;
}

/**
 * Chooses the rule and the revisions to resolve. Pure. Throws PairError when the event names no
 * base and none is given, or names nothing to measure.
 */
export function planPair(event: EventFacts, explicitBase: string | null): PairPlan {
  const rule = eventRule(event.eventName);
  if (rule.pair === 'push' && event.push?.deleted) {
    throw new PairError(
      `the push deleted ${event.push.ref ?? 'a ref'}: there is no commit to measure. ` +
        'Run perfgate on pushes that create or update a branch.',
    );
  }
  const head = eventHead(event);
  if (explicitBase) {
    const base =
      explicitBase === LATEST_TAG
        ? ({ kind: 'latest-tag' } as const)
        : { kind: 'rev' as const, rev: explicitBase, ref: explicitBase };
    return { rule: 'input', base, head };
  }
  switch (rule.pair) {
    case 'pull_request':
      if (event.prBaseSha)
        return { rule: 'pull_request', base: { kind: 'rev', rev: event.prBaseSha, ref: event.prBaseRef }, head };
      break;
    case 'merge_group': {
      const group = event.mergeGroup;
      if (!group?.baseSha)
        throw new PairError('the merge_group event has no merge_group.base_sha: set the "base" input.');
      return { rule: 'merge_group', base: { kind: 'rev', rev: group.baseSha, ref: shortRef(group.baseRef) }, head };
    }
    case 'push': {
      const push = event.push ?? {};
      if (!push.before || ZERO_SHA.test(push.before)) return { rule: 'push-created', base: { kind: 'parent' }, head };
      return {
        rule: push.forced ? 'push-forced' : 'push',
        base: { kind: 'rev', rev: push.before },
        head,
      };
    }
  }
  throw new PairError(
    `input "base": a ${rule.local ? 'run outside GitHub Actions' : `"${event.eventName}" run`} names no ` +
      'pair of commits to compare. Set "base" to a tag, a branch or a commit, or to "latest-tag" for the latest ' +
      'release tag reachable from the checked-out commit.',
  );
}

/** How `pickLatestTag` chose: by version number, or (no version tag) by commit date. */
export type TagRule = 'version' | 'date';

/** `v1.2.3` or `1.2.3`: a release version (tags with pre-release or build suffixes are not releases). */
const VERSION_TAG = /^v?(\d+)\.(\d+)\.(\d+)$/;

/**
 * The latest release tag among `tags` (all reachable from the head): the highest
 * `[v]MAJOR.MINOR.PATCH`, comparing the three numbers in order; when no tag has that form, the
 * tag whose commit is newest by committer date. Ties go to the newer commit, then the larger
 * name. Null for no tags. Pure.
 */
export function pickLatestTag(tags: TagInfo[]): { name: string; rule: TagRule } | null {
  const newer = (a: TagInfo, b: TagInfo) => b.date - a.date || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
  const versioned = tags.flatMap((t) => {
    const m = VERSION_TAG.exec(t.name);
    return m ? [{ t, v: m.slice(1).map(Number) }] : [];
  });
  if (versioned.length > 0) {
    versioned.sort((a, b) => b.v[0] - a.v[0] || b.v[1] - a.v[1] || b.v[2] - a.v[2] || newer(a.t, b.t));
    return { name: versioned[0].t.name, rule: 'version' };
  }
  const sorted = [...tags].sort(newer);
  return sorted.length > 0 ? { name: sorted[0].name, rule: 'date' } : null;
}

/** One sentence on why these two commits. Pure. */
export function describePair(plan: PairPlan, event: EventFacts, tag?: { name: string; rule: TagRule }): string {
  const rule = eventRule(event.eventName);
  const label = rule.label(event);
  const headWhat =
    rule.pair === 'merge_group'
      ? 'the queued group (merge_group.head_sha)'
      : plan.head && rule.pair === 'push'
        ? 'the pushed tip (after)'
        : rule.mergeCommit
          ? 'the merge commit GitHub made'
          : 'the checked-out commit';
  switch (plan.rule) {
    case 'input': {
      if (tag) {
        const how =
          tag.rule === 'version'
            ? 'the highest version tag reachable from the head'
            : 'no vMAJOR.MINOR.PATCH tag is reachable from the head, so the reachable tag with the newest commit';
        return `${label}: base is the latest release tag, ${tag.name} (${how}); head is ${headWhat}.`;
      }
      const rev = plan.base.kind === 'rev' ? plan.base.rev : '';
      const given = rule.local ? '--base' : 'the base input';
      return `${label}: base is "${rev}", as given by ${given}; head is ${headWhat}.`;
    }
    case 'pull_request':
      return `${label}: base is the PR's base commit (pull_request.base.sha); head is ${headWhat}.`;
    case 'merge_group':
      return (
        `${label}: base is the commit the group merges onto (merge_group.base_sha); head is ${headWhat}, ` +
        'so every pull request in the group is measured together.'
      );
    case 'push':
      return `${label}: base is the previous tip (before); head is ${headWhat}.`;
    case 'push-created':
      return (
        `${label} created the ref: there is no previous tip (before is all zeros), so base is the parent of the ` +
        `pushed commit; head is ${headWhat}. Set the base input (e.g. base: main) to measure the whole branch.`
      );
    case 'push-forced':
      return (
        `${label} was a force push: base is the replaced tip (before); head is ${headWhat}. They need not share ` +
        'history, so the change covers the rewrite, not only new commits.'
      );
  }
}

/** The two commits to compare and why. */
export interface Pair {
  base: Revision;
  head: Revision;
  pairing: Pairing;
}

/**
 * Resolves the plan against the repository (fetching what a shallow checkout lacks). Throws
 * PairError, before anything is built, when a commit cannot be had.
 */
export async function choosePair(repo: string, explicitBase: string | null, event: EventFacts): Promise<Pair> {
  const plan = planPair(event, explicitBase);
  const head: Revision = plan.head
    ? { sha: await resolveCommit(repo, plan.head.rev), ref: plan.head.ref }
    : await workspaceHead(repo);
  if (!head.ref && event.refName && !eventRule(event.eventName).mergeCommit) head.ref = event.refName;
  let base: Revision;
  let tag: { name: string; rule: TagRule } | undefined;
  if (plan.base.kind === 'latest-tag') {
    tag = pickLatestTag(await reachableTags(repo, head.sha)) ?? undefined;
    if (!tag) {
      throw new PairError(
        `input "base": "${LATEST_TAG}" found no tag reachable from the head ${head.sha.slice(0, 12)}, so there is no ` +
          'release to compare with. Push a release tag (e.g. v1.0.0), or set "base" to a branch or a commit. ' +
          '(Tags are fetched from origin; with actions/checkout, fetch-depth: 0 fetches them up front.)',
      );
    }
    base = { sha: await resolveCommit(repo, `refs/tags/${tag.name}`), ref: tag.name };
  } else if (plan.base.kind === 'parent') {
    const parent = await parentOf(repo, head.sha);
    if (!parent) {
      throw new PairError(
        `${eventRule(event.eventName).label(event)} created the ref with a commit that has no parent: there is nothing to compare it with. ` +
          'Set the "base" input to a tag, a branch or a commit.',
      );
    }
    base = { sha: parent };
  } else {
    try {
      base = { sha: await resolveCommit(repo, plan.base.rev), ref: plan.base.ref };
    } catch (error) {
      if (plan.rule !== 'push-forced') throw error;
      throw new PairError(
        `${eventRule(event.eventName).label(event)} was a force push that replaced ${plan.base.rev.slice(0, 12)}, and that commit can no longer ` +
          `be fetched, so perfgate could not compare. Set the "base" input to compare with a branch or tag instead. ` +
          `(${(error as Error).message})`,
      );
    }
  }
  const commits = plan.rule === 'input' ? await commitCount(repo, base.sha, head.sha) : undefined;
  return { base, head, pairing: { event: event.eventName, reason: describePair(plan, event, tag), commits } };
}
