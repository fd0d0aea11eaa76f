/** The `profile` and `accept-label` inputs. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InputName, parseSettings } from '../../src/settings/settings';

const ws = () => mkdtempSync(path.join(os.tmpdir(), 'perfgate-settings-'));
const parse = (inputs: Partial<Record<InputName, string>>) =>
  parseSettings((name) => ({ suites: '- name: cli\n  run: node cli.js', ...inputs })[name] ?? '', ws());

describe('profile and accept-label inputs', () => {
  it('default to profiling failing suites and the perf-regression-accepted label', () => {
    expect(parse({})).toMatchObject({ profile: 'on-regression', acceptLabel: 'perf-regression-accepted' });
    expect(parse({ profile: 'always', 'accept-label': 'slower on purpose' })).toMatchObject({
      profile: 'always',
      acceptLabel: 'slower on purpose',
    });
    expect(parse({ profile: 'never' }).profile).toBe('never');
  });

  it('reject other values, naming the input and what is expected', () => {
    expect(() => parse({ profile: 'sometimes' })).toThrow(
      'input "profile": expected one of "on-regression", "always", "never", got "sometimes"',
    );
    expect(() => parse({ 'accept-label': 'x'.repeat(51) })).toThrow(/input "accept-label": expected a label name/);
  });
});
