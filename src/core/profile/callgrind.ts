/**
 * Reading a callgrind profile (`callgrind.out.PID`, valgrind's callgrind tool, event `Ir`) into
 * weighted stacks: exact instruction counts per function, and call paths rebuilt from the call
 * graph. Pure: text in, `StackProfile` (unit `count`) out.
 *
 * The format (valgrind manual, "Callgrind Format Specification"): position lines (`ob=`, `fl=`,
 * `fi=`/`fe=` for inlined code, `fn=`; `cob=`, `cfi=`, `cfn=` before a call), cost lines
 * (`LINE COST…`, positions compressed as `+N`, `-N`, `*`), and `calls=COUNT TARGET` followed by
 * one cost line holding the inclusive cost of those calls. Names are compressed: `(7) name`
 * defines id 7, a later `(7)` refers to it (one table each for objects, files and functions).
 *
 * What is exact and what is not:
 * - **Self counts** (instructions executed in the function itself, every call path summed) are
 *   exact: the ranked table of functions is built from them.
 * - **Call paths**: callgrind records a call graph (caller → callee with the calls' inclusive
 *   cost), not whole stacks, and a call graph does not define one flame graph. Stacks are
 *   rebuilt from the roots down, giving each callee the share its caller's arc carries (the
 *   first level below each caller is exact; deeper levels assume a callee costs the same from
 *   every caller, gprof's assumption), cycles cut where a function recurs on its own path, and
 *   paths below `minFraction` of the total kept as their first frame. Each function's rebuilt
 *   stacks are then scaled so that they sum to its exact self count again.
 *
 * JIT-compiled code has no symbols: callgrind names it by address (`0x000000000d043a40`, in
 * object `???`). `jitName` names such an address (perfgate reads Node.js's `--perf-basic-prof`
 * map of the process); addresses it cannot name become one frame, `(JIT code)`.
 */
import type { ProfileFrame, StackProfile } from './types';
import { ProfileFormatError } from './v8';

export interface CallgrindOptions {
  /** Turns a source file or object path into the name shown (e.g. relative to the checkout). */
  file?: (path: string) => string;
  /** Names JIT-compiled code at an address; null when unknown. */
  jitName?: (address: bigint) => ProfileFrame | null;
  /** Paths whose share of the total is below this are not followed further (default 0.0005). */
  minFraction?: number;
  /** Most stacks produced (default 50,000); the fraction rises until they fit. */
  maxStacks?: number;
}

/** What one callgrind file says, before stacks are rebuilt. */
export interface CallGraph {
  /** The process's command line (`cmd:`). */
  command: string;
  frames: ProfileFrame[];
  /** Exact self instructions per frame. */
  self: number[];
  /** Calls between frames: caller → callee → inclusive instructions of those calls. */
  calls: Map<number, Map<number, number>>;
  /** The file's `summary:` (all instructions of the process), or the sum of self counts. */
  total: number;
}

const UNNAMED = /^0x[0-9a-f]+$/i;
/** Callgrind's suffix for a recursion level (`fib'2`, with `--separate-recs`). */
const RECURSION = /'\d+$/;

