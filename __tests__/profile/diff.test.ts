/**
 * The differential view: hand-computed cases, invariants over seeded random profiles, and the
 * real recordings of the fixtures (the slowed function must top the list).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependencyOf, differential, MAX_NAME, shareOfGrowth } from '../../src/core/profile/diff';
import { readPerfScript } from '../../src/core/profile/perf-script';
import type { ProfileFrame, ProfileView, StackProfile } from '../../src/core/profile/types';
import { readCpuProfile } from '../../src/core/profile/v8';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'profile');

/** A profile from `[stack, weight]` pairs, each stack a list of function names (root first) in `file`. */
function profile(stacks: [string[], number][], lines: Record<string, number> = {}, file = 'app.js'): StackProfile {
  const frames: ProfileFrame[] = [];
  const index = (name: string) => {
    const [fn, at] = name.split('@');
    const line = at ? Number(at) : (lines[fn] ?? null);
    let i = frames.findIndex((f) => f.name === fn && f.line === line);
    if (i < 0) i = frames.push({ name: fn, file, line }) - 1;
    return i;
  };
  return { unit: 's', frames, stacks: stacks.map(([names, weight]) => ({ frames: names.map(index), weight })) };
}

const fnName = (v: ProfileView, fn: number) => v.functions[fn].name;
const opts = { kind: 'cpu' as const, per: 'run' as const, divisor: { base: 1, head: 1 } };

