/**
 * The triggering events, one row each: which commits a run under it compares, whether its job is
 * privileged, whether its runs are tracked in an issue, and how the log names it. Adding a trigger
 * is one row here (plus, if its payload names commits of its own, their fields in context.ts and
 * a pair rule in pair.ts). Any other event name (`release`, `repository_dispatch`, …) follows
 * `OTHER`.
 */
/** The facts of the triggering event that decide the pair (read from GITHUB_EVENT_PATH). */
export interface EventFacts {
  /** GITHUB_EVENT_NAME as the runner set it, or `local`: named in the words; its rule is `eventRule` (events.ts). */
  eventName: string;
  /** pull_request.base.sha / pull_request.base.ref */
  prBaseSha?: string;
  prBaseRef?: string;
  /** pull_request.head.sha: the PR's own head commit (the workspace holds the merge commit). */
  prHeadSha?: string;
  /** workflow_run.head_sha: the commit whose workflow produced the artifact (report mode). */
  workflowRunHeadSha?: string;
  /** workflow_run.conclusion: how that workflow ended (`success`, `failure`, `cancelled`, …). */
  workflowRunConclusion?: string;
  /** merge_group: the group's commit and the commit it merges onto (refs are full, `refs/heads/…`). */
  mergeGroup?: { baseSha?: string; baseRef?: string; headSha?: string; headRef?: string };
  /** push: the ref's tip before and after, and what kind of update it was. */
  push?: { ref?: string; before?: string; after?: string; created?: boolean; deleted?: boolean; forced?: boolean };
  /** GITHUB_REF_NAME: the branch or tag the run is for (schedule: the default branch). */
  refName?: string;
}

/** The events with a row of their own. `local`: a run outside GitHub Actions (`perfgate run`). */
export type EventName =
  | 'pull_request'
  | 'pull_request_target'
  | 'pull_request_review'
  | 'pull_request_review_comment'
  | 'merge_group'
  | 'push'
  | 'workflow_run'
  | 'schedule'
  | 'workflow_dispatch'
  | 'local';

export interface EventRule {
  /**
   * Which commits it compares unless the `base` input says otherwise (pair.ts):
   * - `pull_request`: the PR's base commit against the checkout;
   * - `merge_group`: the commit the group merges onto against the group's commit;
   * - `push`: the previous tip against the pushed tip (a new ref: its parent);
   * - `input`: the `base` input (required) against the checkout.
   */
  pair: 'pull_request' | 'merge_group' | 'push' | 'input';
  /** The checkout is the merge commit GitHub made for a PR (named so; GITHUB_REF_NAME does not name it). */
  mergeCommit: boolean;
  /**
   * The job has a write token and secrets while the code may come from a PR: full and measure mode
   * refuse to run it unless `allow-unsafe-pr-checkout` (run.ts).
   */
  privileged: boolean;
  /**
   * `change`: the report belongs to a PR or a merge queue (a comment, the group's checks), never to
   * a tracking issue. `reference`: without a PR, a run with the `base` input is a reference check,
   * whose failures are tracked in one issue (tracking-issue.ts).
   */
  tracking: 'change' | 'reference';
  /** A run outside GitHub Actions (`perfgate run`): its base is given by `--base`, not the `base` input. */
  local: boolean;
  /** How the log and the report name a run under it. */
  label(event: EventFacts): string;
}

const refRun = (event: EventFacts) => `${event.eventName}${event.refName ? ` run on ${event.refName}` : ''}`;
const row = (r: Partial<EventRule>): EventRule => ({
  pair: 'input',
  mergeCommit: false,
  privileged: false,
  tracking: 'reference',
  local: false,
  label: refRun,
  ...r,
});

/** `refs/heads/main` → `main`, `refs/tags/v1` → `v1`. */
export function shortRef(ref: string | undefined): string | undefined {
  return ref?.replace(/^refs\/(heads|tags)\//, '');
}

const EVENTS: Record<EventName, EventRule> = {
  pull_request: row({ pair: 'pull_request', mergeCommit: true, tracking: 'change', label: () => 'pull request' }),
  pull_request_target: row({ pair: 'pull_request', mergeCommit: true, privileged: true, tracking: 'change' }),
  pull_request_review: row({ mergeCommit: true }),
  pull_request_review_comment: row({ mergeCommit: true }),
  merge_group: row({ pair: 'merge_group', tracking: 'change', label: () => 'merge queue' }),
  push: row({ pair: 'push', label: (e) => `push to ${shortRef(e.push?.ref) ?? 'a ref'}` }),
  workflow_run: row({ privileged: true, tracking: 'change' }),
  schedule: row({}),
  workflow_dispatch: row({}),
  local: row({ local: true, label: () => 'local run' }),
};

/** Any event without a row: the `base` input against the checkout, tracked like a schedule. */
const OTHER = row({});

/** The rule of an event, by the name GitHub gives it (GITHUB_EVENT_NAME), or `local`. */
export function eventRule(eventName: string): EventRule {
  return Object.hasOwn(EVENTS, eventName) ? EVENTS[eventName as EventName] : OTHER;
}
