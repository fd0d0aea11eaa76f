/**
 * The client side of supervisor.py (shipped next to the bundle): one long-lived `serve` process
 * per perfgate process runs every command (builds, samples, warm-ups, servers, profiled runs),
 * so a sample costs a fork, not a python start-up; `watch` processes watch checkouts (see
 * checkout-watch.ts).
 *
 * Every command carries `PERFGATE_TREE=<run token>-<command id>` in its environment, a
 * fixed-length value (base and head get environments of the same size). Whatever a command
 * starts inherits it, so /proc/PID/environ finds a command's processes wherever they were
 * re-parented — after a command killed its runner and the supervisor too, say.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, existsSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { carrying, describeProcess } from './procfs';

/** The environment variable that marks a command's processes. */
export const TREE_VARIABLE = 'PERFGATE_TREE';
/** This process's token: random, so no other perfgate's processes (or leftovers) match. */
export const runToken = randomBytes(8).toString('hex');
let commands = 0;

/** How many commands this process started (tags issued). */
export const commandsStarted = (): number => commands;

/** A fresh tag for one command: `<run token>-<8 digits>`, always the same length. */
export function newTag(): string {
  commands++;
  return `${runToken}-${String(commands).padStart(8, '0')}`;
}

/**
 * Path of supervisor.py: next to this module in the sources, next to the bundle in dist/ (the
 * `bundle` script copies it there, and `check-dist` compares it).
 */
export const SUPERVISOR_PY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'supervisor.py');

let pythonPath: string | null | undefined;

/**
 * The python3 interpreter, or null when absent. Asked once for its own path, so that a version
 * manager's shim (pyenv, asdf: a shell script) is not run again in front of every start.
 */
