/**
 * Linux /proc readings: the one walk over every process (`processTable`), and what is built on
 * it — the processes that carry an environment entry (how perfgate finds what its commands
 * started wherever it was re-parented), a process group's members, their CPU time, peak and
 * current resident memory, open descriptors and listening sockets. Every function returns null
 * (or nothing) when /proc is not there (macOS, Windows), so callers can degrade.
 *
 * Sources: proc(5) — /proc/PID/stat fields 3 (state), 4 (ppid), 5 (pgrp), 14–17 (utime, stime,
 * cutime, cstime in clock ticks), /proc/PID/environ (the initial environment, NUL-separated;
 * readable for one's own processes), /proc/PID/cmdline, /proc/PID/task/TID/schedstat field 1
 * (time on CPU, ns), /proc/PID/status `VmHWM` / `VmRSS` (kB), /proc/net/tcp{,6} (`st` 0A =
 * LISTEN, `inode`), /proc/PID/fd/* links `socket:[INODE]`. The supervisor (supervisor.py) has
 * the same walk in python.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

let procChecked: boolean | undefined;
export function procAvailable(): boolean {
  procChecked ??= existsSync('/proc/self/stat') && existsSync('/proc/net/tcp');
  return procChecked;
}

let clockTicks: number | undefined;
/** Clock ticks per second (`getconf CLK_TCK`), 100 on virtually every Linux. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), X (dead), … */
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime of the process (all its threads), in clock ticks. */
  ownTicks: number;
  /** cutime + cstime: CPU of its children that it has waited for, in clock ticks. */
  childTicks: number;
}

/** Parses the text of /proc/PID/stat. The command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(pid: number, text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // f[0] is field 3 (state); field N is f[N - 3].
  if (f.length < 15) return null;
  return {
    pid,
    state: f[0],
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    ownTicks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
  };
}

/** Whether a process of this state is running (zombies and dead ones are not). */
export const isLive = (p: ProcStat): boolean => p.state !== 'Z' && p.state !== 'X';

/** The pids in /proc, or null without /proc. */
function pids(): number[] | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

function readStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // exited meanwhile
  }
}

/** Every process, zombies included: the one walk over /proc. Null without /proc. */
export function processTable(): ProcStat[] | null {
  const all = pids();
  if (all === null) return null;
  const out: ProcStat[] = [];
  for (const pid of all) {
    const st = readStat(pid);
    if (st) out.push(st);
  }
  return out;
}

/**
 * The environment entry `NAME=…` of a process (its initial environment, as exec gave it), or
 * null when it has none, is gone, or is not ours to read.
 */
export function environEntry(pid: number, name: string): string | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
  const key = `${name}=`;
  for (const entry of text.split('\0')) if (entry.startsWith(key)) return entry.slice(key.length);
  return null;
}

/**
 * Live processes (but `exclude`) whose environment has `NAME=VALUE` with VALUE starting with
 * `prefix`: wherever they were re-parented, in whatever session or group. Empty without /proc.
 */
export function carrying(name: string, prefix: string, exclude: ReadonlySet<number> = new Set()): ProcStat[] {
  return (processTable() ?? []).filter(
    (p) => isLive(p) && !exclude.has(p.pid) && environEntry(p.pid, name)?.startsWith(prefix) === true,
  );
}

/** `command line (pid N)` of a process, or `? (pid N)` when it has none (exiting). */
export function describeProcess(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').split(/\s+/).join(' ').trim();
    if (text) return `${text.slice(0, 120)} (pid ${pid})`;
  } catch {
    // gone
  }
  return `? (pid ${pid})`;
}

/** Every process in process group `pgid`, zombies included; null without /proc. */
export function listGroup(pgid: number): ProcStat[] | null {
  if (!procAvailable()) return null;
  return processTable()?.filter((p) => p.pgrp === pgid) ?? null;
}

/** Live (non-zombie) members of a process group; null without /proc. */
export function liveGroupMembers(pgid: number): number[] | null {
  const all = listGroup(pgid);
  return all === null ? null : all.filter(isLive).map((p) => p.pid);
}

/**
 * CPU seconds (user + system, including reaped children) used so far by the group's processes.
 * With `pids` (members found earlier by `listGroup`), reads only those processes instead of
 * scanning all of /proc, which takes milliseconds: cheap enough to call while load is running.
 */
