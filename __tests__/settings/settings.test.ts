import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InputName, parseSettings, SettingsError } from '../../src/settings/settings';

function reader(inputs: Partial<Record<InputName, string>>) {
  return (name: InputName) => inputs[name] ?? '';
}

function errorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SettingsError) return e;
    throw e;
  }
  throw new Error('expected a SettingsError');
}

const ws = () => mkdtempSync(path.join(os.tmpdir(), 'perfgate-settings-'));

describe('parseSettings', () => {
  it('applies the documented defaults', () => {
    const s = parseSettings(reader({ suites: '- name: cli\n  run: node cli.js' }), ws());
    expect(s).toMatchObject({
      mode: 'full',
      alpha: 0.05,
      minRounds: 10,
      maxRounds: 50,
      maxTimeS: 900,
      comment: 'always',
      failOnRegression: true,
      completeReport: true,
      base: null,
      defaultBudget: { kind: 'relative', limit: 0.05 },
      trackingIssue: true,
    });
    expect(s.suites).toEqual([{ kind: 'command', name: 'cli', run: 'node cli.js', warmup: 1, timeout: 600 }]);
  });

  it('reports every bad input at once, naming the input and what is expected', () => {
    const e = errorOf(() =>
      parseSettings(
        reader({
          suites: '- name: cli\n  run: x',
          'max-time': 'ten minutes',
          alpha: '5',
          comment: 'sometimes',
          budget: 'fast',
          budgets: 'cli:wall: 10%\ncli:rss < 300MB\n',
          'tracking-issue': 'sometimes',
        }),
        ws(),
      ),
    );
    const text = e.message;
    expect(text).toContain('input "max-time": expected a duration like "15m"');
    expect(text).toContain('input "alpha": expected a number between 0 and 0.5');
    expect(text).toContain('input "comment": expected one of "always", "on-regression", "never", got "sometimes"');
    expect(text).toContain('input "budget": cannot read the rule "fast"');
    expect(text).toContain('input "budgets" line 2: expected "PATTERN: RULE"');
    expect(text).toContain('input "tracking-issue": expected "true" or "false", got "sometimes"');
    expect(e.issues).toHaveLength(6);
  });

  it('refuses rounds that can never decide a gated metric, naming the input and the smallest that can', () => {
    const suites = '- name: cli\n  run: x';
    // 4 rounds: the smallest one-sided signed-rank p is 2^-4 = 0.0625, above the 0.05 a metric needs; and
    // the fail end, widened for the serial correlation so few rounds cannot rule out, needs 8.
    const e = errorOf(() => parseSettings(reader({ suites, 'min-rounds': '4', 'max-rounds': '4' }), ws()));
    expect(e.message).toMatch(/input "max-rounds": 4 rounds can never decide a gated metric/);
    expect(e.message).toMatch(/The smallest max-rounds that can decide one metric is (\d+)/);
    const smallest = Number(/is (\d+) \(with min-rounds 4\)/.exec(e.message)![1]);
    expect(parseSettings(reader({ suites, 'min-rounds': '4', 'max-rounds': String(smallest) }), ws()).maxRounds).toBe(
      smallest,
    );
    expect(smallest).toBe(8);
    // 5 rounds reach 2^-5 = 0.031 < 0.05, but not the fail end's level once widened for serial correlation.
    expect(
      errorOf(() => parseSettings(reader({ suites, 'min-rounds': '5', 'max-rounds': '5' }), ws())).message,
    ).toMatch(/input "max-rounds": 5 rounds can never decide .*serial correlation/);
    expect(parseSettings(reader({ suites, 'min-rounds': '7', 'max-rounds': '7' }), ws()).maxRounds).toBe(7);
    // Shards split alpha, so the same rounds may be too few for a shard.
    expect(
      errorOf(() => parseSettings(reader({ suites, 'min-rounds': '7', 'max-rounds': '7', shard: '1/4' }), ws()))
        .message,
    ).toMatch(/input "max-rounds": 7 rounds can never decide/);
    expect(parseSettings(reader({ suites, 'complete-report': 'false' }), ws()).completeReport).toBe(false);
  });

  it('names the line and key of a mistake in the inline suites', () => {
    const e = errorOf(() =>
      parseSettings(reader({ suites: '- name: ok\n  run: a\n- name: bad\n  run: b\n  timout: 5s\n' }), ws()),
    );
    expect(e.issues).toEqual([
      { where: 'input "suites" line 3', message: 'suites[1]: unknown key "timout" for a command suite' },
    ]);
  });

  it('reads suites, build and budgets from the config file, with file and line in errors', () => {
    const dir = ws();
    mkdirSync(path.join(dir, '.github'));
    writeFileSync(
      path.join(dir, '.github/perfgate.yml'),
      'build: npm ci\nsuites:\n  - name: api\n    server: node s.js\n    duration: soon\n    scenarios:\n      - name: items\n        path: /items\nbudgets:\n  "api/*:p99": "< 200ms"\n',
    );
    const e = errorOf(() => parseSettings(reader({}), dir));
    expect(e.issues).toEqual([
      {
        where: '.github/perfgate.yml line 5',
        message: 'suites[0].duration: expected a duration like "5s", "250ms" or "2m", got "soon"',
      },
    ]);
    writeFileSync(
      path.join(dir, '.github/perfgate.yml'),
      'build: npm ci\nsuites:\n  - name: api\n    server: node s.js\n    scenarios:\n      - name: items\n        path: /items\nbudgets:\n  "api/*:p99": "< 200ms"\n',
    );
    const s = parseSettings(reader({}), dir);
    expect(s.build).toBe('npm ci');
    expect(s.suites[0]).toMatchObject({ kind: 'http', name: 'api', duration: 5, readyTimeout: 30 });
    expect(s.budgets.map((b) => [b.pattern, b.rule, b.line])).toEqual([
      ['api/*:p99', { kind: 'absolute', op: '<', bound: 0.2, unit: 's', source: '< 200ms' }, 9],
    ]);
  });

  it('says how to provide suites when there are none', () => {
    const e = errorOf(() => parseSettings(reader({}), ws()));
    expect(e.message).toContain('no suites given: set the "suites" input, or create .github/perfgate.yml');
  });

  it('rejects invalid YAML with its line', () => {
    const e = errorOf(() => parseSettings(reader({ suites: '- name: a\n  run: [unclosed\n' }), ws()));
    expect(e.issues[0].where).toMatch(/^input "suites" line \d/);
    expect(e.issues[0].message).toMatch(/^invalid YAML/);
  });

  it('needs no suites in report mode, and parses shards', () => {
    const s = parseSettings(reader({ mode: 'report', results: 'out', shard: '2/4' }), ws());
    expect(s).toMatchObject({ mode: 'report', suites: [], resultsDir: 'out', shard: { index: 2, total: 4 } });
    expect(errorOf(() => parseSettings(reader({ mode: 'report', shard: '5/4' }), ws())).message).toContain(
      'INDEX/TOTAL',
    );
  });

  it('refuses durations a timer cannot hold, zero where a duration must pass, and bounds that are not finite, naming the key', () => {
    const e = errorOf(() =>
      parseSettings(
        reader({
          suites: [
            '- name: cli',
            '  run: node cli.js',
            '  timeout: 1000h',
            '- name: inf',
            '  run: x',
            '  timeout: .inf',
            '- name: zero',
            '  run: x',
            '  timeout: 0s',
            '- name: api',
            '  server: node s.js',
            '  duration: 0s',
            '  scenarios: [{ name: root, path: / }]',
            '  capacity: { slo: "p99 < 1e999ms", from: 1e999/s, to: 10/s }',
          ].join('\n'),
          'max-time': '1000h',
          budgets: 'cli:cpu: > 1e999ms\ncli:wall: < 1e400s',
          budget: '< 1e999MB',
          shard: '1/1000',
        }),
        ws(),
      ),
    );
    const text = e.message;
    expect(text).toContain(
      'input "max-time": expected at most 168h (7 days), got "1000h": a longer duration would overflow a timer',
    );
    expect(text).toMatch(/suites\[0\]\.timeout: expected at most 168h \(7 days\), got "1000h"/);
    expect(text).toContain('suites[1].timeout: expected a duration like "5s", "250ms" or "2m", got Infinity');
    expect(text).toMatch(/suites\[2\]\.timeout: expected a duration above 0/);
    expect(text).toMatch(/suites\[3\]\.duration: expected a duration above 0/);
    expect(text).toMatch(/suites\[3\]\.capacity\.slo: expected a latency objective/);
    expect(text).toMatch(/suites\[3\]\.capacity\.from: expected a positive rate/);
    expect(text).toContain('input "budgets" line 1: the bound "1e999ms" is not a finite number');
    expect(text).toContain('input "budgets" line 2: the bound "1e400s" is not a finite number');
    expect(text).toContain('input "budget": the bound "1e999MB" is not a finite number');
    expect(text).toContain('input "shard": expected INDEX/TOTAL with 1 ≤ INDEX ≤ TOTAL ≤ 64');
    // At the limit, a duration is accepted.
    const s = parseSettings(reader({ suites: '- name: cli\n  run: x\n  timeout: 168h', 'max-time': '168h' }), ws());
    expect(s.suites[0]).toMatchObject({ timeout: 7 * 24 * 3600 });
    expect(s.maxTimeS).toBe(7 * 24 * 3600);
  });

  it('reads bench-from-head from the input (one a line) or the config file, and rejects paths outside the repository', () => {
    const fromInput = parseSettings(
      reader({ suites: '- name: cli\n  run: node cli.js', 'bench-from-head': './bench/\n\n**/*.bench.ts  # vitest\n' }),
      ws(),
    );
    expect(fromInput.benchFromHead).toEqual(['bench', '**/*.bench.ts']);

    const dir = ws();
    mkdirSync(path.join(dir, '.github'));
    writeFileSync(
      path.join(dir, '.github', 'perfgate.yml'),
      'benchFromHead: [bench/, benchmarks/test_ids.py]\nsuites:\n  - name: ids\n    run: node bench/ids.js\n',
    );
    expect(parseSettings(reader({}), dir).benchFromHead).toEqual(['bench', 'benchmarks/test_ids.py']);
    expect(parseSettings(reader({ 'bench-from-head': 'other/' }), dir).benchFromHead).toEqual(['other']);

    const e = errorOf(() =>
      parseSettings(reader({ suites: '- name: a\n  run: x', 'bench-from-head': 'bench/\n../elsewhere\n/abs' }), ws()),
    );
    expect(e.issues.map((i) => i.where)).toEqual(['input "bench-from-head" line 2', 'input "bench-from-head" line 3']);
    expect(e.issues[0].message).toContain('inside the repository');

    writeFileSync(path.join(dir, '.github', 'perfgate.yml'), 'benchFromHead: 3\nsuites:\n  - name: a\n    run: x\n');
    expect(errorOf(() => parseSettings(reader({}), dir)).issues).toEqual([
      {
        where: '.github/perfgate.yml line 1',
        message: 'benchFromHead: expected a list of paths or globs, like ["bench/"]',
      },
    ]);
  });
});
