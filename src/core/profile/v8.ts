/**
 * Reading V8 profiles — `.cpuprofile` (the CPU profiler's `Profiler.Profile`, as written by
 * `node --cpu-prof` and Chrome DevTools) and `.heapprofile` (the sampling heap profiler's
 * `HeapProfiler.SamplingHeapProfile`, as written by `node --heap-prof`) — into weighted stacks.
 * Pure: parsed JSON in, `StackProfile` out.
 *
 * Formats: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile and
 * …/HeapProfiler/#type-SamplingHeapProfile. `timeDeltas[i]` is the time from sample i−1 (or
 * `startTime`) to sample i, in microseconds of the monotonic clock; sample i is weighted by the
 * time until the next sample (the last by the time until `endTime`), as DevTools does.
 */
import type { ProfileFrame, StackProfile } from './types';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children?: HeapNode[];
}

export interface V8ReadOptions {
  /** Turns a script URL into a file name (e.g. strips the checkout directory). */
  file?: (url: string) => string;
  /** Keep only samples taken inside these windows of the monotonic clock, in µs (e.g. the measured part of a load run). */
  windows?: readonly (readonly [number, number])[];
  /** Drop `(idle)` samples (a server waiting for requests costs nothing). */
  dropIdle?: boolean;
  /** Drop samples with a frame from this script URL anywhere in their stack (the profiler's own code). */
  dropUrl?: string;
}

/** Thrown when a file is not a profile of the expected kind. */
export class ProfileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileFormatError';
  }
}

/** Interns frames so each distinct function gets one index. */
class Frames {
  readonly list: ProfileFrame[] = [];
  private readonly index = new Map<string, number>();
  intern(frame: ProfileFrame): number {
    const key = `${frame.name}\u0000${frame.file}\u0000${frame.line}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(frame);
      this.index.set(key, i);
    }
    return i;
  }
}

/** Stacks with equal frames summed. */
class Stacks {
  private readonly map = new Map<string, { frames: number[]; weight: number }>();
  add(frames: number[], weight: number): void {
    if (!(weight > 0)) return;
    const key = frames.join(',');
    const s = this.map.get(key);
    if (s) s.weight += weight;
    else this.map.set(key, { frames, weight });
  }
  list(): { frames: number[]; weight: number }[] {
    return [...this.map.values()];
  }
}

function frameOf(cf: CallFrame, file: (url: string) => string): ProfileFrame {
  const name = cf.functionName || '(anonymous)';
  return { name, file: cf.url ? file(cf.url) : '', line: cf.lineNumber >= 0 ? cf.lineNumber + 1 : null };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

function isCallFrame(x: unknown): x is CallFrame {
  return (
    isRecord(x) && typeof x.functionName === 'string' && typeof x.url === 'string' && typeof x.lineNumber === 'number'
  );
}

/** Reads a `.cpuprofile` (parsed JSON) into stacks weighted in seconds. */
export function readCpuProfile(data: unknown, options: V8ReadOptions = {}): StackProfile {
  const p = data as CpuProfile;
  if (
    !isRecord(data) ||
    !Array.isArray(p.nodes) ||
    !Array.isArray(p.samples) ||
    !Array.isArray(p.timeDeltas) ||
    typeof p.startTime !== 'number' ||
    typeof p.endTime !== 'number' ||
    p.samples.length !== p.timeDeltas.length
  )
    throw new ProfileFormatError('not a V8 CPU profile (expected nodes, samples, timeDeltas, startTime and endTime)');
  const file = options.file ?? ((u: string) => u);
  const byId = new Map<number, CpuNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    if (!isRecord(n) || typeof n.id !== 'number' || !isCallFrame(n.callFrame))
      throw new ProfileFormatError('a CPU profile node lacks its id or callFrame');
    byId.set(n.id, n);
  }
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const frames = new Frames();
  const stackOf = new Map<number, number[] | null>();
  const stack = (id: number): number[] | null => {
    const cached = stackOf.get(id);
    if (cached !== undefined) return cached;
    const chain: CpuNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node || chain.length > 10_000) break;
      chain.push(node);
    }
    chain.reverse();
    // The root node is V8's "(root)": not a function.
    const path = chain.filter((n, i) => !(i === 0 && n.callFrame.functionName === '(root)'));
    const leaf = path[path.length - 1];
    const result =
      !leaf ||
      (options.dropIdle && leaf.callFrame.functionName === '(idle)') ||
      (options.dropUrl !== undefined && path.some((n) => n.callFrame.url === options.dropUrl))
        ? null
        : path.map((n) => frames.intern(frameOf(n.callFrame, file)));
    stackOf.set(id, result);
    return result;
  };

  const stacks = new Stacks();
  let t = p.startTime;
  const times = p.timeDeltas.map((d) => (t += d));
  const inWindow = (time: number) =>
    !options.windows || options.windows.some(([from, to]) => time >= from && time <= to);
  for (let i = 0; i < p.samples.length; i++) {
    const next = i + 1 < times.length ? times[i + 1] : Math.max(p.endTime, times[i]);
    const weight = Math.max(0, next - times[i]) / 1e6;
    if (!inWindow(times[i])) continue;
    const s = stack(p.samples[i]);
    if (s) stacks.add(s, weight);
  }
  return { unit: 's', frames: frames.list, stacks: stacks.list() };
}

/** Reads a `.heapprofile` (parsed JSON) into stacks weighted in bytes of sampled, still-live allocations. */
export function readHeapProfile(data: unknown, options: Pick<V8ReadOptions, 'file'> = {}): StackProfile {
  if (!isRecord(data) || !isRecord(data.head) || !isCallFrame(data.head.callFrame))
    throw new ProfileFormatError('not a V8 sampling heap profile (expected head.callFrame)');
  const file = options.file ?? ((u: string) => u);
  const frames = new Frames();
  const stacks = new Stacks();
  const walk = (node: HeapNode, path: number[], depth: number) => {
    if (depth > 10_000) return;
    const here = [...path, frames.intern(frameOf(node.callFrame, file))];
    stacks.add(here, node.selfSize);
    for (const c of node.children ?? []) if (isRecord(c) && isCallFrame(c.callFrame)) walk(c, here, depth + 1);
  };
  for (const c of (data.head as unknown as HeapNode).children ?? []) walk(c, [], 0);
  return { unit: 'B', frames: frames.list, stacks: stacks.list() };
}