export function groupCpuSeconds(pgid: number, pids?: readonly number[]): number | null {
  let members: ProcStat[] | null;
  if (pids === undefined) members = listGroup(pgid);
  else if (!procAvailable()) members = null;
  else members = pids.map(readStat).filter((st): st is ProcStat => st !== null && st.pgrp === pgid);
  if (members === null) return null;
  let seconds = 0;
  for (const p of members) seconds += processCpuSeconds(p);
  return seconds;
}

let schedstatChecked: boolean | undefined;
function schedstatAvailable(): boolean {
  schedstatChecked ??= existsSync(`/proc/self/task/${process.pid}/schedstat`);
  return schedstatChecked;
}

/**
 * CPU seconds of one process and its reaped children. Its own time comes from its threads'
 * schedstat (nanoseconds) when the kernel has it, as utime + stime count whole clock ticks
 * (10 ms): too coarse for short runs. Threads that already exited are then missed, which is
 * fine for servers (their threads live as long as they do).
 */
function processCpuSeconds(p: ProcStat): number {
  const children = p.childTicks / clockTicksPerSecond();
  if (schedstatAvailable() && p.state !== 'Z') {
    try {
      let ns = 0;
      for (const tid of readdirSync(`/proc/${p.pid}/task`)) {
        try {
          ns += Number(readFileSync(`/proc/${p.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        } catch {
          // thread exited meanwhile
        }
      }
      return ns / 1e9 + children;
    } catch {
      // the process exited meanwhile: fall back to what /proc/PID/stat said
    }
  }
  return p.ownTicks / clockTicksPerSecond() + children;
}

/**
 * The largest peak resident set size (VmHWM) among the group's live processes, in bytes,
 * leaving out `exclude` (the supervisor, which is not part of what is measured).
 */
export function groupPeakRssBytes(pgid: number, exclude: number | null = null): number | null {
  const pids = liveGroupMembers(pgid);
  if (pids === null) return null;
  let peak: number | null = null;
  for (const pid of pids) {
    if (pid === exclude) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(text);
    if (m) peak = Math.max(peak ?? 0, Number(m[1]) * 1024);
  }
  return peak;
}

/** Parses /proc/net/tcp or tcp6 text: inodes of sockets listening on `port` (any address). */
export function parseListeningInodes(text: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = f[1];
    const portHex = local.slice(local.lastIndexOf(':') + 1);
    if (f[3] === '0A' && Number.parseInt(portHex, 16) === port) inodes.push(f[9]);
  }
  return inodes;
}

/** Inodes of the TCP sockets listening on `port`; null without /proc. */
export function listeningInodes(port: number): string[] | null {
  if (!procAvailable()) return null;
  const inodes: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      inodes.push(...parseListeningInodes(readFileSync(file, 'utf8'), port));
    } catch {
      // tcp6 is absent when IPv6 is disabled
    }
  }
  return inodes;
}

function holdsSocket(pid: number, wanted: Set<string>): boolean | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null; // not ours to read, or gone
  }
  for (const fd of fds) {
    try {
      if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/**
 * Who holds the socket listening on `port`:
 * - `group`: a process of group `pgid`;
 * - `other`: a process outside it that we can inspect (another server took the port);
 * - `none`: nobody listens there;
 * - `unknown`: a process we cannot inspect (another user's, e.g. a root-owned docker-proxy
 *   forwarding to a container the server command started);
 * - null: this platform has no /proc.
 */
export function listenerOwner(pgid: number, port: number): 'group' | 'other' | 'none' | 'unknown' | null {
  const inodes = listeningInodes(port);
  const members = liveGroupMembers(pgid);
  if (inodes === null || members === null) return null;
  if (inodes.length === 0) return 'none';
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  for (const pid of members) if (holdsSocket(pid, wanted)) return 'group';
  const inGroup = new Set(members);
  for (const p of processTable() ?? []) if (!inGroup.has(p.pid) && holdsSocket(p.pid, wanted)) return 'other';
  return 'unknown';
}

/**
 * Current resident memory (VmRSS) summed over the group's live processes, in bytes, leaving out
 * `exclude` (the supervisor); null without /proc.
 */
export function groupRssBytes(pgid: number, exclude: number | null = null): number | null {
  const pids = liveGroupMembers(pgid);
  if (pids === null) return null;
  let total = 0;
  for (const pid of pids) {
    if (pid === exclude) continue;
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Open file descriptors summed over the group's live processes but `exclude` (the supervisor); null without /proc. */
export function groupOpenFds(pgid: number, exclude: number | null = null): number | null {
  const pids = liveGroupMembers(pgid);
  if (pids === null) return null;
  let total = 0;
  for (const pid of pids) {
    if (pid === exclude) continue;
    try {
      total += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return total;
}