/** Parses one callgrind output file into its call graph (functions merged by frame). */
export function readCallGraph(text: string, options: CallgrindOptions = {}): CallGraph {
  const file = options.file ?? ((p: string) => p);
  const names = { ob: new Map<string, string>(), fl: new Map<string, string>(), fn: new Map<string, string>() };
  const resolve = (table: keyof typeof names, spec: string): string => {
    const m = /^\((\d+)\)(?:\s(.*))?$/.exec(spec.trim());
    if (!m) return spec.trim();
    if (m[2] !== undefined) {
      names[table].set(m[1], m[2]);
      return m[2];
    }
    const known = names[table].get(m[1]);
    if (known === undefined) throw new ProfileFormatError(`callgrind: name id (${m[1]}) used before it was defined`);
    return known;
  };

  // Frames: a function is its object, file and name (callgrind's own identity), shown by name and file.
  const frames: ProfileFrame[] = [];
  const frameIndex = new Map<string, number>();
  const self: number[] = [];
  const minLine: (number | null)[] = [];
  const calls = new Map<number, Map<number, number>>();
  const frameOf = (ob: string, fl: string, fn: string): number => {
    const key = `${ob}\u0000${fl}\u0000${fn}`;
    let i = frameIndex.get(key);
    if (i !== undefined) return i;
    const name = fn.replace(RECURSION, '');
    let frame: ProfileFrame;
    if (UNNAMED.test(name) && (ob === '???' || ob === '')) {
      frame = options.jitName?.(BigInt(name)) ?? { name: '(JIT code)', file: '', line: null };
    } else {
      const where = fl && fl !== '???' ? fl : ob && ob !== '???' ? ob : '';
      frame = { name, file: where ? file(where) : '', line: null };
    }
    // Frames that look the same (a JIT function's many code blocks) are one frame.
    const shown = `${frame.name}\u0000${frame.file}\u0000${frame.line ?? ''}`;
    i = frameIndex.get(shown);
    if (i === undefined) {
      i = frames.length;
      frames.push(frame);
      self.push(0);
      minLine.push(null);
      frameIndex.set(shown, i);
    }
    frameIndex.set(key, i);
    return i;
  };

  let command = '';
  let positions = ['line'];
  let irAt = -1;
  let summary: number | null = null;
  let ob = '';
  let fl = '';
  let current = ''; // the file of the cost lines that follow (fl, or an inlined file by fi/fe)
  let fnFile = '';
  let fn: number | null = null;
  let cob: string | null = null;
  let cfi: string | null = null;
  let cfn: number | null = null;
  let pendingCall = false;
  let last: number[] = [];

  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line === '' || line.startsWith('#')) continue;
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit + - *
    if (isCost) {
      const parts = line.trim().split(/\s+/);
      const pos: number[] = [];
      for (let k = 0; k < positions.length; k++) {
        const p = parts[k] ?? '*';
        const prev = last[k] ?? 0;
        pos.push(
          p === '*'
            ? prev
            : p.startsWith('+')
              ? prev + Number(p.slice(1))
              : p.startsWith('-')
                ? prev - Number(p.slice(1))
                : Number(p),
        );
      }
      last = pos;
      const cost = irAt < 0 ? 0 : Number(parts[positions.length + irAt] ?? 0);
      if (!Number.isFinite(cost)) throw new ProfileFormatError(`callgrind line ${n + 1}: unreadable cost "${line}"`);
      if (fn === null) throw new ProfileFormatError(`callgrind line ${n + 1}: a cost before any "fn=" line`);
      if (pendingCall) {
        pendingCall = false;
        if (cfn !== null && cfn !== fn && cost > 0) {
          const out = calls.get(fn) ?? new Map<number, number>();
          out.set(cfn, (out.get(cfn) ?? 0) + cost);
          calls.set(fn, out);
        }
        cob = null;
        cfi = null;
        cfn = null;
        continue;
      }
      self[fn] += cost;
      const lineAt = positions.indexOf('line');
      if (cost > 0 && lineAt >= 0 && current === fnFile && pos[lineAt] > 0) {
        const l = pos[lineAt];
        if (minLine[fn] === null || l < minLine[fn]!) minLine[fn] = l;
      }
      continue;
    }
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    if (eq > 0 && (colon < 0 || eq < colon)) {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      switch (key) {
        case 'ob':
          ob = resolve('ob', value);
          break;
        case 'fl':
          fl = resolve('fl', value);
          current = fl;
          break;
        case 'fi':
        case 'fe':
          current = resolve('fl', value);
          break;
        case 'fn':
          fnFile = current;
          fn = frameOf(ob, fnFile, resolve('fn', value));
          break;
        case 'cob':
          cob = resolve('ob', value);
          break;
        case 'cfi':
        case 'cfl':
          cfi = resolve('fl', value);
          break;
        case 'cfn':
          cfn = frameOf(cob ?? ob, cfi ?? current, resolve('fn', value));
          break;
        case 'calls':
          pendingCall = true;
          break;
        case 'jfi':
          resolve('fl', value);
          break;
        case 'jfn':
          resolve('fn', value);
          break;
        default:
          break; // jump=, jcnd= and anything newer: not needed
      }
      continue;
    }
    if (colon > 0) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (key === 'cmd') command = value;
      else if (key === 'positions') positions = value.split(/\s+/);
      else if (key === 'events') irAt = value.split(/\s+/).indexOf('Ir');
      else if (key === 'summary' || key === 'totals') {
        const v = Number(value.split(/\s+/)[Math.max(0, irAt)]);
        if (Number.isFinite(v) && (key === 'summary' || summary === null)) summary = v;
      }
    }
  }
  if (irAt < 0) throw new ProfileFormatError('callgrind: no "events:" line counting instructions (Ir)');
  for (let i = 0; i < frames.length; i++)
    if (frames[i].line === null && minLine[i] !== null) frames[i].line = minLine[i];
  const selfSum = self.reduce((a, b) => a + b, 0);
  return { command, frames, self, calls, total: summary ?? selfSum };
}

/**
 * Weighted stacks rebuilt from a call graph (see the module comment): each frame's stacks sum to
 * its exact self count.
 */
