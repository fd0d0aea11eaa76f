/** The events table: one row per trigger decides its pair rule, its privilege and its tracking. */
import { describe, expect, it } from 'vitest';
import { type EventFacts, eventRule } from '../../src/app/events';

const NAMES = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'merge_group',
  'push',
  'workflow_run',
  'schedule',
  'workflow_dispatch',
  'local',
  'release',
  'repository_dispatch',
];
const where = (pick: (name: string) => boolean) => NAMES.filter(pick);

describe('eventRule', () => {
  it('privileged: the events that run with a write token and secrets while the code may come from a PR', () => {
    expect(where((n) => eventRule(n).privileged)).toEqual(['pull_request_target', 'workflow_run']);
  });

  it('tracking: PRs and merge queues report there; every other run with the base input is a reference check', () => {
    expect(where((n) => eventRule(n).tracking === 'change')).toEqual([
      'pull_request',
      'pull_request_target',
      'merge_group',
      'workflow_run',
    ]);
  });

  it('pair: the event names the base for PRs, merge queues and pushes; elsewhere the base input does', () => {
    expect(Object.fromEntries(NAMES.map((n) => [n, eventRule(n).pair]))).toMatchObject({
      pull_request: 'pull_request',
      pull_request_target: 'pull_request',
      merge_group: 'merge_group',
      push: 'push',
      workflow_run: 'input',
      schedule: 'input',
      release: 'input',
    });
    expect(where((n) => eventRule(n).mergeCommit)).toEqual([
      'pull_request',
      'pull_request_target',
      'pull_request_review',
      'pull_request_review_comment',
    ]);
  });

  it('names a run in the log', () => {
    const facts = (eventName: string, extra: Partial<EventFacts> = {}): EventFacts => ({ eventName, ...extra });
    expect(eventRule('pull_request').label(facts('pull_request'))).toBe('pull request');
    expect(eventRule('merge_group').label(facts('merge_group'))).toBe('merge queue');
    expect(eventRule('push').label(facts('push', { push: { ref: 'refs/heads/main' } }))).toBe('push to main');
    expect(eventRule('local').label(facts('local'))).toBe('local run');
    expect(eventRule('schedule').label(facts('schedule', { refName: 'main' }))).toBe('schedule run on main');
    expect(eventRule('release').label(facts('release'))).toBe('release');
  });

  it('does not mistake an inherited property for an event', () => {
    expect(eventRule('constructor')).toBe(eventRule('release'));
    expect(eventRule('toString').privileged).toBe(false);
  });
});
