/**
 * Running shell commands from a checkout as supervised, measured process trees.
 *
 * Every command runs in its own process group (spawned `detached`) under a small python3
 * supervisor (python3 is on every GitHub-hosted runner) that:
 * - is a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`), so descendants that detach (setsid,
 *   double fork) are reparented to it instead of init, and can be found and killed;
 * - kills every descendant once the command ends, and names what it found (a command that
 *   "left a background process running");
 * - stops the whole tree on SIGTERM (SIGTERM, then SIGKILL after a grace period) or at once on
 *   SIGINT or a second signal, and on its own when perfgate dies (`PR_SET_PDEATHSIG`);
 * - reports the command's `wait4` resource usage (user+system CPU of the waited-for tree, peak
 *   RSS) on a pipe the command never inherits (close-on-exec), so nothing the command leaves
 *   behind can hold the report open.
 * Without python3 (or off Linux) the command runs in a bare process group: wall time only, and
 * only processes that stay in the group can be stopped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { killTreeNow, trackTree } from './lifetime';

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
  /** True when the run was stopped through `signal` (cancelled). */
  aborted: boolean;
  /**
   * Processes the command left running when it exited (at most 3 described, e.g. `sleep 60
   * (pid 4242)`); they were killed. Empty when it cleaned up after itself.
   */
  leftBehind: string[];
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
  /** Called with the process-group id once started (tests use it to check nothing is left). */
  onSpawn?: (pgid: number) => void;
}

/**
 * The supervisor (python3). argv: shell, command, grace seconds, perfgate's pid, and `report`
 * to write the usage on fd 3 (one line "wall cpu rssKiB code", then one line per process left
 * behind). Signals are blocked and taken with sigwaitinfo, so there is no window in which one
 * could kill the supervisor and orphan the tree. It runs before every sample, so it starts
 * light: `_signal` (the C module under `signal`, without its enum machinery) and no json.
 */
const SUPERVISOR = String.raw`
import os, sys, time
import _signal as signal
shell, cmd, grace, parent = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
report = 3 if sys.argv[5:] == ['report'] else None
if report is not None:
    os.set_inheritable(report, False)
STOP = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
signal.pthread_sigmask(signal.SIG_BLOCK, STOP | {signal.SIGCHLD})
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)
except Exception:
    pass
me = os.getpid()

def descendants():
    parent_of, live = {}, []
    try:
        names = os.listdir('/proc')
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open('/proc/' + name + '/stat', 'rb') as f:
                stat = f.read()
            fields = stat[stat.rindex(b')') + 2:].split()
            parent_of[int(name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
        if fields[0] not in (b'Z', b'X'):
            live.append(int(name))
    out = []
    for pid in live:
        p, hops = pid, 0
        while p in parent_of and hops < 4096:
            p, hops = parent_of[p], hops + 1
            if p == me:
                out.append(pid)
                break
    return out

def kill_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except OSError:
            pass

def describe(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            text = f.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    except OSError:
        text = ''
    return ' '.join(text.split())[:120] + ' (pid %d)' % pid if text else None

t0 = time.monotonic()
child = os.fork()
if child == 0:
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.execv(shell, [shell, '-c', cmd])
    finally:
        os._exit(127)
if os.getppid() != parent:
    os.kill(child, signal.SIGKILL)
done = {}

def reap():
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == child:
            done.update(status=status, usage=usage, wall=time.monotonic() - t0)

if hasattr(signal, 'sigtimedwait'):
    stopping, deadline = False, None
    while not done:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        info = signal.sigwaitinfo(STOP | {signal.SIGCHLD}) if left is None else signal.sigtimedwait(STOP | {signal.SIGCHLD}, left)
        if info is None:
            kill_all(descendants(), signal.SIGKILL)
            deadline = None
        elif info.si_signo == signal.SIGCHLD:
            reap()
        elif stopping or info.si_signo == signal.SIGINT:
            stopping, deadline = True, None
            kill_all(descendants(), signal.SIGKILL)
        else:
            stopping, deadline = True, time.monotonic() + grace
            kill_all(descendants(), signal.SIGTERM)
else:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP)
    _, status, usage = os.wait4(child, 0)
    done.update(status=status, usage=usage, wall=time.monotonic() - t0)

pids = descendants()
# Named before they are killed, in every pass: a process caught while exiting has no command
# line, but what it started (a double fork) shows up in a later pass.
shown, unnamed = {}, []
until = time.monotonic() + 5
while time.monotonic() < until:
    for p in pids:
        if len(shown) < 3 and p not in shown:
            name = describe(p)
            if name:
                shown[p] = name
            elif p not in unnamed:
                unnamed.append(p)
    kill_all(pids, signal.SIGKILL)
    reap()
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        break
    time.sleep(0.002)
    pids = descendants()
code = os.waitstatus_to_exitcode(done['status'])
if report is not None:
    usage = done['usage']
    left = list(shown.values()) or ['? (pid %d)' % p for p in unnamed[:3]]
    lines = ['%r %r %d %d' % (done['wall'], usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)] + left
    os.write(report, '\n'.join(lines).encode('utf-8', 'replace'))
if code < 0:
    try:
        signal.signal(-code, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [-code])
        os.kill(me, -code)
    except (OSError, ValueError):
        pass
sys.exit(code if code >= 0 else 128 - code)
`;

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
let pythonPath: string | null | undefined;

