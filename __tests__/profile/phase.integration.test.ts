/**
 * The profiling step: which suites, which profiler, interleaving, notes instead of errors. The
 * orchestration cases use a scripted runner that writes small V8 profiles itself (the real
 * profilers are covered end to end); the last cases run real processes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProfilerHooks } from '../../src/adapters/profile/hooks';
import { profileSuites, profileTargets, runProfiles } from '../../src/app/profile';
import { createRunner, SuiteError, type SuiteRunner } from '../../src/app/runners';
import type { MetricResult, Side } from '../../src/core/model';
import { parseSuites } from '../../src/settings/suites';

const checkouts = { base: '/checkout/base', head: '/checkout/head' };
const noPerf = async () => ({ ok: false as const, reason: 'perf is not installed.' });

/** A V8 profile where `work` took `ms` milliseconds, and `setup` 5 ms on both sides. */
function cpuprofile(ms: number) {
  return {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
      { id: 2, callFrame: { functionName: 'work', url: 'file:///checkout/x/app.js', lineNumber: 2 } },
      { id: 3, callFrame: { functionName: 'setup', url: 'file:///checkout/x/app.js', lineNumber: 20 } },
    ],
    startTime: 0,
    endTime: (ms + 5) * 1000,
    samples: [3, 2, 2],
    timeDeltas: [0, 5000, (ms * 1000) / 2],
  };
}

interface Call {
  suite: string;
  side: Side;
}

/**
 * A runner whose profiled runs write a V8 profile (work: 10 ms on base, 40 ms on head) unless
 * `node` is false; its `failOn`-th profiled run fails.
 */
function scripted(
  name: string,
  calls: Call[],
  options: { node?: boolean; failOn?: number; kind?: 'command' | 'http'; http?: Record<string, unknown> } = {},
): SuiteRunner {
  let own = 0;
  const runner: SuiteRunner = {
    suite:
      options.kind === 'http'
        ? {
            kind: 'http',
            name,
            server: 'x',
            scenarios: [{ name: 's', method: 'GET', path: '/' }],
            warmup: 0,
            timeout: 60,
            readyTimeout: 10,
            duration: 1,
            warmupDuration: 0,
            ...options.http,
          }
        : { kind: 'command', name, run: 'scripted', warmup: 0, timeout: 60 },
    async warmup() {},
    async sample() {
      return { values: [], warnings: [] };
    },
    async profiled(side: Side, _checkout: string, hooks: ProfilerHooks) {
      calls.push({ suite: name, side });
      if (options.failOn === ++own) throw new SuiteError(name, side, '"scripted" exited with code 3');
      const env = hooks.env({});
      if (options.node !== false && env.PERFGATE_PROFILE_DIR) {
        mkdirSync(env.PERFGATE_PROFILE_DIR, { recursive: true });
        writeFileSync(
          path.join(env.PERFGATE_PROFILE_DIR, '1-0.cpuprofile'),
          JSON.stringify(cpuprofile(side === 'base' ? 10 : 40)),
        );
      }
      return options.kind === 'http' ? { requests: 100, windows: [[0, 1e12]] } : {};
    },
  } as SuiteRunner;
  return runner;
}

function options(dir: string) {
  return { checkouts, dir: path.join(dir, 'perfgate-profiles'), relativeTo: dir, seed: 3, log: () => {}, perf: noPerf };
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'perfgate-phase-'));

