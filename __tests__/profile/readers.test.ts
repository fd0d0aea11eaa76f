/**
 * Profile readers on real recordings: `.cpuprofile` / `.heapprofile` written by perfgate's
 * preload from the Node.js fixture command (base, and head with `parseRecords` four times
 * slower), and `perf script` text of the C fixture program recorded with `perf record -g -e
 * cpu-clock` (base, and head with `checksum` four times slower). Checkout paths in the files
 * were replaced by `/checkout/{base,head}`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPerfScript } from '../../src/core/profile/perf-script';
import type { StackProfile } from '../../src/core/profile/types';
import { ProfileFormatError, readCpuProfile, readHeapProfile } from '../../src/core/profile/v8';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'profile');
const read = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const json = (name: string) => JSON.parse(read(name));
const strip = (side: string) => (where: string) => where.replace(`file:///checkout/${side}/`, '');

const totalWeight = (p: StackProfile) => p.stacks.reduce((s, x) => s + x.weight, 0);
function selfOf(p: StackProfile, name: string): number {
  return p.stacks
    .filter((s) => p.frames[s.frames[s.frames.length - 1]].name === name)
    .reduce((sum, s) => sum + s.weight, 0);
}

describe('readCpuProfile', () => {
  it('weights each sample by the time to the next one, so the weights add up to the profiled span', () => {
    for (const side of ['base', 'head']) {
      const raw = json(`app-${side}.cpuprofile`);
      const p = readCpuProfile(raw, { file: strip(side) });
      expect(p.unit).toBe('s');
      const firstSample = raw.startTime + raw.timeDeltas[0];
      expect(totalWeight(p)).toBeCloseTo((raw.endTime - firstSample) / 1e6, 9);
    }
  });

  it('names functions with their file relative to the checkout and their 1-based line', () => {
    const p = readCpuProfile(json('app-head.cpuprofile'), { file: strip('head') });
    expect(p.frames).toContainEqual({ name: 'parseRecords', file: 'app.js', line: 5 });
    expect(p.frames.some((f) => f.name === '(root)')).toBe(false);
    // A stack is root first: parseRecords is called from the module's top level.
    const stack = p.stacks.find((s) => p.frames[s.frames[s.frames.length - 1]].name === 'parseRecords')!;
    expect(p.frames[stack.frames[stack.frames.length - 2]]).toMatchObject({ name: '(anonymous)', file: 'app.js' });
  });

  it('shows the slowed function costing more on head', () => {
    const base = readCpuProfile(json('app-base.cpuprofile'));
    const head = readCpuProfile(json('app-head.cpuprofile'));
    expect(selfOf(head, 'parseRecords')).toBeGreaterThan(2 * selfOf(base, 'parseRecords'));
  });

  it('keeps only samples inside the given windows, and can drop idle samples', () => {
    const raw = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
        { id: 2, callFrame: { functionName: 'work', url: 'file:///x/a.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      ],
      startTime: 1000,
      endTime: 1400,
      samples: [2, 3, 2, 2],
      timeDeltas: [0, 100, 100, 100], // at 1000, 1100, 1200, 1300
    };
    const all = readCpuProfile(raw);
    expect(totalWeight(all)).toBeCloseTo(400e-6, 12);
    expect(selfOf(all, '(idle)')).toBeCloseTo(100e-6, 12);
    const windowed = readCpuProfile(raw, { windows: [[1150, 1250]], dropIdle: true });
    expect(totalWeight(windowed)).toBeCloseTo(100e-6, 12);
    expect(windowed.frames.map((f) => f.name)).toEqual(['work']);
    expect(readCpuProfile(raw, { dropIdle: true }).frames.map((f) => f.name)).toEqual(['work']);
  });

  it('rejects what is not a CPU profile, naming what it expected', () => {
    expect(() => readCpuProfile({ nodes: [] })).toThrow(ProfileFormatError);
    expect(() => readCpuProfile(json('app-base.heapprofile'))).toThrow(/expected nodes, samples/);
    expect(() => readCpuProfile({ nodes: [{ id: 1 }], samples: [], timeDeltas: [], startTime: 0, endTime: 0 })).toThrow(
      /callFrame/,
    );
  });
});

describe('readHeapProfile', () => {
  it('reads sampled live bytes per call path', () => {
    const raw = json('app-head.heapprofile');
    const p = readHeapProfile(raw, { file: strip('head') });
    expect(p.unit).toBe('B');
    let bytes = 0;
    const walk = (n: { selfSize: number; children?: unknown[] }) => {
      bytes += n.selfSize;
      for (const c of n.children ?? []) walk(c as typeof n);
    };
    for (const c of raw.head.children) walk(c);
    expect(totalWeight(p)).toBe(bytes);
    expect(bytes).toBeGreaterThan(0);
  });
});

describe('readPerfScript', () => {
  it('reads every sample of a real perf recording, each worth its cpu-clock period', () => {
    for (const side of ['base', 'head']) {
      const text = read(`prog-${side}.perf.txt`);
      const headers = text.match(/cpu-clock:\s*$/gm)!.length;
      const periods = [...text.matchAll(/\s(\d+) cpu-clock:/g)].reduce((s, m) => s + Number(m[1]), 0);
      const { profile } = readPerfScript(text, { file: (d) => d.replace(`/checkout/${side}/`, '') });
      expect(headers).toBeGreaterThan(5);
      expect(totalWeight(profile)).toBeCloseTo(periods / 1e9, 9);
    }
  });

  it('resolves the binary’s own functions and where each starts', () => {
    const { profile, locations } = readPerfScript(read('prog-head.perf.txt'), {
      file: (d) => d.replace('/checkout/head/', ''),
    });
    const i = profile.frames.findIndex((f) => f.name === 'checksum');
    expect(profile.frames[i]).toEqual({ name: 'checksum', file: 'prog', line: null });
    // The start is the sample address minus the symbol offset: the same for every sample in it.
    const text = read('prog-head.perf.txt');
    const m = /([0-9a-f]+) checksum\+0x([0-9a-f]+)/.exec(text)!;
    expect(locations[i]).toEqual({
      dso: '/checkout/head/prog',
      start: (Number.parseInt(m[1], 16) - Number.parseInt(m[2], 16)).toString(16),
    });
    // Kernel frames are named, never resolved to a source line.
    const kernel = profile.frames.findIndex((f) => f.file === '[kernel]');
    if (kernel >= 0) expect(locations[kernel]).toBeNull();
  });

  it('shows the slowed function costing more on head', () => {
    const base = readPerfScript(read('prog-base.perf.txt')).profile;
    const head = readPerfScript(read('prog-head.perf.txt')).profile;
    expect(selfOf(head, 'checksum')).toBeGreaterThan(2 * selfOf(base, 'checksum'));
  });

  it('reads command names with spaces, indented headers, and cuts to windows', () => {
    const text = [
      '    Web Content  12/34  100.000100:    1000000 cpu-clock:u: ',
      '\t            115b work+0x22 (/checkout/head/app)',
      '\t            11e3 main+0x20 (/checkout/head/app)',
      '',
      'Web Content  12/34  100.000200:    2000000 task-clock: ',
      '\t    7f00deadbeef [unknown] ([unknown])',
      '',
    ].join('\n');
    const { profile } = readPerfScript(text);
    expect(totalWeight(profile)).toBeCloseTo(0.003, 12);
    expect(profile.frames.map((f) => f.name)).toEqual(['work', 'main', '[unknown]']);
    expect(profile.stacks[0].frames.map((f) => profile.frames[f].name)).toEqual(['main', 'work']);
    const cut = readPerfScript(text, { windows: [[100_000_150, 100_000_250]] }).profile;
    expect(totalWeight(cut)).toBeCloseTo(0.002, 12);
  });

  it('refuses other events and text that is not perf script output', () => {
    expect(() => readPerfScript('prog 1/1 1.0: 123 cycles: \n\t 1 main+0x1 (/x)\n')).toThrow(/cpu-clock/);
    expect(() => readPerfScript('hello\nworld\n')).toThrow(/no sample header/);
    expect(readPerfScript('').profile.stacks).toEqual([]);
  });
});