/**
 * The python3 interpreter, or null when absent (then only wall time is measured). Asked once for
 * its own path, so that a version manager's shim (pyenv, asdf: a shell script) is not run again
 * in front of every command.
 */
function python(): string | null {
  if (pythonPath === undefined) {
    pythonPath = null;
    for (const dir of (process.env.PATH ?? '').split(':')) {
      if (dir && existsSync(`${dir}/python3`)) {
        const real = spawnSync(`${dir}/python3`, ['-I', '-S', '-c', 'import sys; print(sys.executable)'], {
          encoding: 'utf8',
          timeout: 30_000,
        }).stdout?.trim();
        pythonPath = real && existsSync(real) ? real : `${dir}/python3`;
        break;
      }
    }
  }
  return pythonPath;
}

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

export interface TreeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Seconds between SIGTERM and SIGKILL when stopped gracefully. */
  graceS: number;
  /** Open the usage-report pipe as stdio[3]. */
  report?: boolean;
}

/**
 * A shell command running as its own process tree: under the supervisor when python3 is there,
 * else as a bare process group. Registered for the last-resort cleanup until it exits.
 */
export class ProcessTree {
  readonly child: ChildProcess;
  /** Whether the supervisor runs it (else: a bare process group). */
  readonly supervised: boolean;
  private readonly graceS: number;
  private stops = 0;
  private exited = false;

  constructor(command: string, options: TreeOptions) {
    const py = python();
    this.supervised = py !== null;
    this.graceS = options.graceS;
    const stdio = options.report
      ? (['ignore', 'pipe', 'pipe', 'pipe'] as const)
      : (['ignore', 'pipe', 'pipe'] as const);
    this.child = py
      ? spawn(
          py,
          [
            '-I',
            '-S',
            '-c',
            SUPERVISOR,
            SHELL,
            command,
            String(options.graceS),
            String(process.pid),
            ...(options.report ? ['report'] : []),
          ],
          { cwd: options.cwd, env: options.env, detached: true, stdio: [...stdio] },
        )
      : spawn(SHELL, ['-c', command], { cwd: options.cwd, env: options.env, detached: true, stdio: [...stdio] });
    if (this.child.pid) {
      const untrack = trackTree(this.child.pid, this.supervised);
      this.child.once('exit', () => {
        this.exited = true;
        untrack();
        // Whatever is left in the group (only possible without the supervisor) goes too.
        killGroup(this.child.pid, 'SIGKILL');
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Stops the tree: SIGTERM, then SIGKILL after the grace period (the supervisor does both);
   * `urgent` (or a second call) kills at once. If the root has not exited a few seconds after
   * it should have, everything still found under it is killed from here.
   */
  stop(urgent = false): void {
    const pid = this.child.pid;
    if (!pid || this.exited) return;
    this.stops++;
    const now = urgent || this.stops > 1;
    if (this.supervised) signalPid(pid, now ? 'SIGINT' : 'SIGTERM');
    else killGroup(pid, now ? 'SIGKILL' : 'SIGTERM');
    const backstop = setTimeout(
      () => {
        if (!this.exited) killTreeNow(pid, false);
      },
      (now ? 0 : this.graceS * 1000) + 3000,
    );
    backstop.unref();
    this.child.once('exit', () => clearTimeout(backstop));
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone already
  }
}

interface SupervisorReport {
  wall: number;
  cpu: number;
  rssKiB: number;
  code: number;
  left: string[];
}

/** Parses the supervisor's report (see SUPERVISOR); null when it is missing or cut short. */
function parseReport(text: string): SupervisorReport | null {
  const [first, ...left] = text.split('\n');
  const [wall, cpu, rssKiB, code] = (first ?? '').split(' ').map(Number);
  if (![wall, cpu, rssKiB, code].every(Number.isFinite)) return null;
  return { wall, cpu, rssKiB, code, left: left.filter(Boolean) };
}

/**
 * Runs `command` in a shell as a supervised process tree and measures it. Never rejects for
 * the command's own failure (see `exitCode`, `timedOut`, `aborted`, `leftBehind`); rejects only
 * when it cannot be started. Settles only once no process of the tree is left.
 */
export function runMeasured(command: string, options: RunOptions): Promise<MeasuredRun> {
  const tree = new ProcessTree(command, {
    cwd: options.cwd,
    env: childEnv(process.env, options.env),
    graceS: 2,
    report: true,
  });
  const child = tree.child;
  if (child.pid) options.onSpawn?.(child.pid);
  const started = process.hrtime.bigint();
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  const tail = new Tail();
  let report = '';
  let timedOut = false;
  let aborted = false;

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

  // The supervisor exits only after the whole tree is gone, so its pipes close with it; without
  // it, a process that escaped the group could hold them open: stop waiting shortly after the exit.
  child.once('exit', () => {
    setTimeout(() => {
      for (const stream of child.stdio) stream?.destroy();
    }, 2000).unref();
  });

  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const wallNode = Number(process.hrtime.bigint() - started) / 1e9;
      const measured = parseReport(report);
      resolve({
        wallS: measured?.wall ?? wallNode,
        cpuS: measured?.cpu ?? null,
        rssB: measured ? measured.rssKiB * 1024 : null,
        exitCode: measured ? (measured.code >= 0 ? measured.code : null) : code,
        signal: measured && measured.code < 0 ? signalName(-measured.code) : signal,
        timedOut,
        aborted,
        leftBehind: measured?.left ?? [],
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
