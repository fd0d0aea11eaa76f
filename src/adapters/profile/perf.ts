/**
 * Linux `perf`: a sampling CPU profile of any program (Go, Rust, C/C++, Python 3.12+), with
 * symbols resolved by `perf script` and source lines by `addr2line`.
 *
 * perf must be installed and allowed to record: `kernel.perf_event_paranoid` ≤ 2 for a user's
 * own processes (Ubuntu's default is 4), or root. perfgate changes no system setting itself; when
 * perf cannot record, the note says what to add to the workflow.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SymbolLocation } from '../../core/profile/perf-script';
import type { ProfileFrame } from '../../core/profile/types';

const execFileAsync = promisify(execFile);

/** Sampling frequency, Hz (an odd number, so it does not beat with timers). */
export const PERF_FREQUENCY = 999;

/** Whether perf can record here, and how. */
export type PerfAvailability = { ok: true; perf: string; userOnly: boolean } | { ok: false; reason: string };

const SETUP_HINT =
  'To profile non-Node.js programs on a GitHub-hosted Ubuntu runner, add a step before perfgate: ' +
  '`sudo apt-get install -y linux-tools-$(uname -r) && sudo sysctl -w kernel.perf_event_paranoid=2`.';

function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function paranoid(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
  } catch {
    return null;
  }
}

/** The events and options of every recording (the probe uses the same, so it tests what will run). */
export function recordArgs(out: string, userOnly: boolean): string[] {
  return [
    'record',
    '-e',
    userOnly ? 'cpu-clock:u' : 'cpu-clock',
    '-F',
    String(PERF_FREQUENCY),
    '-g',
    // Sample times on the clock perfgate measures load windows with.
    '-k',
    'CLOCK_MONOTONIC',
    // No build-id collection: it can take seconds at the end of a recording and is not needed
    // while the binaries are still on disk.
    '-B',
    '-N',
    '-q',
    '-o',
    out,
  ];
}

let cached: Promise<PerfAvailability> | undefined;

/** Finds perf and checks, once, that it can record a process here. */
export function perfAvailability(): Promise<PerfAvailability> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<PerfAvailability> {
  if (process.platform !== 'linux') return { ok: false, reason: 'perf profiles need Linux.' };
  const perf = which('perf');
  if (!perf) return { ok: false, reason: `perf is not installed. ${SETUP_HINT}` };
  const level = paranoid();
  const root = process.getuid?.() === 0;
  if (!root && level !== null && level > 2)
    return {
      ok: false,
      reason: `perf may not record: kernel.perf_event_paranoid is ${level} (at most 2 is needed). ${SETUP_HINT}`,
    };
  const userOnly = !root && (level === null || level > 1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-perf-probe-'));
  try {
    await execFileAsync(perf, [...recordArgs(path.join(dir, 'probe.data'), userOnly), '--', 'true'], {
      timeout: 30_000,
    });
    return { ok: true, perf, userOnly };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const why = (e.stderr || e.message).trim().split('\n').slice(0, 3).join(' ');
    return { ok: false, reason: `perf could not record a test program (${why}). ${SETUP_HINT}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Single-quotes a string for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The shell command that runs `command` under `perf record`, writing `out`. */
export function perfCommand(perf: string, command: string, out: string, userOnly: boolean): string {
  const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  return [perf, ...recordArgs(out, userOnly), '--', shell, '-c', command].map(shellQuote).join(' ');
}

/** Runs `perf script` on a recording and returns its text (fields the parser reads). */
export function perfScript(perf: string, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      perf,
      ['script', '-i', data, '-F', 'comm,pid,tid,time,period,event,ip,sym,symoff,dso', '--no-inline'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= 256 * 1024 * 1024) chunks.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString());
      else reject(new Error(`perf script exited with code ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Fills in source file and line of frames whose binary lies under one of `roots` (the
 * checkouts), with `addr2line` at each function's start address. Best effort: a binary without
 * debug information keeps its own name and no line.
 */
export async function resolveSourceLines(
  frames: ProfileFrame[],
  locations: (SymbolLocation | null)[],
  roots: string[],
  relative: (file: string) => string,
): Promise<void> {
  const addr2line = which('addr2line');
  if (!addr2line) return;
  const byDso = new Map<string, number[]>();
  locations.forEach((loc, i) => {
    if (!loc || !roots.some((r) => loc.dso.startsWith(r + path.sep))) return;
    const list = byDso.get(loc.dso) ?? [];
    list.push(i);
    byDso.set(loc.dso, list);
  });
  for (const [dso, indices] of byDso) {
    try {
      const { stdout } = await execFileAsync(
        addr2line,
        ['-e', dso, ...indices.map((i) => `0x${locations[i]!.start}`)],
        { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      );
      stdout
        .split('\n')
        .slice(0, indices.length)
        .forEach((line, k) => {
          const m = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(line.trim());
          if (!m || m[1] === '??' || m[2] === '0') return;
          frames[indices[k]] = { ...frames[indices[k]], file: relative(m[1]), line: Number(m[2]) };
        });
    } catch {
      // No line information: the frame keeps the binary's name.
    }
  }
}