export function stacksOf(graph: CallGraph, options: Pick<CallgrindOptions, 'minFraction' | 'maxStacks'> = {}) {
  const { frames, self, calls } = graph;
  const n = frames.length;
  // Inclusive cost of a frame: its own instructions and those of the calls it makes.
  const inclusive = self.slice();
  const callers = new Array<number>(n).fill(0);
  for (const [from, out] of calls)
    for (const [to, cost] of out) {
      inclusive[from] += cost;
      callers[to]++;
    }
  const selfTotal = self.reduce((a, b) => a + b, 0);
  const maxStacks = options.maxStacks ?? 50_000;
  let minFraction = options.minFraction ?? 0.0005;

  const roots = [...Array(n).keys()]
    .filter((i) => callers[i] === 0 && inclusive[i] > 0)
    .sort((a, b) => inclusive[b] - inclusive[a]);

  let stacks = new Map<string, { frames: number[]; weight: number }>();
  for (;;) {
    stacks = new Map();
    const threshold = selfTotal * minFraction;
    const emit = (path: number[], weight: number) => {
      if (!(weight > 0)) return;
      const key = path.join(',');
      const s = stacks.get(key);
      if (s) s.weight += weight;
      else stacks.set(key, { frames: path, weight });
    };
    // Depth-first with an explicit stack: call chains can be deeper than our own stack allows.
    const todo: { path: number[]; weight: number }[] = roots.map((r) => ({ path: [r], weight: inclusive[r] }));
    while (todo.length > 0 && stacks.size <= maxStacks) {
      const { path, weight } = todo.pop()!;
      const f = path[path.length - 1];
      const total = inclusive[f];
      if (!(total > 0)) continue;
      emit(path, (weight * self[f]) / total);
      for (const [g, cost] of calls.get(f) ?? []) {
        const w = (weight * cost) / total;
        const next = [...path, g];
        if (path.includes(g) || w < threshold) emit(next, w);
        else todo.push({ path: next, weight: w });
      }
    }
    if (stacks.size <= maxStacks || minFraction >= 0.05) break;
    minFraction *= 2;
  }

  // Scale each frame's stacks to its exact self count; a frame no path reached gets one stack,
  // under its heaviest chain of callers.
  const rebuilt = new Array<number>(n).fill(0);
  for (const s of stacks.values()) rebuilt[s.frames[s.frames.length - 1]] += s.weight;
  for (const s of stacks.values()) {
    const leaf = s.frames[s.frames.length - 1];
    s.weight *= self[leaf] / rebuilt[leaf];
  }
  const callerOf = heaviestCallers(calls, n);
  for (let f = 0; f < n; f++) {
    if (self[f] > 0 && rebuilt[f] === 0) {
      const path = [f];
      for (let p = callerOf[f]; p >= 0 && !path.includes(p); p = callerOf[p]) path.unshift(p);
      const key = path.join(',');
      const s = stacks.get(key);
      if (s) s.weight += self[f];
      else stacks.set(key, { frames: path, weight: self[f] });
    }
  }
  return [...stacks.values()].filter((s) => s.weight > 0);
}

function heaviestCallers(calls: Map<number, Map<number, number>>, n: number): number[] {
  const best = new Array<number>(n).fill(-1);
  const cost = new Array<number>(n).fill(0);
  for (const [from, out] of calls)
    for (const [to, c] of out)
      if (c > cost[to]) {
        cost[to] = c;
        best[to] = from;
      }
  return best;
}

/** One callgrind output file as weighted stacks of instructions (unit `count`). */
export function readCallgrind(text: string, options: CallgrindOptions = {}): StackProfile {
  const graph = readCallGraph(text, options);
  return { unit: 'count', frames: graph.frames, stacks: stacksOf(graph, options) };
}

/**
 * A Node.js `--perf-basic-prof` map (`/tmp/perf-PID.map`: `START SIZE NAME`, hex, one code object a
 * line, in the order V8 made them) as a lookup of frames by address. A later entry for the same
 * address wins (V8 reuses freed code space). Names like `JS:*parse /app/x.js:12:3` become frame
 * `parse` in that file at line 12; builtins and stubs keep their own name.
 */
export function perfMapLookup(
  text: string,
  file: (path: string) => string = (p) => p,
): (address: bigint) => ProfileFrame | null {
  const entries: { start: bigint; end: bigint; line: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/i.exec(line.trim());
    if (!m) continue;
    const start = BigInt(`0x${m[1]}`);
    entries.push({ start, end: start + BigInt(`0x${m[2]}`), line: m[3] });
  }
  // Latest first among overlapping entries: sort by start, keep the order of appearance as the tie-break.
  const order = entries
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : b.i - a.i));
  const cache = new Map<bigint, ProfileFrame | null>();
  return (address) => {
    if (cache.has(address)) return cache.get(address)!;
    // The last entry starting at or before the address that covers it, latest written first.
    let lo = 0;
    let hi = order.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (order[mid].start <= address) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let found: (typeof order)[number] | null = null;
    for (let k = at; k >= 0 && k >= at - 64; k--) {
      const e = order[k];
      if (address < e.end && (!found || e.i > found.i)) found = e;
    }
    const frame = found ? jitFrame(found.line, file) : null;
    cache.set(address, frame);
    return frame;
  };
}

/** A frame from a perf map name: `JS:*parse /app/x.js:12:3` → `parse`, `x.js`, line 12. */
export function jitFrame(name: string, file: (path: string) => string = (p) => p): ProfileFrame {
  const m = /^(?:JS|LazyCompile|Function|Script):[~*^+-]?(.*?)\s*(\S+):(\d+):(\d+)$/.exec(name);
  if (m) return { name: m[1] || '(anonymous)', file: file(m[2]), line: Number(m[3]) || null };
  const js = /^(?:JS|LazyCompile|Function|Script):[~*^+-]?(.*)$/.exec(name);
  if (js) return { name: js[1].trim() || '(anonymous)', file: '', line: null };
  return { name, file: '', line: null };
}
