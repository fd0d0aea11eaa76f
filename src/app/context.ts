/**
 * Reading the runner's environment (GITHUB_* variables and the event payload) into a
 * `RunContext`. The only place that knows the shape of GitHub's event JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type EventFacts, eventRule } from './events';
import type { RunContext } from './io';

/**
 * The parts of the webhook payloads (docs.github.com/webhooks/webhook-events-and-payloads) that
 * decide what is compared: `pull_request`, `merge_group` (action `checks_requested`), `push`,
 * `workflow_run`. `schedule` and `workflow_dispatch` payloads name no commits.
 */
interface EventPayload {
  pull_request?: {
    number?: number;
    base?: { sha?: string; ref?: string };
    head?: { sha?: string };
    labels?: { name?: string }[];
    body?: string | null;
    author_association?: string;
  };
  merge_group?: { base_sha?: string; base_ref?: string; head_sha?: string; head_ref?: string };
  ref?: string;
  before?: string;
  after?: string;
  created?: boolean;
  deleted?: boolean;
  forced?: boolean;
  workflow_run?: { head_sha?: string; conclusion?: string };
  number?: number;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const flag = (value: unknown) => (typeof value === 'boolean' ? value : undefined);

/** The event facts of a payload (fields of the wrong type are treated as absent). */
export function eventFacts(eventName: string, json: object, refName?: string): EventFacts {
  const payload = json as EventPayload;
  const pr = payload.pull_request;
  const group = payload.merge_group;
  return {
    eventName,
    prBaseSha: text(pr?.base?.sha),
    prBaseRef: text(pr?.base?.ref),
    prHeadSha: text(pr?.head?.sha),
    workflowRunHeadSha: text(payload.workflow_run?.head_sha),
    workflowRunConclusion: text(payload.workflow_run?.conclusion),
    mergeGroup: group
      ? {
          baseSha: text(group.base_sha),
          baseRef: text(group.base_ref),
          headSha: text(group.head_sha),
          headRef: text(group.head_ref),
        }
      : undefined,
    push:
      eventRule(eventName).pair === 'push'
        ? {
            ref: text(payload.ref),
            before: text(payload.before),
            after: text(payload.after),
            created: flag(payload.created),
            deleted: flag(payload.deleted),
            forced: flag(payload.forced),
          }
        : undefined,
    refName,
  };
}

/** Builds the run context from the environment a runner sets. */
export function contextFromEnv(env: NodeJS.ProcessEnv): RunContext {
  let payload: EventPayload = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath && existsSync(eventPath)) {
    try {
      payload = (JSON.parse(readFileSync(eventPath, 'utf8')) as EventPayload | null) ?? {};
    } catch {
      payload = {};
    }
  }
  const pr = payload.pull_request;
  const serverUrl = env.GITHUB_SERVER_URL || undefined;
  const runUrl =
    serverUrl && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${serverUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const eventName = env.GITHUB_EVENT_NAME ?? 'local';
  return {
    eventName,
    event: eventFacts(eventName, payload, env.GITHUB_REF_NAME || undefined),
    repository: env.GITHUB_REPOSITORY,
    prNumber: pr?.number ?? undefined,
    // What the PR said when the event fired; the API's answer is preferred (a re-run keeps old labels).
    prFacts: pr
      ? {
          labels: Array.isArray(pr.labels) ? pr.labels.map((l) => String(l?.name ?? '')).filter(Boolean) : [],
          body: typeof pr.body === 'string' ? pr.body : '',
          authorAssociation: typeof pr.author_association === 'string' ? pr.author_association : undefined,
        }
      : undefined,
    workflow: env.GITHUB_WORKFLOW ?? 'perfgate',
    job: env.GITHUB_JOB ?? 'perfgate',
    runUrl,
    serverUrl,
    workflowRef: env.GITHUB_WORKFLOW_REF || undefined,
    actionRepository: env.GITHUB_ACTION_REPOSITORY || undefined,
  };
}
