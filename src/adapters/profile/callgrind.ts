/**
 * valgrind's callgrind: exact instruction counts per function and call arc, for suites that count
 * instructions (`instructions:`), so "where the time went" speaks the metric that failed, with
 * no sampling noise.
 *
 * - Every process the command starts is followed (`--trace-children=yes`), each writing
 *   `callgrind.out.PID` into the run's directory.
 * - Node.js processes get `--perf-basic-prof --interpreted-frames-native-stack` in `NODE_OPTIONS`:
 *   V8 then writes `/tmp/perf-PID.map` (the address range and name of every piece of code it
 *   compiles, interpreted functions included), which names the JIT code callgrind only knows by
 *   address. Measured on a Node.js program whose `parseRecords` loop is the work: without the
 *   flags that loop is anonymous "(JIT code)"; with `--perf-basic-prof` its optimized code is
 *   named (26.6 M instructions); with both flags the interpreter's and baseline code's
 *   instructions are named too (54.8 M).
 * - The maps are moved beside the callgrind files (they are part of the raw profile).
 */
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { shellQuote } from './perf';

/** How many times longer a command may run under callgrind than its own timeout (it is slower than cachegrind). */
export const CALLGRIND_SLOWDOWN = 200;

/** V8 flags that name JIT-compiled code for callgrind (both allowed in NODE_OPTIONS). */
export const NODE_SYMBOL_FLAGS = ['--perf-basic-prof', '--interpreted-frames-native-stack'];

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

export function callgrindArgs(dir: string): string[] {
  return [
    '--tool=callgrind',
    '--trace-children=yes',
    '--fair-sched=yes',
    // Recursion levels stay one function (callgrind would otherwise name them fib'2, fib'3 …).
    '--separate-recs=1',
    `--callgrind-out-file=${path.join(dir, 'callgrind.out.%p')}`,
    `--log-file=${path.join(dir, 'valgrind.%p.log')}`,
  ];
}

/** The shell command that runs `command` under callgrind, writing into `dir`. */
export function callgrindCommand(valgrind: string, command: string, dir: string): string {
  return [valgrind, ...callgrindArgs(dir), '--', SHELL, '-c', command].map(shellQuote).join(' ');
}

/** `NODE_OPTIONS` with the symbol flags added to what the command would get. */
export function nodeSymbolOptions(current: NodeJS.ProcessEnv): Record<string, string> {
  const existing = current.NODE_OPTIONS ?? '';
  const missing = NODE_SYMBOL_FLAGS.filter((f) => !existing.split(/\s+/).includes(f));
  return { NODE_OPTIONS: [existing, ...missing].filter(Boolean).join(' ') };
}

/** One process's callgrind file and, for a Node.js process, its perf map. */
export interface CallgrindFile {
  file: string;
  pid: number;
  map: string | null;
}

/**
 * The callgrind files a run wrote into `dir`; each process's `/tmp/perf-PID.map`, when V8 wrote
 * one during this run (not older than `since`, ms since the epoch), is moved beside them.
 */
export function collectCallgrind(dir: string, since: number, mapDir = '/tmp'): CallgrindFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^callgrind\.out\.(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => {
      const pid = Number(m[1]);
      const source = path.join(mapDir, `perf-${pid}.map`);
      let map: string | null = null;
      try {
        if (statSync(source).mtimeMs >= since - 1000) {
          map = path.join(dir, `perf-${pid}.map`);
          copyFileSync(source, map);
          rmSync(source, { force: true });
        }
      } catch {
        map = null; // not a Node.js process
      }
      return { file: path.join(dir, m[0]), pid, map };
    });
}
