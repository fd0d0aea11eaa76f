/**
 * Running shell commands from a checkout as supervised, measured process trees.
 *
 * With python3 (on every GitHub-hosted runner) on Linux, every command runs under perfgate's
 * long-lived supervisor (supervisor.py, see supervisor.ts): a runner forked for the command, a
 * child subreaper that leads the command's process group, forks the shell and
 * - measures the shell's `wait4` usage (wall from fork to exit, user+system CPU of the tree it
 *   waited for, peak RSS);
 * - kills every descendant once the shell ends, and names what it found (a command that "left a
 *   background process running"): whatever detaches (setsid, double fork) comes back to it;
 * - stops the whole tree on request (SIGTERM, then SIGKILL after a grace period, or at once), and
 *   on its own when perfgate dies.
 * A command that kills its runner hands its processes to the supervisor, which kills them; one
 * that kills the supervisor too is found by the PERFGATE_TREE entry of its environment. Either
 * way it is reported `lost`, never as a result.
 * Without python3 (or off Linux) the command runs in a bare process group: wall time only, and
 * what it leaves is found by its PERFGATE_TREE entry (on Linux) or its group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { trackTree } from './lifetime';
import {
  type CommandOutcome,
  killCarriers,
  type Launched,
  newTag,
  Supervisor,
  signalName,
  TREE_VARIABLE,
} from './supervisor';

/** What one measured run produced. */
export interface MeasuredRun {
  /** Wall-clock seconds from the command's fork to its exit. */
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
  /** True when the run was stopped through `signal` (cancelled). */
  aborted: boolean;
  /**
   * Processes the command left running when it exited (at most 3 described, e.g. `sleep 60
   * (pid 4242)`); they were killed. Empty when it cleaned up after itself.
   */
  leftBehind: string[];
  /**
   * Set when the command's supervision was killed (e.g. `kill -9 $PPID`): what happened; its
   * processes were found and killed (`leftBehind`). Nothing it measured is a result.
   */
  lost: string | null;
  /** Complete stdout (bounded by `maxStdoutBytes`). */
  stdout: string;
  /** The last lines of stdout and stderr interleaved, for error messages. */
  outputTail: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Stop the process tree after this many seconds. */
  timeoutS: number;
  signal?: AbortSignal;
  /** Called with each chunk of output (for live logs). */
  onOutput?: (chunk: string) => void;
  maxStdoutBytes?: number;
  /** Called with the command's process-group id once started (tests use it to check nothing is left). */
  onSpawn?: (pgid: number) => void;
}

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** Variables no code from a checkout may see: tokens of GitHub and of the runner. */
const SECRET_NAMES = new Set(['GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN', 'ACTIONS_RUNTIME_TOKEN']);
/** `INPUT_*` holds the action's inputs, the token among them. */
const SECRET_PREFIXES = ['INPUT_', 'ACTIONS_ID_TOKEN_REQUEST_'];
/** Secret values (the token input), hidden under any variable name. */
const secretValues = new Set<string>();

function isSecret(name: string, value: string | undefined): boolean {
  if (SECRET_NAMES.has(name.toUpperCase()) || SECRET_PREFIXES.some((p) => name.toUpperCase().startsWith(p)))
    return true;
  if (value) for (const secret of secretValues) if (value.includes(secret)) return true;
  return false;
}

/**
 * Removes secrets from `env` (in place; the entry points pass `process.env` once the inputs are
 * parsed, so not even git or a shell started by a library inherits them) and remembers `values`
 * so that `childEnv` drops any variable that holds one. Values shorter than 8 characters are
 * not treated as secrets (they would match ordinary variables).
 */
export function hideSecrets(env: NodeJS.ProcessEnv, values: readonly (string | null | undefined)[] = []): void {
  for (const v of values) if (v && v.length >= 8) secretValues.add(v);
  const removed = new Set(Object.keys(env).filter((k) => isSecret(k, env[k])));
  for (const k of removed) delete env[k];
  if (env === process.env) scrubInitialEnvironment(removed);
}

/**
 * Overwrites the values of `names` in this process's initial environment block, which
 * `/proc/PID/environ` shows to any process of the same user — code under test included, which
 * only has to walk up its parent chain. Deleting a variable does not erase those bytes. The
 * block is this process's own memory, written through /proc/self/mem (Linux; elsewhere, or if
 * the kernel refuses, nothing happens). Only whole values of the named entries are overwritten,
 * so no other variable changes.
 */
