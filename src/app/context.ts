/**
 * Reading the runner's environment (GITHUB_* variables and the event payload) into a
 * `RunContext`. The only place that knows the shape of GitHub's event JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { RunContext } from './run';

interface EventPayload {
  pull_request?: {
    number?: number;
    base?: { sha?: string; ref?: string };
    head?: { sha?: string };
    labels?: { name?: string }[];
    body?: string | null;
    author_association?: string;
  };
  before?: string;
  workflow_run?: { head_sha?: string };
  number?: number;
}

/** Builds the run context from the environment a runner sets. */
export function contextFromEnv(env: NodeJS.ProcessEnv): RunContext {
  let payload: EventPayload = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath && existsSync(eventPath)) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as EventPayload;
    } catch {
      payload = {};
    }
  }
  const pr = payload.pull_request;
  const runUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    eventName: env.GITHUB_EVENT_NAME ?? 'local',
    event: {
      eventName: env.GITHUB_EVENT_NAME ?? 'local',
      prBaseSha: pr?.base?.sha,
      prBaseRef: pr?.base?.ref,
      prHeadSha: pr?.head?.sha,
      workflowRunHeadSha: payload.workflow_run?.head_sha,
      pushBefore: payload.before,
    },
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
  };
}
