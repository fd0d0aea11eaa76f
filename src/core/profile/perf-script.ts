/**
 * Reading the text `perf script` prints for a `perf record -g -e cpu-clock` profile into
 * weighted stacks. Pure: text in, `StackProfile` out.
 *
 * Each sample is a header line and its call chain, leaf first, then a blank line:
 *
 *     prog  31507/31507  847.670008:    1001001 cpu-clock:ppp:
 *     	            115b slow+0x22 (/tmp/perfgate/head/prog)
 *     	            11e3 main+0x20 (/tmp/perfgate/head/prog)
 *
 * (fields `comm,pid,tid,time,period,event,ip,sym,symoff,dso`; the command name may contain
 * spaces). A cpu-clock or task-clock sample's period is the nanoseconds it stands for.
 */

import type { ProfileFrame, StackProfile } from './types';
import { ProfileFormatError } from './v8';

/** Where a frame's function starts, for resolving its source line (`addr2line`). */
export interface SymbolLocation {
  /** The binary or library as perf names it (an absolute path, or `[kernel.kallsyms]`). */
  dso: string;
  /** The function's start address within `dso`, hex without `0x`. */
  start: string;
}

export interface PerfScriptOptions {
  /** Turns a binary's path into a file name (e.g. strips the checkout directory). */
  file?: (dso: string) => string;
  /** Keep only samples taken inside these windows, in µs of the clock perf recorded with (`-k CLOCK_MONOTONIC`). */
  windows?: readonly (readonly [number, number])[];
}

const HEADER = /^\s*(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[\d+\]\s+)?(\d+\.\d+):\s+(\d+)\s+([^\s:]+)(?::\S*)?:?\s*$/;
const FRAME = /^\s+([0-9a-f]+)\s+(.*?)\s+\(([^()]*)\)\s*$/;

/** Reads `perf script` output; `locations[i]` is where frame i's function starts, when perf resolved it. */
export function readPerfScript(
  text: string,
  options: PerfScriptOptions = {},
): { profile: StackProfile; locations: (SymbolLocation | null)[] } {
  const file = options.file ?? ((d: string) => d);
  const frames: ProfileFrame[] = [];
  const locations: (SymbolLocation | null)[] = [];
  const frameIndex = new Map<string, number>();
  const stacks = new Map<string, { frames: number[]; weight: number }>();
  const inWindow = (us: number) => !options.windows || options.windows.some(([a, b]) => us >= a && us <= b);

  let current: { weight: number; keep: boolean; chain: number[] } | null = null;
  let samples = 0;
  const flush = () => {
    if (current?.keep && current.chain.length > 0) {
      const chain = current.chain.reverse(); // perf lists the leaf first
      const key = chain.join(',');
      const s = stacks.get(key);
      if (s) s.weight += current.weight;
      else stacks.set(key, { frames: chain, weight: current.weight });
    }
    current = null;
  };

  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    // A frame line ends with "(dso)"; a header line ends with "event:" (its command name may be indented).
    const frame = FRAME.exec(line);
    if (frame) {
      if (current) addFrame(frame);
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      flush();
      const event = header[6];
      if (!/^(cpu-clock|task-clock)$/.test(event))
        throw new ProfileFormatError(
          `perf script: expected cpu-clock or task-clock samples (record with -e cpu-clock), got "${event}"`,
        );
      samples++;
      current = {
        weight: Number(header[5]) / 1e9,
        keep: inWindow(Number(header[4]) * 1e6),
        chain: [],
      };
    }
  }
  flush();
  if (samples === 0 && text.trim() !== '')
    throw new ProfileFormatError('perf script: no sample header found (expected "comm pid/tid time: period event:")');
  return { profile: { unit: 's', frames, stacks: [...stacks.values()] }, locations };

  function addFrame(frame: RegExpExecArray): void {
    const [, ip, symbol, dso] = frame;
    const plus = /^(.*)\+0x([0-9a-f]+)$/.exec(symbol);
    const name = plus ? plus[1] : symbol;
    const shown = dso === '[kernel.kallsyms]' ? '[kernel]' : file(dso);
    const key = `${name}\u0000${shown}`;
    let i = frameIndex.get(key);
    if (i === undefined) {
      i = frames.length;
      frames.push({ name, file: shown, line: null });
      locations.push(
        plus && name !== '[unknown]' && dso.startsWith('/')
          ? { dso, start: (BigInt(`0x${ip}`) - BigInt(`0x${plus[2]}`)).toString(16) }
          : null,
      );
      frameIndex.set(key, i);
    }
    current!.chain.push(i);
  }
}