function scrubInitialEnvironment(names: ReadonlySet<string>): void {
  if (names.size === 0) return;
  let fd: number | undefined;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // proc(5): fields 50 and 51 are env_start and env_end; fields[0] is field 3.
    const start = Number(fields[47]);
    const end = Number(fields[48]);
    if (!(start > 0 && end > start && end - start < 1 << 24)) return;
    fd = openSync('/proc/self/mem', 'r+');
    const block = Buffer.alloc(end - start);
    readSync(fd, block, 0, block.length, start);
    let changed = false;
    for (let at = 0; at < block.length; ) {
      const stop = block.indexOf(0, at);
      const next = stop < 0 ? block.length : stop;
      const eq = block.indexOf(0x3d, at); // '='
      if (eq > at && eq < next && names.has(block.toString('utf8', at, eq))) {
        block.fill(0x2a, eq + 1, next); // '*'
        changed = true;
      }
      at = next + 1;
    }
    if (changed) writeSync(fd, block, 0, block.length, start);
  } catch {
    // not Linux, or /proc/self/mem is not writable here: the variables are still gone from env
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The environment for code from a checkout (builds, benchmarks, servers, harnesses): ours plus
 * `extra`, without the action's inputs, GitHub and runner tokens, or any variable holding a
 * secret value, so code under test — possibly a fork's — never sees them.
 */
export function childEnv(base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries({ ...base, ...extra })) if (!isSecret(k, v)) env[k] = v;
  return env;
}

/** Sends a signal to a whole process group; ignores groups that are already gone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
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

export interface TreeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Seconds between SIGTERM and SIGKILL when stopped gracefully. */
  graceS: number;
}

/** How a process tree ended, once none of its processes is left. */
export interface TreeEnd {
  /** Exit code of the shell, or null when a signal killed it (or its supervision was lost). */
  exitCode: number | null;
  /** Name of the signal that killed the shell. */
  signal: string | null;
  /** The supervisor's measurement (wall from fork to exit, CPU, peak RSS); null without it. */
  usage: { wallS: number; cpuS: number; rssB: number } | null;
  /** Wall seconds from start to exit as seen from here (the measurement without the supervisor). */
  wallS: number;
  /** What the command left running (up to 3 named); killed. */
  leftBehind: string[];
  /** See `MeasuredRun.lost`. */
  lost: string | null;
}

/**
 * A shell command running as its own process tree: under the supervisor when python3 is there,
 * else as a bare process group. Registered for the last-resort cleanup until it ends.
 */
export class ProcessTree {
  private stops = 0;
  private done = false;

  private constructor(
    /** Leader of the command's process group: the runner under the supervisor, else the shell. */
    readonly pid: number,
    /** Whether the supervisor runs it (else: a bare process group). */
    readonly supervised: boolean,
    readonly stdout: Readable,
    readonly stderr: Readable,
    /** Settles once no process of the tree is left. */
    readonly ended: Promise<TreeEnd>,
    private readonly tag: string,
    private readonly graceS: number,
  ) {
    const untrack = trackTree(this);
    ended.then(() => {
      this.done = true;
      untrack();
    });
  }

