/**
 * The callgrind reader. Real recordings: callgrind (`--trace-children=yes --separate-recs=1`) of
 * the C fixture program run through `bash -c ./prog`, base and head (`checksum` twice the work),
 * built in `/checkout/{base,head}`. Small hand-written files cover the format's corners (name
 * compression, calls into other objects, inlined files, position compression, cycles) and JIT
 * code named from a V8 perf map.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jitFrame, perfMapLookup, readCallGraph, readCallgrind, stacksOf } from '../../src/core/profile/callgrind';
import { differential } from '../../src/core/profile/diff';
import type { StackProfile } from '../../src/core/profile/types';
import { ProfileFormatError } from '../../src/core/profile/v8';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'profile');
const read = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const strip = (side: string) => (where: string) => where.replace(`/checkout/${side}/`, '');

const selfOf = (p: StackProfile, name: string) =>
  p.stacks.filter((s) => p.frames[s.frames[s.frames.length - 1]].name === name).reduce((a, s) => a + s.weight, 0);
const totalOf = (p: StackProfile) => p.stacks.reduce((a, s) => a + s.weight, 0);

describe('readCallgrind on a real C program', () => {
  it('self counts are exact: they sum to the summary, and the loops count what they execute', () => {
    const graph = readCallGraph(read('prog-base.callgrind'), { file: strip('base') });
    expect(graph.total).toBe(65_126_588);
    expect(graph.self.reduce((a, b) => a + b, 0)).toBe(graph.total);
    const p = readCallgrind(read('prog-base.callgrind'), { file: strip('base') });
    expect(p.unit).toBe('count');
    expect(totalOf(p)).toBeCloseTo(graph.total, 0);
    expect(selfOf(p, 'checksum')).toBeCloseTo(57_000_010, 3);
    expect(selfOf(p, 'prepare')).toBeCloseTo(8_000_009, 3);
  });

  it('names functions by file relative to the checkout and their first line', () => {
    const p = readCallgrind(read('prog-head.callgrind'), { file: strip('head') });
    expect(p.frames).toContainEqual({ name: 'checksum', file: 'prog.c', line: 4 });
    expect(p.frames).toContainEqual({ name: 'prepare', file: 'prog.c', line: 11 });
    // A library without debug information is named by its object.
    expect(p.frames.find((f) => f.name === '0x000000000001ab70')?.file).toMatch(/ld-linux-x86-64\.so\.2$/);
  });

  it('the call paths of a program without recursion are its real stacks', () => {
    const p = readCallgrind(read('prog-head.callgrind'), { file: strip('head') });
    const chain = (name: string) => {
      const s = p.stacks.find((x) => p.frames[x.frames[x.frames.length - 1]].name === name)!;
      return s.frames.map((i) => p.frames[i].name);
    };
    expect(chain('checksum').slice(-2)).toEqual(['main', 'checksum']);
    expect(chain('prepare').slice(-2)).toEqual(['main', 'prepare']);
  });

  it('the differential ranks the slowed function first, by exact instruction growth', () => {
    const base = readCallgrind(read('prog-base.callgrind'), { file: strip('base') });
    const head = readCallgrind(read('prog-head.callgrind'), { file: strip('head') });
    const view = differential([base], [head], { kind: 'cpu', per: 'run', divisor: { base: 1, head: 1 } });
    expect(view.unit).toBe('count');
    const first = view.top[0];
    expect(view.functions[first.fn]).toEqual({ name: 'checksum', file: 'prog.c', line: 4 });
    expect(first.headSelf - first.baseSelf).toBeCloseTo(57_000_005, 3);
    expect(view.headTotal - view.baseTotal).toBeCloseTo(122_126_593 - 65_126_588, 2);
    // The flame graph has it, grown, under main.
    const node = view.flame.find((n) => view.functions[n.fn].name === 'checksum')!;
    expect(view.functions[view.flame[node.parent].fn].name).toBe('main');
    expect(node.head - node.base).toBeCloseTo(57_000_005, 3);
  });
});

describe('the format', () => {
  const FILE = [
    '# callgrind format',
    'version: 1',
    'cmd: ./app',
    'positions: line',
    'events: Ir Dr',
    'summary: 1000 0',
    '',
    'ob=(1) /app/bin',
    'fl=(1) /app/main.c',
    'fn=(1) main',
    '10 5',
    '+2 5 9',
    'cfn=(2) work',
    'calls=2 30',
    '* 600',
    'cob=(2) /lib/libc.so',
    'cfi=(2) ???',
    'cfn=(3) memcpy',
    'calls=1 0',
    '* 100',
    // cob/cfi apply to one call only: this callee is in the caller's object and file again.
    'cfn=(4) helper',
    'calls=1 40',
    '* 280',
    '',
    'fn=(2)',
    '30 400',
    'fi=(3) /app/inline.h',
    '7 100',
    'fe=(1)',
    '29 100',
    '',
    'fn=(4)',
    '40 200',
    'cfn=(4)',
    'calls=3 40',
    '* 120',
    'cfn=(2)',
    'calls=1 30',
    '* 80',
    '',
    'ob=(2)',
    'fl=(2)',
    'fn=(3)',
    '0 100',
  ].join('\n');

  it('resolves compressed names, one-call cob/cfi, inlined files and compressed positions', () => {
    const g = readCallGraph(FILE);
    const id = (name: string) => g.frames.findIndex((f) => f.name === name);
    expect(g.command).toBe('./app');
    expect(g.total).toBe(1000);
    expect(g.frames[id('main')]).toEqual({ name: 'main', file: '/app/main.c', line: 10 });
    // work's inlined lines (inline.h:7) count as work's own, and its line is its first in main.c.
    expect(g.frames[id('work')]).toEqual({ name: 'work', file: '/app/main.c', line: 29 });
    expect(g.self[id('work')]).toBe(600);
    expect(g.frames[id('memcpy')]).toEqual({ name: 'memcpy', file: '/lib/libc.so', line: null });
    expect(g.calls.get(id('main'))).toEqual(
      new Map([
        [id('work'), 600],
        [id('memcpy'), 100],
        [id('helper'), 280],
      ]),
    );
    // A function's calls to itself add nothing: their cost is already its own and its callees'.
    expect(g.calls.get(id('helper'))).toEqual(new Map([[id('work'), 80]]));
  });

  it('rebuilt stacks keep every function’s self count exact, through shared callees', () => {
    const g = readCallGraph(FILE);
    const stacks = stacksOf(g);
    const self = new Map<number, number>();
    for (const s of stacks) {
      const leaf = s.frames[s.frames.length - 1];
      self.set(leaf, (self.get(leaf) ?? 0) + s.weight);
    }
    g.self.forEach((v, i) => {
      expect(self.get(i) ?? 0).toBeCloseTo(v, 9);
    });
    // work is called from main and from helper: its cost is split by the calls' costs.
    const name = (s: { frames: number[] }) => s.frames.map((i) => g.frames[i].name).join('>');
    const work = stacks.filter((s) => g.frames[s.frames[s.frames.length - 1]].name === 'work');
    expect(work.map(name).sort()).toEqual(['main>helper>work', 'main>work']);
    const viaHelper = work.find((s) => name(s) === 'main>helper>work')!.weight;
    expect(viaHelper / 600).toBeCloseTo(80 / 680, 9);
  });

  it('cuts a cycle where a function recurs on its own path, and still accounts every instruction', () => {
    const cycle = [
      'events: Ir',
      'fn=(1) main',
      '1 10',
      'cfn=(2) a',
      'calls=1 1',
      '* 990',
      'fn=(2)',
      '1 300',
      'cfn=(3) b',
      'calls=5 1',
      '* 690',
      'fn=(3)',
      '1 390',
      'cfn=(2)',
      'calls=4 1',
      '* 600',
    ].join('\n');
    const g = readCallGraph(cycle);
    const stacks = stacksOf(g);
    const total = stacks.reduce((a, s) => a + s.weight, 0);
    expect(total).toBeCloseTo(
      g.self.reduce((a, b) => a + b, 0),
      9,
    );
    for (const s of stacks) expect(new Set(s.frames).size).toBeGreaterThanOrEqual(s.frames.length - 1);
  });

  it('refuses a file that counts no instructions, or refers to a name it never defined', () => {
    expect(() => readCallGraph('events: Dr\nfn=(1) main\n1 2\n')).toThrow(ProfileFormatError);
    expect(() => readCallGraph('events: Ir\nfn=(4)\n1 2\n')).toThrow(/used before it was defined/);
  });
});

describe('JIT code', () => {
  const MAP = [
    '3c0a000 40 Builtin:ArgumentsAdaptorTrampoline',
    'd045b80 12a JS:*parseRecords /checkout/head/app.js:5:22',
    'd046c80 80 JS:^formatReport /checkout/head/app.js:11:22',
    'd047000 20 JS:~ /checkout/head/app.js:1:1',
    // V8 reused the code space of formatReport: the later entry wins.
    'd046c80 40 JS:*formatReport /checkout/head/app.js:11:22',
  ].join('\n');

  it('names V8 code from the perf map, relative to the checkout', () => {
    const lookup = perfMapLookup(MAP, strip('head'));
    expect(lookup(0xd045b80n + 0x10n)).toEqual({ name: 'parseRecords', file: 'app.js', line: 5 });
    expect(lookup(0xd046c80n)).toEqual({ name: 'formatReport', file: 'app.js', line: 11 });
    expect(lookup(0xd047004n)).toEqual({ name: '(anonymous)', file: 'app.js', line: 1 });
    expect(lookup(0x3c0a010n)).toEqual({ name: 'Builtin:ArgumentsAdaptorTrampoline', file: '', line: null });
    expect(lookup(0xd045b80n + 0x12an)).toBeNull();
    expect(jitFrame('LazyCompile:*parse /a/x.js:3:1')).toEqual({ name: 'parse', file: '/a/x.js', line: 3 });
  });

  it('merges the many code blocks of one JS function into one frame; unnamed code into "(JIT code)"', () => {
    const text = [
      'events: Ir',
      'ob=(1) /usr/bin/node',
      'fl=(1) ???',
      'fn=(1) Builtins_JSEntry',
      '0 10',
      'cob=(2) ???',
      'cfn=(2) 0x000000000d045b80',
      'calls=1 0',
      '0 500',
      'cob=(2)',
      'cfn=(4) 0x00000000000beef0',
      'calls=1 0',
      '0 7',
      'ob=(2)',
      'fn=(2)',
      '0 200',
      'cfn=(3) 0x000000000d045ba0',
      'calls=1 0',
      '0 300',
      'fn=(3)',
      '0 300',
      'fn=(4)',
      '0 7',
    ].join('\n');
    const p = readCallgrind(text, { jitName: perfMapLookup(MAP, strip('head')) });
    expect(p.frames.filter((f) => f.name === 'parseRecords')).toHaveLength(1);
    expect(selfOf(p, 'parseRecords')).toBeCloseTo(500, 9);
    expect(selfOf(p, '(JIT code)')).toBeCloseTo(7, 9);
    expect(selfOf(p, 'Builtins_JSEntry')).toBeCloseTo(10, 9);
  });
});
