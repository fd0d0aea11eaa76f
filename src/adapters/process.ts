/**
 * Running shell commands as measured, isolated process groups.
 *
 * Every command runs in its own process group (spawned `detached`), so a timeout, an abort or
 * the end of a run can stop the whole tree with one signal and nothing is left orphaned. When
 * python3 is available (it is on every GitHub-hosted runner), a tiny wrapper runs the command
 * and reports the child's `wait4` resource usage: user+system CPU of the whole waited-for
 * process tree and its peak resident set. Without python3 only wall time is measured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What one measured run produced. */
export interface MeasuredRun {
  /** Wall-clock seconds from exec to exit. */
  wallS: number;
  /** User+system CPU seconds of the process tree (waited-for descendants), or null if unmeasurable. */
  cpuS: number | null;
  /** Peak resident set size in bytes of the largest process in the tree, or null if unmeasurable. */
  rssB: number | null;
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** Signal name when killed by one. */
  signal: string | null;
  /** True when the run hit its timeout and was killed. */
  timedOut: boolean;
  /** Complete stdout (bounded by `maxStdoutBytes`). */
  stdout: string;
  /** The last lines of stdout and stderr interleaved, for error messages. */
  outputTail: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Kill the process group after this many seconds. */
  timeoutS: number;
  signal?: AbortSignal;
  /** Called with each chunk of output (for live logs). */
  onOutput?: (chunk: string) => void;
  maxStdoutBytes?: number;
  /** Called with the process-group id once started (tests use it to check nothing is left). */
  onSpawn?: (pgid: number) => void;
}

/** Python: fork/exec the command, wait4 it, print timings and rusage as JSON on fd 3. */
const WRAPPER = `
import os, sys, time, json
shell = sys.argv[1]; cmd = sys.argv[2]
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execv(shell, [shell, '-c', cmd])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
code = os.waitstatus_to_exitcode(status)
os.write(3, json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rssKiB": ru.ru_maxrss, "code": code}).encode())
sys.exit(code if code >= 0 else 128 - code)
`;

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
let pythonPath: string | null | undefined;

/** The python3 executable, or null when absent (then only wall time is measured). */
function python(): string | null {
  if (pythonPath === undefined) {
    pythonPath = null;
    for (const dir of (process.env.PATH ?? '').split(':')) {
      if (dir && existsSync(`${dir}/python3`)) {
        pythonPath = `${dir}/python3`;
        break;
      }
    }
  }
  return pythonPath;
}

/**
 * The environment for code from a checkout (builds, benchmarks, servers): ours plus `extra`,
 * without the action's inputs (`INPUT_*`, which hold the GitHub token) and the runner's internal
 * tokens, so code under test — possibly a fork's — never sees them.
 */
export function childEnv(base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('INPUT_') || k === 'ACTIONS_RUNTIME_TOKEN' || k.startsWith('ACTIONS_ID_TOKEN_REQUEST_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Sends a signal to a whole process group; ignores groups that are already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** True while any process of the group is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the last `limit` characters of a stream of text. */
export class Tail {
  private text = '';
  constructor(private readonly limit = 4000) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Runs `command` in a shell in its own process group and measures it. Never rejects for the
 * command's own failure (see `exitCode`, `timedOut`); rejects only when it cannot be started.
 */
export function runMeasured(command: string, options: RunOptions): Promise<MeasuredRun> {
  const py = python();
  const env = childEnv(process.env, options.env);
  const child: ChildProcess = py
    ? spawn(py, ['-c', WRAPPER, SHELL, command], {
        cwd: options.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      })
    : spawn(SHELL, ['-c', command], { cwd: options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) options.onSpawn?.(child.pid);
  const started = process.hrtime.bigint();
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  const tail = new Tail();
  let report = '';
  let timedOut = false;

  child.stdout!.on('data', (b: Buffer) => {
    if (stdoutBytes < maxStdout) stdout.push(b);
    stdoutBytes += b.length;
    const s = b.toString();
    tail.push(s);
    options.onOutput?.(s);
  });
  child.stderr!.on('data', (b: Buffer) => {
    const s = b.toString();
    tail.push(s);
    options.onOutput?.(s);
  });
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => {
    report += b.toString();
  });

  const stop = () => {
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutS * 1000);
  const onAbort = () => stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // Once the command itself has exited, anything it left in its group (a background job holding
  // stdout open, a daemon) is stopped at once, so 'close' is not held up until the timeout.
  child.on('exit', () => killGroup(child.pid, 'SIGKILL'));

  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever the command left running in its group (background jobs) goes too.
      killGroup(child.pid, 'SIGKILL');
      const wallNode = Number(process.hrtime.bigint() - started) / 1e9;
      let measured: { wall: number; cpu: number; rssKiB: number; code: number } | null = null;
      try {
        measured = report ? JSON.parse(report) : null;
      } catch {
        measured = null;
      }
      resolve({
        wallS: measured?.wall ?? wallNode,
        cpuS: measured?.cpu ?? null,
        rssB: measured ? measured.rssKiB * 1024 : null,
        exitCode: measured ? (measured.code >= 0 ? measured.code : null) : code,
        signal: measured && measured.code < 0 ? signalName(-measured.code) : signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString(),
        outputTail: tail.toString(),
      });
    });
  });
}

function signalName(n: number): string {
  const names: Record<number, string> = {
    1: 'SIGHUP',
    2: 'SIGINT',
    6: 'SIGABRT',
    9: 'SIGKILL',
    11: 'SIGSEGV',
    15: 'SIGTERM',
  };
  return names[n] ?? `signal ${n}`;
}