  /**
   * Settles once both output streams have ended or closed, so the last output has been read; or after
   * `boundMs`, since a process that escaped the group (without the supervisor) could hold a pipe open.
   */
  async outputRead(boundMs: number): Promise<void> {
    const read = (stream: Readable) => finished(stream).catch(() => undefined);
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([read(this.stdout), read(this.stderr)]),
      new Promise<void>((resolve) => {
        bound = setTimeout(resolve, boundMs);
      }),
    ]);
    clearTimeout(bound);
  }

  /** Starts `command`; rejects when it cannot be started (no such directory, no shell). */
  static async start(command: string, options: TreeOptions): Promise<ProcessTree> {
    if (!existsSync(options.cwd))
      throw Object.assign(new Error(`spawn ${SHELL} ENOENT: no directory ${options.cwd}`), { code: 'ENOENT' });
    const tag = newTag();
    const env = { ...options.env, [TREE_VARIABLE]: tag };
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    const supervisor = await Supervisor.get();
    if (supervisor) {
      const launched: Launched = await supervisor.launch({
        shell: SHELL,
        command,
        cwd: options.cwd,
        env,
        graceS: options.graceS,
        tag,
      });
      const ended = launched.outcome.then((o) => endOf(o, seconds()));
      return new ProcessTree(launched.pid, true, launched.stdout, launched.stderr, ended, tag, options.graceS);
    }
    const child: ChildProcess = spawn(SHELL, ['-c', command], {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid!;
    const ended = new Promise<TreeEnd>((resolve) => {
      child.once('exit', (code, signal) => {
        const wallS = seconds();
        // Whatever it started and left: by its environment wherever it went, then by its group.
        const leftBehind = killCarriers(tag);
        killGroup(pid, 'SIGKILL');
        resolve({ exitCode: code, signal, usage: null, wallS, leftBehind, lost: null });
      });
    });
    return new ProcessTree(pid, false, child.stdout!, child.stderr!, ended, tag, options.graceS);
  }

  /**
   * Stops the tree: SIGTERM, then SIGKILL after the grace period (the supervisor does both);
   * `urgent` (or a second call) kills at once. If it has not ended a few seconds after it
   * should have, everything carrying its tag is killed from here.
   */
  stop(urgent = false): void {
    if (this.done || this.pid <= 0) return;
    this.stops++;
    const now = urgent || this.stops > 1;
    if (this.supervised) signalPid(this.pid, now ? 'SIGINT' : 'SIGTERM');
    else killGroup(this.pid, now ? 'SIGKILL' : 'SIGTERM');
    const backstop = setTimeout(
      () => {
        if (!this.done) this.killNow();
      },
      (now ? 0 : this.graceS * 1000) + 3000,
    );
    backstop.unref();
    this.ended.then(() => clearTimeout(backstop));
  }

  /** Kills the whole tree at once, synchronously (last-resort cleanup, backstops). */
  killNow(): void {
    if (this.pid > 0) {
      if (this.supervised) signalPid(this.pid, 'SIGINT');
      else killGroup(this.pid, 'SIGKILL');
    }
    killCarriers(this.tag);
  }
}

function endOf(o: CommandOutcome, wallS: number): TreeEnd {
  if (o.kind === 'lost') return { exitCode: null, signal: null, usage: null, wallS, leftBehind: o.left, lost: o.how };
  return {
    exitCode: o.code >= 0 ? o.code : null,
    signal: o.code < 0 ? signalName(-o.code) : null,
    usage: { wallS: o.wallS, cpuS: o.cpuS, rssB: o.rssKiB * 1024 },
    wallS,
    leftBehind: o.left,
    lost: null,
  };
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone already
  }
}

/**
 * Runs `command` in a shell as a supervised process tree and measures it. Never rejects for
 * the command's own failure (see `exitCode`, `timedOut`, `aborted`, `leftBehind`, `lost`);
 * rejects only when it cannot be started. Settles only once no process of the tree is left.
 */
export async function runMeasured(command: string, options: RunOptions): Promise<MeasuredRun> {
  const tree = await ProcessTree.start(command, {
    cwd: options.cwd,
    env: childEnv(process.env, options.env),
    graceS: 2,
  });
  options.onSpawn?.(tree.pid);
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  const tail = new Tail();
  let timedOut = false;
  let aborted = false;

  tree.stdout.on('data', (b: Buffer) => {
    if (stdoutBytes < maxStdout) stdout.push(b);
    stdoutBytes += b.length;
    const s = b.toString();
    tail.push(s);
    options.onOutput?.(s);
  });
  tree.stderr.on('data', (b: Buffer) => {
    const s = b.toString();
    tail.push(s);
    options.onOutput?.(s);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    tree.stop();
  }, options.timeoutS * 1000);
  const onAbort = () => {
    aborted = true;
    tree.stop(true);
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const end = await tree.ended;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // Every process holding the output open is gone, so the pipes close at once; without the
  // supervisor, one that escaped its group could hold them: stop waiting shortly after.
  await tree.outputRead(2000);
  tree.stdout.destroy();
  tree.stderr.destroy();
  return {
    wallS: end.usage?.wallS ?? end.wallS,
    cpuS: end.usage?.cpuS ?? null,
    rssB: end.usage?.rssB ?? null,
    exitCode: end.exitCode,
    signal: end.signal,
    timedOut,
    aborted,
    leftBehind: end.leftBehind,
    lost: end.lost,
    stdout: Buffer.concat(stdout).toString(),
    outputTail: tail.toString(),
  };
}
