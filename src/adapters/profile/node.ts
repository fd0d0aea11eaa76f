/**
 * V8's CPU profiler (and sampling heap profiler) in every Node.js process a command starts.
 *
 * `NODE_OPTIONS` reaches every node process of the command's tree — npm scripts, bin stubs,
 * child processes. It carries `--require` of a small preload that starts the profilers through
 * `node:inspector` and writes a `.cpuprofile` (and `.heapprofile`) when the process exits, the
 * same files `node --cpu-prof` / `--heap-prof` write. Not `--cpu-prof` itself: Node.js rejects it
 * in `NODE_OPTIONS` before 22.x/23.x, and it writes nothing when a server is stopped by SIGTERM,
 * which is how perfgate stops servers. The preload turns SIGTERM/SIGINT/SIGHUP into an orderly
 * exit only when the program has no handler of its own.
 *
 * The preload also turns off V8's function inlining (TurboFan's and Maglev's) in profiled
 * processes: the CPU profiler charges an inlined function's time to the caller it was inlined
 * into, so a benchmark harness's task lambda (or a framework's dispatcher) would take the time of
 * the function that got slower. Profiled runs are never measured samples, so this perturbs nothing
 * that decides.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** V8's sampling interval, µs (its default is 1000; short benchmark commands need finer samples). */
export const SAMPLING_INTERVAL_US = 250;

const PRELOAD = `'use strict';
// perfgate: V8 CPU (and heap) profile of this process, written on exit. Never disturbs the program.
(() => {
  const dir = process.env.PERFGATE_PROFILE_DIR;
  if (!dir) return;
  let inspector, fs, path, threadId = 0, isMainThread = true;
  try {
    inspector = require('node:inspector');
    fs = require('node:fs');
    path = require('node:path');
    ({ threadId, isMainThread } = require('node:worker_threads'));
  } catch { return; }
  const heap = process.env.PERFGATE_HEAP_PROFILE === '1';
  // Inlined functions are charged to their caller by the CPU profiler: keep every function its own frame.
  try {
    const v8 = require('node:v8');
    for (const flag of ['--no-turbo-inlining', '--no-maglev-inlining']) v8.setFlagsFromString(flag);
  } catch {}
  const session = new inspector.Session();
  try {
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: ${SAMPLING_INTERVAL_US} });
    session.post('Profiler.start');
    if (heap) {
      session.post('HeapProfiler.enable');
      session.post('HeapProfiler.startSampling', { samplingInterval: 32768 });
    }
  } catch { return; }
  const name = process.pid + '-' + threadId;
  let done = false;
  const write = (file, data) => {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, file), JSON.stringify(data));
    } catch {}
  };
  process.on('exit', () => {
    if (done) return;
    done = true;
    // Inspector messages of a same-thread session are dispatched synchronously, so this works in 'exit'.
    try {
      session.post('Profiler.stop', (err, res) => { if (!err && res) write(name + '.cpuprofile', res.profile); });
      if (heap) session.post('HeapProfiler.stopSampling', (err, res) => { if (!err && res) write(name + '.heapprofile', res.profile); });
    } catch {}
  });
  if (!isMainThread) return;
  const codes = { SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };
  for (const sig of Object.keys(codes)) {
    process.on(sig, function onSignal() {
      // The program's own handler decides; without one, exit as the signal would, but through 'exit'.
      if (process.listeners(sig).some((l) => l !== onSignal)) return;
      process.exit(128 + codes[sig]);
    });
  }
})();
`;

/** Writes the preload script into `dir` and returns its path. */
export function writePreload(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'perfgate-profile-preload.cjs');
  writeFileSync(file, PRELOAD);
  return file;
}

/** Quotes a path for NODE_OPTIONS (which splits on spaces and honours double quotes). */
function quote(p: string): string {
  return /[\s"\\]/.test(p) ? `"${p.replace(/(["\\])/g, '\\$1')}"` : p;
}

/** The environment additions that profile every node process of a command into `outDir`. */
export function nodeProfilerEnv(
  preload: string,
  outDir: string,
  heap: boolean,
  current: NodeJS.ProcessEnv,
): Record<string, string> {
  const existing = current.NODE_OPTIONS?.trim();
  return {
    NODE_OPTIONS: `${existing ? `${existing} ` : ''}--require ${quote(preload)}`,
    PERFGATE_PROFILE_DIR: outDir,
    PERFGATE_HEAP_PROFILE: heap ? '1' : '0',
  };
}

/** The profiles one run left in `dir`. */
export function nodeProfileFiles(dir: string): { cpu: string[]; heap: string[] } {
  if (!existsSync(dir)) return { cpu: [], heap: [] };
  const files = readdirSync(dir).sort();
  return {
    cpu: files.filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f)),
    heap: files.filter((f) => f.endsWith('.heapprofile')).map((f) => path.join(dir, f)),
  };
}
