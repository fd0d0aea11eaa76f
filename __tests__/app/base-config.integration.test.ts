/**
 * Which suites are new on head, read from base's own configuration in real git repositories: the
 * config file at base, or the same job's perfgate steps in base's version of the workflow file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { droppedOnHead, newOnHead, readBaseSuites } from '../../src/app/base-config';
import type { RunContext } from '../../src/app/io';
import { parseSettings } from '../../src/settings/settings';
import { git, makeRepo } from '../helpers/repo';

const context = (workflowRef?: string): RunContext => ({
  eventName: 'pull_request',
  event: { eventName: 'pull_request' },
  workflow: 'perf',
  job: 'bench',
  workflowRef,
  actionRepository: 'OWNER/perfgate',
});

function settingsOf(repo: string, inputs: Record<string, string>) {
  return parseSettings((name) => inputs[name] ?? '', repo);
}

function commit(repo: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), text);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'change');
  return git(repo, 'rev-parse', 'HEAD');
}

const WORKFLOW = (suites: string, extraStep = '') => `
name: perf
on: pull_request
jobs:
  bench:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v5
      - uses: OWNER/perfgate@v1
        with:
          suites: |
${suites
  .trim()
  .split('\n')
  .map((l) => `            ${l}`)
  .join('\n')}
${extraStep}
  other:
    runs-on: ubuntu-24.04
    steps:
      - uses: OWNER/perfgate@v1
        with:
          suites: |
            - name: elsewhere
              run: "true"
`;

describe('base configuration', () => {
  it('from the config file at the base commit: new, existing and dropped suites', async () => {
    const repo = makeRepo({
      '.github/perfgate.yml': 'suites:\n  - name: cli\n    run: x\n  - name: old\n    run: x\n',
    });
    const base = git(repo, 'rev-parse', 'HEAD');
    commit(repo, { '.github/perfgate.yml': 'suites:\n  - name: cli\n    run: x\n  - name: ids\n    run: y\n' });
    const settings = settingsOf(repo, {});
    const found = await readBaseSuites(settings, repo, { sha: base }, context());
    expect(found.names).toEqual(new Set(['cli', 'old']));
    expect(found.source).toBe(`.github/perfgate.yml at ${base.slice(0, 7)}`);
    expect([...newOnHead(settings.suites, found, []).keys()]).toEqual(['ids']);
    expect(droppedOnHead(settings, found)).toEqual(['old']);
  });

  it('without a config file at base: every suite is new when base is the event’s, none is known when the base input chose it', async () => {
    const repo = makeRepo({ 'README.md': 'x' });
    const base = git(repo, 'rev-parse', 'HEAD');
    commit(repo, { '.github/perfgate.yml': 'suites:\n  - name: cli\n    run: x\n' });
    const fromEvent = await readBaseSuites(settingsOf(repo, {}), repo, { sha: base }, context());
    expect(fromEvent.names).toEqual(new Set());
    const chosen = settingsOf(repo, { base: 'v1.0.0' });
    const fromInput = await readBaseSuites(chosen, repo, { sha: base }, context());
    expect(fromInput.names).toBeNull();
    expect(newOnHead(chosen.suites, fromInput, []).size).toBe(0);
  });

  it('from the same job’s perfgate step in base’s version of the workflow file, for inline suites', async () => {
    const repo = makeRepo({
      '.github/workflows/perf.yml': WORKFLOW('- name: cli\n  run: node cli.js\n- name: gone\n  run: x'),
    });
    const base = git(repo, 'rev-parse', 'HEAD');
    const inline = '- name: cli\n  run: node cli.js\n- name: ids\n  run: node ids.js\n- name: elsewhere\n  run: x';
    const settings = settingsOf(repo, { suites: inline });
    const ctx = context('octo/app/.github/workflows/perf.yml@refs/pull/3/merge');
    const found = await readBaseSuites(settings, repo, { sha: base }, ctx);
    expect(found.names).toEqual(new Set(['cli', 'gone']));
    expect(found.source).toBe(`job "bench" of .github/workflows/perf.yml at ${base.slice(0, 7)}`);
    // "elsewhere" is in another job: not evidence for this one.
    expect([...newOnHead(settings.suites, found, []).keys()]).toEqual(['ids', 'elsewhere']);
    expect(droppedOnHead(settings, found)).toEqual(['gone']);
  });

  it('for inline suites, a step that reads the config file, or an expression that cannot be read', async () => {
    const viaFile = makeRepo({
      '.github/workflows/perf.yml': WORKFLOW('- name: cli\n  run: x').replace(
        /suites: \|\n(\s+- name: cli\n\s+run: x)/,
        'config: bench/perfgate.yml',
      ),
      'bench/perfgate.yml': 'suites:\n  - name: fromfile\n    run: x\n',
    });
    const ctx = context('octo/app/.github/workflows/perf.yml@refs/heads/main');
    const settings = settingsOf(viaFile, { suites: '- name: fromfile\n  run: x' });
    const base = { sha: git(viaFile, 'rev-parse', 'HEAD') };
    expect((await readBaseSuites(settings, viaFile, base, ctx)).names).toEqual(new Set(['fromfile']));

    const expression = makeRepo({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression in a workflow
      '.github/workflows/perf.yml': WORKFLOW('${{ matrix.suites }}'),
    });
    const unknown = await readBaseSuites(settings, expression, { sha: git(expression, 'rev-parse', 'HEAD') }, ctx);
    expect(unknown.names).toBeNull();
    expect(unknown.source).toContain('its "suites" input could not be read');
    expect(newOnHead(settings.suites, unknown, []).size).toBe(0);
  });

  it('with bench-from-head and no known configuration: a suite whose command names a benchmark file new on head', () => {
    const repo = makeRepo({ 'x.txt': 'x' });
    const settings = settingsOf(repo, {
      suites: '- name: ids\n  run: node ./ids.cjs --fast\n  cwd: bench\n- name: other\n  run: node bench/other.cjs',
    });
    const unknown = { names: null, source: 'unknown', single: false };
    expect(newOnHead(settings.suites, unknown, ['bench/ids.cjs'])).toEqual(
      new Map([['ids', 'its file bench/ids.cjs (bench-from-head) is new on head']]),
    );
  });
});
