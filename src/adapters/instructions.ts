/**
 * Counting the instructions a shell command executes (`instructions:` of a command suite), with
 * valgrind's cachegrind (default) or the CPU's hardware counter through `perf stat`.
 *
 * The command is wrapped, not changed: `valgrind … -- SHELL -c COMMAND` follows every process the
 * shell starts (`--trace-children=yes`; each writes its own count file into a scratch directory
 * outside both checkouts), and `perf stat` counts the whole tree (counters are inherited). Both
 * run under the same process supervisor as every measured command (`runMeasured`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { perfStatCount } from '../core/instructions';
import type { InstructionCounter } from '../core/model';
import { shellQuote } from './profile/perf';

const execFileAsync = promisify(execFile);

/** How many times longer a command may run under cachegrind than its own timeout (a simulated CPU is 20–100× slower). */
export const VALGRIND_SLOWDOWN = 100;
/** `perf stat` costs next to nothing; a little slack only. */
export const PERF_STAT_SLOWDOWN = 2;

/** The step a workflow needs before perfgate to count with valgrind on a GitHub-hosted Ubuntu runner. */
export const VALGRIND_INSTALL = 'sudo apt-get install -y valgrind';

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** Whether a counter can count here. */
export type CounterAvailability = { ok: true; tool: string } | { ok: false; reason: string };

export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

const cache = new Map<InstructionCounter, Promise<CounterAvailability>>();

/** Finds the counter's tool and checks, once per process, that it counts a test program here. */
export function counterAvailability(counter: InstructionCounter): Promise<CounterAvailability> {
  let p = cache.get(counter);
  if (!p) {
    p = counter === 'valgrind' ? probeValgrind() : probeHardware();
    cache.set(counter, p);
  }
  return p;
}

async function probeValgrind(): Promise<CounterAvailability> {
  const valgrind = which('valgrind');
  if (!valgrind)
    return {
      ok: false,
      reason: `valgrind is not installed (it counts the instructions): add a step before perfgate, \`${VALGRIND_INSTALL}\` on Debian and Ubuntu (elsewhere, the valgrind package).`,
    };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-valgrind-probe-'));
  try {
    await execFileAsync(valgrind, [...cachegrindArgs(dir), '--', 'true'], { timeout: 60_000 });
    const counts = readCachegrindDir(dir);
    if (counts.length === 0) return { ok: false, reason: 'valgrind ran a test program but wrote no count.' };
    return { ok: true, tool: valgrind };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const why = (e.stderr || e.message).trim().split('\n').slice(-3).join(' ');
    return { ok: false, reason: `valgrind could not count a test program here (${why}).` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HARDWARE_HINT =
  'Hardware counters are missing on most virtual machines, GitHub-hosted runners included; count with `instructions: true` (valgrind) there, or on a self-hosted runner whose kernel offers them (perf installed, kernel.perf_event_paranoid ≤ 2).';

async function probeHardware(): Promise<CounterAvailability> {
  const perf = which('perf');
  if (!perf) return { ok: false, reason: `perf is not installed, and it reads the hardware counter. ${HARDWARE_HINT}` };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-perf-stat-probe-'));
  try {
    const out = path.join(dir, 'stat.txt');
    await execFileAsync(perf, [...perfStatArgs(out), '--', 'true'], { timeout: 30_000 });
    const result = perfStatCount(readFileSync(out, 'utf8'));
    return result.ok ? { ok: true, tool: perf } : { ok: false, reason: `${result.reason}. ${HARDWARE_HINT}` };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const why = (e.stderr || e.message).trim().split('\n').slice(0, 3).join(' ');
    return { ok: false, reason: `perf stat could not count a test program (${why}). ${HARDWARE_HINT}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** cachegrind without its cache and branch simulations (instructions only), one count file per process. */
export function cachegrindArgs(dir: string): string[] {
  return [
    '--tool=cachegrind',
    '--cache-sim=no',
    '--branch-sim=no',
    '--trace-children=yes',
    // valgrind runs one thread at a time; its default lock lets a spinning thread (a JIT's or a GC's
    // worker) run for as long as the kernel decides, which moved Node.js counts by 30 % between runs;
    // fair scheduling brought that to 1 %.
    '--fair-sched=yes',
    `--cachegrind-out-file=${path.join(dir, 'cachegrind.out.%p')}`,
    // valgrind's own messages go to files, so the command's stderr (and a harness's stdout) stay its own.
    `--log-file=${path.join(dir, 'valgrind.%p.log')}`,
  ];
}

/** User-space instructions of the whole process tree, as CSV. */
export function perfStatArgs(out: string): string[] {
  return ['stat', '-x', ',', '-e', 'instructions:u', '-o', out];
}

/** The shell command that runs `command` under the counter, writing its counts into `dir`. */
export function countingCommand(counter: InstructionCounter, tool: string, command: string, dir: string): string {
  const args = counter === 'valgrind' ? cachegrindArgs(dir) : perfStatArgs(path.join(dir, 'perf-stat.txt'));
  return [tool, ...args, '--', SHELL, '-c', command].map(shellQuote).join(' ');
}

/** The cachegrind count files in `dir`, as texts. */
export function readCachegrindDir(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('cachegrind.out.'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** The last lines valgrind logged in `dir` (its own errors: an unsupported instruction, a crash), for error messages. */
export function valgrindLogTail(dir: string, lines = 15): string {
  if (!existsSync(dir)) return '';
  const text = readdirSync(dir)
    .filter((f) => f.startsWith('valgrind.') && f.endsWith('.log'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^==\d+== *$/.test(l))
    .slice(-lines)
    .join('\n');
}

/** A scratch directory for one counted run, outside both checkouts. */
export function scratchDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'perfgate-count-'));
}