describe('profileSuites', () => {
  it('probes on head, then interleaves base and head in random order, 3 runs each', async () => {
    const calls: Call[] = [];
    const dir = tmp();
    const [a, b] = await profileSuites({
      ...options(dir),
      targets: [
        { runner: scripted('a', calls), metrics: [] },
        { runner: scripted('b', calls), metrics: [] },
      ],
    });
    expect(calls.slice(0, 2)).toEqual([
      { suite: 'a', side: 'head' },
      { suite: 'b', side: 'head' },
    ]);
    const rounds = calls.slice(2);
    expect(rounds).toHaveLength(12);
    for (let r = 0; r < 3; r++) {
      const round = rounds.slice(r * 4, r * 4 + 4);
      expect(new Set(round.map((c) => `${c.suite}:${c.side}`)).size).toBe(4);
    }
    // Random order: the sequence of a seeded shuffle, not a fixed base-then-head pattern.
    expect(
      new Set(
        [0, 1, 2].map((r) =>
          rounds
            .slice(r * 4, r * 4 + 4)
            .map((c) => c.suite + c.side)
            .join(),
        ),
      ),
    ).not.toEqual(new Set(['abase,ahead,bbase,bhead']));
    for (const p of [a, b]) {
      expect(p).toMatchObject({ profiler: 'v8', runs: { base: 3, head: 3 }, notes: [] });
      expect(p.views[0].per).toBe('run');
      const top = p.views[0].top[0];
      expect(p.views[0].functions[top.fn].name).toBe('work');
      expect(top.baseSelf).toBeCloseTo(0.01, 9);
      expect(top.headSelf).toBeCloseTo(0.04, 9);
      expect(p.files).toHaveLength(6);
      expect(p.files[0]).toMatch(/^perfgate-profiles\/[ab]\/(base|head)-\d\/1-0\.cpuprofile$/);
    }
  });

  it('costs per request for HTTP suites', async () => {
    const [p] = await profileSuites({
      ...options(tmp()),
      targets: [{ runner: scripted('api', [], { kind: 'http' }), metrics: [] }],
    });
    expect(p.runs).toEqual({ base: 2, head: 2 });
    expect(p.views[0].per).toBe('request');
    expect(p.views[0].top[0].headSelf).toBeCloseTo(0.04 / 100, 12);
  });

  it('profiles a capacity suite once per side, costs per run (each run is a whole search of rates)', async () => {
    const calls: Call[] = [];
    const [p] = await profileSuites({
      ...options(tmp()),
      targets: [{ runner: scripted('api', calls, { kind: 'http', http: { capacity: {} } }), metrics: [] }],
    });
    expect(p.runs).toEqual({ base: 1, head: 1 });
    expect(p.views[0].per).toBe('run');
    expect(p.views[0].top[0].headSelf).toBeCloseTo(0.04, 9);
  });

  it('does not profile a soak suite, and says why', async () => {
    const calls: Call[] = [];
    const [p] = await profileSuites({
      ...options(tmp()),
      targets: [{ runner: scripted('leak', calls, { kind: 'http', http: { soak: { rounds: 2 } } }), metrics: [] }],
    });
    expect(calls).toEqual([]);
    expect(p).toMatchObject({ views: [], runs: { base: 0, head: 0 } });
    expect(p.notes).toEqual(['Soak suites are not profiled: one profiled run would last the whole soak.']);
  });

  it('says so when no profiler can run, and never throws', async () => {
    const [p] = await profileSuites({
      ...options(tmp()),
      targets: [{ runner: scripted('go', [], { node: false }), metrics: [] }],
    });
    expect(p).toMatchObject({ profiler: 'none', views: [], runs: { base: 0, head: 0 } });
    expect(p.notes).toEqual([
      'No profiler could run: the command started no Node.js process, and perf is not installed.',
    ]);
  });

  it('turns a failing profiled run into a note and stops profiling that suite only, keeping what it has', async () => {
    const calls: Call[] = [];
    const [bad, good] = await profileSuites({
      ...options(tmp()),
      targets: [
        { runner: scripted('bad', calls, { failOn: 4 }), metrics: [] },
        { runner: scripted('good', calls), metrics: [] },
      ],
    });
    expect(bad.notes[0]).toMatch(
      /^A profiled run failed, so profiling stopped: suite "bad" on (base|head): "scripted" exited with code 3$/,
    );
    // What completed before the failure is still shown.
    expect(bad.runs.base + bad.runs.head).toBeLessThan(6);
    expect(good.runs).toEqual({ base: 3, head: 3 });
  });

  it('rethrows when the run is cancelled', async () => {
    const controller = new AbortController();
    const runner = scripted('a', []);
    runner.profiled = async () => {
      controller.abort(new Error('cancelled'));
      throw new Error('cancelled');
    };
    await expect(
      runProfiles([{ runner, metrics: [] }], {
        ...options(tmp()),
        resultsDir: tmp(),
        signal: controller.signal,
      }),
    ).rejects.toThrow('cancelled');
  });
});

describe('profileTargets', () => {
  const result = (id: string, outcome: MetricResult['outcome']) =>
    ({ id, suite: id.split(/[/:]/)[0], outcome }) as MetricResult;
  const runners = [scripted('cli', []), scripted('api', [])];
  const results = [result('cli:wall', 'regression'), result('cli:rss', 'breach'), result('api/x:p99', 'within-budget')];

  it('picks suites with a failing metric, every suite, or none', () => {
    const picked = profileTargets('on-regression', runners, results);
    expect(picked.map((t) => [t.runner.suite.name, t.metrics.map((m) => m.id)])).toEqual([
      ['cli', ['cli:wall', 'cli:rss']],
    ]);
    expect(profileTargets('always', runners, results).map((t) => t.runner.suite.name)).toEqual(['cli', 'api']);
    expect(profileTargets('never', runners, results)).toEqual([]);
    const cannot = { ...runners[0], profiled: undefined };
    expect(profileTargets('always', [cannot], results)).toEqual([]);
  });
});

describe('profiling real processes', () => {
  it('profiles every node process a shell command starts, and leaves none behind', async () => {
    const dir = tmp();
    const checkout = path.join(dir, 'checkout');
    mkdirSync(checkout);
    writeFileSync(
      path.join(checkout, 'child.js'),
      'function childWork(){let s=0;for(let i=0;i<3e6;i++)s+=i%7;return s}\nconsole.log(childWork())\n',
    );
    writeFileSync(
      path.join(checkout, 'main.js'),
      "require('node:child_process').execFileSync(process.execPath, [__dirname + '/child.js'], { stdio: 'inherit' });\n",
    );
    const { suites } = parseSuites([{ name: 'tree', run: 'node main.js && node child.js' }]);
    const [p] = await profileSuites({
      ...options(dir),
      checkouts: { base: checkout, head: checkout },
      targets: [{ runner: createRunner(suites[0]), metrics: [] }],
      runs: 1,
    });
    expect(p.profiler).toBe('v8');
    // main.js, its child, and the second node: three profiles per run.
    expect(p.files.filter((f) => f.includes('/base-1/'))).toHaveLength(3);
    expect(p.views[0].functions.map((f) => f.name)).toContain('childWork');
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(checkout);
  });
});