export function python(): string | null {
  if (pythonPath === undefined) {
    pythonPath = null;
    if (process.platform === 'linux')
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

/** The name of signal number `n` (`SIGKILL`), or `signal N`. */
export function signalName(n: number): string {
  const found = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return found ? found[0] : `signal ${n}`;
}

/** Encodes one frame: the payload's length, a newline, the NUL-separated fields. */
export function frame(fields: readonly (string | number)[]): Buffer {
  const payload = Buffer.from(fields.map(String).join('\0'));
  return Buffer.concat([Buffer.from(`${payload.length}\n`), payload]);
}

/** Splits a stream of frames into their fields. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  feed(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: string[][] = [];
    for (;;) {
      const newline = this.buffer.indexOf(10);
      if (newline < 0) break;
      const size = Number(this.buffer.toString('latin1', 0, newline));
      const end = newline + 1 + size;
      if (this.buffer.length < end) break;
      out.push(this.buffer.toString('utf8', newline + 1, end).split('\0'));
      this.buffer = this.buffer.subarray(end);
    }
    return out;
  }
}

/**
 * Runs supervisor.py as `__main__`, compiled from a string rather than run as a script: the
 * parser's memory is then plain heap that the supervisor returns to the system (malloc_trim), so
 * the runners it forks — whose memory is the floor of every `rss` they report — stay as small as
 * a bare python with ctypes (about 1.5 MB less than when run as a script).
 */
const BOOT =
  'import sys; del sys.argv[0]; p = sys.argv[0]; exec(compile(open(p, "rb").read(), p, "exec"), {"__name__": "__main__"})';

/** Starts `supervisor.py MODE` as a child of this process (detached: its own session). */
export function startPython(mode: 'serve' | 'watch'): ChildProcess | null {
  const py = python();
  if (!py) return null;
  // Nothing of perfgate's environment: commands get theirs in each request.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  };
  return spawn(py, ['-I', '-S', '-c', BOOT, SUPERVISOR_PY, mode, String(process.pid)], {
    detached: true,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** How a supervised command ended. */
export type CommandOutcome =
  | {
      kind: 'exit';
      /** Seconds from fork to exit, taken by the runner. */
      wallS: number;
      /** User + system CPU seconds of the command and the descendants it waited for. */
      cpuS: number;
      /** Peak resident set of the largest process of the tree, KiB. */
      rssKiB: number;
      /** Exit code, or minus the signal number that killed the shell. */
      code: number;
      /** Processes it left running (up to 3 named); they were killed. */
      left: string[];
    }
  | {
      kind: 'lost';
      /** What happened to its supervision, e.g. "its supervisor (pid 4242) was killed by signal 9". */
      how: string;
      /** What it had started (up to 3 named); killed. */
      left: string[];
    };

export interface CommandSpec {
  shell: string;
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  graceS: number;
  /** The command's PERFGATE_TREE value (see `newTag`). */
  tag: string;
}

/** A command the supervisor started. */
export interface Launched {
  /** The runner: it leads the command's process group; signal it to stop the command. */
  pid: number;
  stdout: Socket;
  stderr: Socket;
  outcome: Promise<CommandOutcome>;
}

interface Pending {
  spec: CommandSpec;
  fifos?: (paths: [string, string]) => void;
  started?: (pid: number) => void;
  failed: (error: Error) => void;
  settle?: (outcome: CommandOutcome) => void;
  pid?: number;
  settled?: CommandOutcome;
}

/**
 * Kills, at once, every process that carries `prefix` in PERFGATE_TREE (a command's tag, or the
 * run token for all of them); returns up to 3 of their names.
 */
export function killCarriers(prefix: string): string[] {
  const names: string[] = [];
  for (let pass = 0; pass < 20; pass++) {
    const found = carrying(TREE_VARIABLE, prefix);
    if (found.length === 0) break;
    for (const p of found) {
      if (names.length < 3 && !names.some((n) => n.endsWith(`(pid ${p.pid})`))) names.push(describeProcess(p.pid));
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  return names;
}

/** One `supervisor.py serve` process and the commands it runs. */
export class Supervisor {
  private static current: Supervisor | null = null;
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, Pending>();
  private readonly ready: Promise<void>;
  private dead = false;
  private stderr = '';
  private tmp: string | null = null;
  private ids = 0;
  private starting = true;

  private constructor(child: ChildProcess) {
    this.child = child;
    const reader = new FrameReader();
    let hello: () => void;
    let failed: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      hello = resolve;
      failed = reject;
    });
    this.ready.catch(() => {});
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const fields of reader.feed(chunk)) {
        if (fields[0] === 'hello') {
          this.tmp = fields[2];
          this.starting = false;
          this.idle();
          hello();
        } else this.onFrame(fields);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.on('error', (error) => {
      failed(new Error(`perfgate's supervisor could not be started: ${error.message}`));
      this.onExit(null, null);
    });
    child.on('exit', (code, signal) => {
      failed(
        new Error(
          `perfgate's supervisor (${SUPERVISOR_PY}) exited at start (${signal ?? `code ${code}`}): ${this.stderr.trim()}`,
        ),
      );
      this.onExit(code, signal);
    });
    this.idle();
  }

  /** The running supervisor, started (again) when needed; null without python3 (or off Linux). */
  static async get(): Promise<Supervisor | null> {
    if (Supervisor.current === null || Supervisor.current.dead) {
      const child = startPython('serve');
      if (!child) return null;
      Supervisor.current = new Supervisor(child);
    }
    const s = Supervisor.current;
    await s.ready;
    return s;
  }

  /** Asks the running supervisor to stop its commands and exit (tests; perfgate's exit does it anyway). */
  static shutdown(): void {
    const s = Supervisor.current;
    Supervisor.current = null;
    if (s && !s.dead) s.child.stdin?.end(frame(['quit']));
  }

  /** The supervisor's pid (tests, benchmarks). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Keeps perfgate's event loop alive only while commands are pending. */
  private idle(): void {
    const busy = (this.starting || this.pending.size > 0) && !this.dead;
    for (const handle of [this.child, this.child.stdout, this.child.stdin, this.child.stderr] as const) {
      const h = handle as { ref?: () => void; unref?: () => void } | null;
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  }

  private send(fields: (string | number)[]): void {
    this.child.stdin!.write(frame(fields));
  }

  private onFrame(fields: string[]): void {
    const [kind, id] = fields;
    const p = this.pending.get(id);
    if (!p) return;
    switch (kind) {
      case 'fifos':
        p.fifos?.([fields[2], fields[3]]);
        break;
      case 'started':
        p.pid = Number(fields[2]);
        p.started?.(p.pid);
        break;
      case 'error':
        p.failed(new Error(fields[2]));
        this.pending.delete(id);
        this.idle();
        break;
      case 'exit': {
        const [wallS, cpuS, rssKiB, code] = fields.slice(2, 6).map(Number);
        this.settle(id, { kind: 'exit', wallS, cpuS, rssKiB, code, left: fields.slice(6) });
        break;
      }
      case 'lost': {
        const how = /^signal (\d+)$/.exec(fields[2]);
        const left = [...fields.slice(3), ...killCarriers(p.spec.tag)];
        this.settle(id, {
          kind: 'lost',
          how: `the process supervising it (pid ${p.pid ?? '?'}) was ${how ? `killed by ${signalName(Number(how[1]))}` : `ended (${fields[2]})`}`,
          left: [...new Set(left)].slice(0, 3),
        });
        break;
      }
    }
  }

  private settle(id: string, outcome: CommandOutcome): void {
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    p.settled = outcome;
    p.settle?.(outcome);
    this.pending.delete(id);
    this.idle();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.dead) return;
    this.dead = true;
    if (Supervisor.current === this) Supervisor.current = null;
    const how = `perfgate's supervisor (pid ${this.child.pid ?? '?'}) was ${signal ? `killed by ${signal}` : `ended (code ${code})`}`;
    for (const [id, p] of this.pending) {
      if (p.pid === undefined) {
        p.failed(new Error(`${how} before the command started.`));
        this.pending.delete(id);
        continue;
      }
      // Its runner stops the tree (the supervisor's death told it to); anything that got away goes now.
      try {
        process.kill(p.pid, 'SIGINT');
      } catch {
        // gone
      }
      this.settle(id, { kind: 'lost', how, left: killCarriers(p.spec.tag) });
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    this.idle();
  }

  /** Starts a command; resolves once it runs (its output pipes open), rejects when it cannot start. */
  async launch(spec: CommandSpec): Promise<Launched> {
    if (this.dead) throw new Error("perfgate's supervisor is gone");
    const id = String(++this.ids);
    let outcomeResolve!: (o: CommandOutcome) => void;
    const outcome = new Promise<CommandOutcome>((resolve) => (outcomeResolve = resolve));
    const p: Pending = { spec, failed: () => {}, settle: outcomeResolve };
    this.pending.set(id, p);
    this.idle();
    const paths = await new Promise<[string, string]>((resolve, reject) => {
      p.fifos = resolve;
      p.failed = reject;
      const env = Object.entries(spec.env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`);
      this.send(['run', id, spec.shell, spec.command, spec.cwd, spec.graceS, ...env]);
    });
    const open = (path: string) => {
      const socket = new Socket({ fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), readable: true });
      socket.on('error', () => {});
      return socket;
    };
    const stdout = open(paths[0]);
    const stderr = open(paths[1]);
    let pid: number;
    try {
      pid = await new Promise<number>((resolve, reject) => {
        if (p.pid !== undefined) resolve(p.pid);
        p.started = resolve;
        p.failed = reject;
        // A command whose runner died before it reported `started`.
        outcome.then(() => resolve(p.pid ?? -1));
        this.send(['go', id]);
      });
    } catch (error) {
      stdout.destroy();
      stderr.destroy();
      throw error;
    }
    return { pid, stdout, stderr, outcome };
  }
}