describe('differential', () => {
  it('ranks functions by the growth of their self time, with totals and shares', () => {
    const base = profile([
      [['main', 'parse'], 10],
      [['main', 'render'], 20],
      [['main'], 5],
    ]);
    const head = profile([
      [['main', 'parse'], 40],
      [['main', 'render'], 22],
      [['main'], 5],
    ]);
    const v = differential([base], [head], opts);
    expect(v.baseTotal).toBe(35);
    expect(v.headTotal).toBe(67);
    expect(v.top.map((c) => fnName(v, c.fn))).toEqual(['parse', 'render']);
    expect(v.top[0]).toMatchObject({ baseSelf: 10, headSelf: 40, baseTotal: 10, headTotal: 40 });
    expect(shareOfGrowth(v, v.top[0])).toBeCloseTo(30 / 32, 12);
    expect(shareOfGrowth(v, v.top[1])).toBeCloseTo(2 / 32, 12);
    // main grew in total but not in itself: it is not in the ranking of self growth.
    expect(v.top.some((c) => fnName(v, c.fn) === 'main')).toBe(false);
  });

  it('divides by runs or requests, so sides with different amounts of work compare', () => {
    const base = profile([[['handle'], 10]]);
    const head = profile([[['handle'], 10]]);
    const v = differential([base, base], [head], { ...opts, per: 'request', divisor: { base: 200, head: 50 } });
    expect(v.baseTotal).toBeCloseTo(0.1, 12);
    expect(v.headTotal).toBeCloseTo(0.2, 12);
    expect(v.per).toBe('request');
    expect(v.top[0].headSelf).toBeCloseTo(0.2, 12);
  });

  it('treats a function whose lines moved as the same function, and keeps same-named ones apart', () => {
    // head inserted lines above both anonymous functions and above parse.
    const base = profile([
      [['parse@5'], 10],
      [['(anonymous)@20'], 3],
      [['(anonymous)@30'], 4],
    ]);
    const head = profile([
      [['parse@9'], 30],
      [['(anonymous)@24'], 3],
      [['(anonymous)@34'], 8],
    ]);
    const v = differential([base], [head], opts);
    expect(v.top.map((c) => [fnName(v, c.fn), v.functions[c.fn].line, c.baseSelf, c.headSelf])).toEqual([
      ['parse', 9, 10, 30],
      ['(anonymous)', 34, 4, 8],
    ]);
  });

  it('counts a recursive function once per stack in its total', () => {
    const v = differential([profile([[['f', 'f', 'f'], 6]])], [profile([[['f', 'f', 'f'], 9]])], opts);
    expect(v.top[0]).toMatchObject({ baseSelf: 6, headSelf: 9, baseTotal: 6, headTotal: 9 });
  });

  it('merges the two call trees and drops slivers, keeping every kept node’s ancestors', () => {
    const base = profile([
      [['main', 'a', 'tiny'], 0.001],
      [['main', 'b'], 10],
    ]);
    const head = profile([
      [['main', 'a'], 5],
      [['main', 'b'], 10],
    ]);
    const v = differential([base], [head], opts);
    const paths = v.flame.map((n) => {
      const names: string[] = [];
      for (let at = v.flame.indexOf(n); at >= 0; at = v.flame[at].parent) names.unshift(fnName(v, v.flame[at].fn));
      return `${names.join('/')} ${v.flame.indexOf(n) > n.parent ? 'ok' : 'bad'} ${n.base}→${n.head}`;
    });
    expect(paths).toEqual(['main ok 10.001→15', 'main/a ok 0.001→5', 'main/b ok 10→10']);
    const capped = differential([base], [head], { ...opts, maxNodes: 2 });
    expect(capped.flame.map((n) => fnName(capped, n.fn))).toEqual(['main', 'b']);
  });

  it('shortens kilobyte-long names (C++ templates) to what a results file holds', () => {
    const long = `std::vector<${'std::map<int, std::string>, '.repeat(100)}>::push_back`;
    const v = differential([profile([[[long], 1]])], [profile([[[long], 2]])], opts);
    expect(v.functions[0].name.length).toBe(MAX_NAME);
    expect(v.functions[0].name.endsWith('…')).toBe(true);
  });

  it('survives stacks far deeper than the JavaScript call stack', () => {
    const deep = Array.from({ length: 20_000 }, (_, i) => `f${i % 7}`);
    const v = differential([profile([[deep, 1]])], [profile([[deep, 2]])], { ...opts, maxNodes: 30_000 });
    expect(v.flame).toHaveLength(20_000);
    expect(v.flame[19_999].parent).toBe(19_998);
  });

  it('keeps the books balanced for any profiles (seeded)', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const stacks = fc.array(
      fc.tuple(
        fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0.001, max: 10, noNaN: true }),
      ),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(stacks, stacks, (b, h) => {
        const v = differential([profile(b)], [profile(h)], { ...opts, minFraction: 0, top: 100 });
        const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
        expect(v.baseTotal).toBeCloseTo(sum(b.map(([, w]) => w)), 6);
        expect(v.headTotal).toBeCloseTo(sum(h.map(([, w]) => w)), 6);
        // Roots of the merged tree add up to each side's total; children never outweigh parents.
        expect(sum(v.flame.filter((n) => n.parent < 0).map((n) => n.head))).toBeCloseTo(v.headTotal, 6);
        for (const [i, n] of v.flame.entries()) {
          if (n.parent < 0) continue;
          expect(n.parent).toBeLessThan(i);
          expect(n.head).toBeLessThanOrEqual(v.flame[n.parent].head + 1e-9);
        }
        for (const c of v.top) {
          expect(c.headSelf).toBeGreaterThan(c.baseSelf);
          expect(c.headTotal).toBeGreaterThanOrEqual(c.headSelf - 1e-9);
        }
        const growth = v.top.map((c) => c.headSelf - c.baseSelf);
        expect(growth).toEqual([...growth].sort((x, y) => y - x));
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});

describe('differential of the real fixture recordings', () => {
  it('puts the Node.js command’s slowed function on top', () => {
    const read = (side: string) =>
      readCpuProfile(JSON.parse(readFileSync(path.join(FIXTURES, `app-${side}.cpuprofile`), 'utf8')), {
        file: (u) => u.replace(`file:///checkout/${side}/`, ''),
      });
    const v = differential([read('base')], [read('head')], opts);
    expect(v.functions[v.top[0].fn]).toEqual({ name: 'parseRecords', file: 'app.js', line: 5 });
    expect(shareOfGrowth(v, v.top[0])).toBeGreaterThan(0.5);
  });

  it('puts the C program’s slowed function on top', () => {
    const read = (side: string) =>
      readPerfScript(readFileSync(path.join(FIXTURES, `prog-${side}.perf.txt`), 'utf8'), {
        file: (d) => d.replace(`/checkout/${side}/`, ''),
      }).profile;
    const v = differential([read('base')], [read('head')], opts);
    expect(v.functions[v.top[0].fn]).toMatchObject({ name: 'checksum', file: 'prog' });
    expect(shareOfGrowth(v, v.top[0])).toBeGreaterThan(0.5);
  });
});

describe('differential: fixed-time harnesses, noise and dependencies', () => {
  /** A fixed-time harness run: `work` of the measured function per operation, 1 of harness per operation, 100 of time. */
  const harnessRun = (work: number, jitter = 0) => {
    const ops = 100 / (work + 1);
    return profile([
      [['#m', 's', 'task', 'closure'], ops * work + jitter],
      [['#m', 's', 'task'], ops * 0.5],
      [['#m', 's'], ops * 0.5 - jitter],
    ]);
  };

  it('compares shares of the profile: the slowed function grows, the harness around it does not', () => {
    const v = differential(
      [harnessRun(1, 0.1), harnessRun(1, -0.1), harnessRun(1, 0)],
      [harnessRun(3, 0.1), harnessRun(3, -0.1), harnessRun(3, 0)],
      { kind: 'cpu', per: 'share', divisor: { base: 3, head: 3 } },
    );
    expect(v.per).toBe('share');
    expect(v.baseTotal).toBeCloseTo(1, 12);
    expect(v.headTotal).toBeCloseTo(1, 12);
    expect(v.top.map((c) => fnName(v, c.fn))).toEqual(['closure']);
    expect(v.top[0].baseSelf).toBeCloseTo(0.5, 2);
    expect(v.top[0].headSelf).toBeCloseTo(0.75, 2);
    expect(shareOfGrowth(v, v.top[0])).toBe(1);
    expect(v.perRun).toEqual({ base: 100, head: 100 });
  });

  it('does not list an unchanged task whose share rose only because the harness’s bookkeeping shrank', () => {
    // Fixed time per task; the harness sorts fewer samples on the slower side, so the run is shorter.
    const run = (closure: number, stats: number, jitter: number) =>
      profile([
        [['bench', 'taskA', 'closure'], closure + jitter],
        [['bench', 'taskB', 'nanoid'], 30 - jitter],
        [['bench', 'stats'], stats],
      ]);
    const v = differential(
      [run(20, 50, 0), run(20, 50, 0.2), run(20, 50, -0.2)],
      [run(40, 25, 0), run(40, 25, 0.2), run(40, 25, -0.2)],
      { kind: 'cpu', per: 'share', divisor: { base: 3, head: 3 } },
    );
    expect(v.top.map((c) => fnName(v, c.fn))).toEqual(['closure']);
  });

  it('ranks only functions that grew in every run, never (idle), and shares add up to 100 %', () => {
    const run = (a: number, b: number, idle: number) =>
      profile([
        [['main', 'a'], a],
        [['main', 'b'], b],
        [['main', 'c'], 10],
        [['(idle)'], idle],
      ]);
    // `a`'s share grows in every run; `b` grows on average but not in every run; `(idle)` grows in
    // every run but is not code.
    const idleFrame = (p: StackProfile) => {
      for (const f of p.frames) if (f.name === '(idle)') f.file = '';
      return p;
    };
    const v = differential(
      [run(10, 5, 1), run(11, 9, 1), run(10, 5, 1)].map(idleFrame),
      [run(20, 4, 9), run(21, 12, 9), run(22, 8, 9)].map(idleFrame),
      opts,
    );
    expect(v.top.map((c) => fnName(v, c.fn))).toEqual(['a']);
    expect(v.top.map((c) => shareOfGrowth(v, c)).reduce((s, x) => s! + x!, 0)).toBeCloseTo(1, 12);
  });

  it('per run, lists a function doing nearly all the work whose time grew in every run (the demo)', () => {
    // `work` is ~65 % of every run on both sides; one head run's start-up (`compile`) was slow, so
    // its share is not above every base run's, but its time is, and its mean share did not fall.
    const run = (work: number, compile: number) =>
      profile([
        [['main', 'work'], work],
        [['main', 'compile'], compile],
        [['main', 'startup'], 20],
      ]);
    const v = differential([run(47, 10), run(60, 7), run(60, 5)], [run(83, 9), run(78, 25), run(86, 12)], opts);
    expect(v.top.map((c) => fnName(v, c.fn))).toEqual(['work']);
    // A machine slower during every head run (all times × 1.3) lists nothing: no share rose.
    const slow = differential(
      [run(60, 8), run(61, 8), run(59, 8)],
      [run(78, 10.4), run(79.3, 10.4), run(76.7, 10.4)].map((p) => {
        for (const s of p.stacks) if (p.frames[s.frames.at(-1)!].name === 'startup') s.weight = 26;
        return p;
      }),
      opts,
    );
    expect(slow.top.map((c) => fnName(slow, c.fn))).toEqual([]);
  });

  it('groups several profiles of one run (one per process) into that run', () => {
    const part = (w: number) =>
      profile([
        [['main', 'f'], w],
        [['main'], 1],
      ]);
    const v = differential([part(1), part(1), part(1), part(1)], [part(2), part(2), part(2), part(2)], {
      ...opts,
      divisor: { base: 2, head: 2 },
      runOf: { base: [0, 0, 1, 1], head: [0, 0, 1, 1] },
    });
    expect(v.top[0]).toMatchObject({ baseSelf: 2, headSelf: 4 });
  });

  it('aligns call paths through a frame one side does not show, so an unchanged callee is not "base 0"', () => {
    // Head shows tinybench's `s` between `#m` and the task (on base V8 inlined it into `#m`).
    const base = profile([[['#m', 'task', 'nanoid'], 10]]);
    const head = profile([
      [['#m', 's', 'task', 'nanoid'], 10],
      [['#m', 's'], 2],
    ]);
    const v = differential([base], [head], opts);
    const nanoid = v.flame.find((n) => fnName(v, n.fn) === 'nanoid')!;
    expect(nanoid).toMatchObject({ base: 10, head: 10 });
    // `s` is still drawn where it is a leaf, with its own cost.
    expect(v.flame.find((n) => fnName(v, n.fn) === 's')).toMatchObject({ base: 0, head: 2 });
  });

  it('names a dependency by its package, and treats another version of it as the same function', () => {
    const dep = (pkg: string, w: number): StackProfile => ({
      unit: 's',
      frames: [{ name: 's', file: 'dist/index.js', line: 428, package: pkg }],
      stacks: [{ frames: [0], weight: w }],
    });
    const v = differential([dep('tinybench@6.2.4', 1)], [dep('tinybench@6.2.5', 3)], opts);
    expect(v.functions).toHaveLength(1);
    expect(v.functions[0]).toEqual({ name: 's', file: 'dist/index.js', line: 428, package: 'tinybench@6.2.5' });
  });

  it('splits node_modules and Go module paths into package and file', () => {
    expect(dependencyOf('node_modules/tinybench/dist/index.js')).toEqual({
      package: 'tinybench',
      file: 'dist/index.js',
    });
    expect(dependencyOf('/p/node_modules/.pnpm/x@1/node_modules/@scope/lib/a/b.js')).toEqual({
      package: '@scope/lib',
      file: 'a/b.js',
    });
    expect(dependencyOf('/root/go/pkg/mod/github.com/x/y@v1.2.3/z/w.go')).toEqual({
      package: 'github.com/x/y@v1.2.3',
      file: 'z/w.go',
    });
    expect(dependencyOf('src/node_modules.js')).toBeNull();
    expect(dependencyOf('index.js')).toBeNull();
    expect(dependencyOf('node_modules/lonely')).toBeNull();
  });
});
