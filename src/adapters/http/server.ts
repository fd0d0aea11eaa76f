/**
 * Lifecycle of one HTTP server process: pick a free port, spawn the server as a supervised
 * process tree in its own process group (see `ProcessTree`: descendants that detach cannot
 * escape), wait until it answers, make sure the process answering is ours, and stop the whole
 * tree (SIGTERM, then SIGKILL after a grace period) without leaking anything.
 */
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Side } from '../../core/model';
import { ProcessTree } from '../process';
import { listenerOwner, liveGroupMembers } from '../procfs';
import { HttpSuiteError } from './errors';

export interface ServerSpec {
  /** Suite name, for messages. */
  suite: string;
  side: Side;
  /** Shell command that starts the server. */
  command: string;
  cwd: string;
  /** Environment of the server; PORT and HOST are added. */
  env: NodeJS.ProcessEnv;
  /** Path polled until it answers 2xx; a TCP connect when omitted. */
  ready?: string;
  /** Seconds the server may take to become ready. */
  readyTimeout: number;
  /** Seconds between SIGTERM and SIGKILL when stopping (default 3). */
  stopGrace?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Port-in-use messages of common runtimes (Node, Python, Go, Java, Rust). */
const PORT_IN_USE = /EADDRINUSE|address already in use|Address in use|BindException/i;
const MAX_START_ATTEMPTS = 3;
const TAIL_BYTES = 16 * 1024;

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

/**
 * Whether any process of the group is still running. Zombies do not count: a grandchild
 * orphaned by the server is reaped by init, which may take a while (or never, in containers
 * without an init).
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const live = liveGroupMembers(pgid);
  return live === null ? true : live.length > 0;
}

/** A free TCP port on 127.0.0.1: bind port 0, read the port, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not read the port of a probe socket'))));
    });
  });
}

/** GET `path`; resolves the status code, or null when nothing answered. */
function probeHttp(port: number, path: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

function probeTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.setTimeout(2000, () => sock.destroy());
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
    sock.on('close', () => resolve(false));
  });
}

/** One running server process group. */
export class ServerProcess {
  readonly port: number;
  readonly pgid: number;
  /** Set once the server's tree has ended. */
  exit: { code: number | null; signal: string | null; lost: string | null } | null = null;
  private readonly exited: Promise<void>;
  private output = '';
  private stopping: Promise<string | null> | null = null;
  private readonly exitListeners = new Set<() => void>();
  /** Conditions found while starting, as warnings for the replicate. */
  readonly warnings: string[] = [];

  constructor(
    readonly spec: ServerSpec,
    port: number,
    private readonly tree: ProcessTree,
  ) {
    this.port = port;
    const append = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      if (this.output.length > 2 * TAIL_BYTES) this.output = this.output.slice(-TAIL_BYTES);
    };
    tree.stdout.on('data', append);
    tree.stderr.on('data', append);
    this.exited = tree.ended.then(async (end) => {
      // The supervisor's report of the end can come before the last output is read (seen under load:
      // a server not found had an empty tail): wait for both streams to close, at most a second.
      await tree.outputRead(1000);
      this.exit = { code: end.exitCode, signal: end.signal, lost: end.lost };
      if (end.lost)
        this.output += `\n${end.lost}${end.leftBehind.length ? `; killed: ${end.leftBehind.join('; ')}` : ''}\n`;
    });
    this.exited.then(() => {
      for (const l of this.exitListeners) l();
    });
    this.pgid = tree.pid; // the group's leader: the supervisor's runner, or the shell without it
  }

  /** Starts the server's process tree (rejects when it cannot be started at all). */
  static async start(spec: ServerSpec, port: number): Promise<ServerProcess> {
    const tree = await ProcessTree.start(spec.command, {
      cwd: spec.cwd,
      env: { ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
      graceS: spec.stopGrace ?? 3,
    });
    return new ServerProcess(spec, port, tree);
  }

  /** The supervisor's pid when there is one (it is in the group but is not the server). */
  get supervisorPid(): number | null {
    return this.tree.supervised && this.pgid > 0 ? this.pgid : null;
  }

  /** Whether the server's own process (the shell or what it exec'd) is still running. */
  get alive(): boolean {
    return this.exit === null && this.pgid > 0;
  }

  /** Calls `fn` once when the server's process exits; returns an unsubscribe function. */
  onExit(fn: () => void): () => void {
    if (!this.alive) {
      queueMicrotask(fn);
      return () => {};
    }
    this.exitListeners.add(fn);
    return () => this.exitListeners.delete(fn);
  }

  /** The last lines the server printed (stdout and stderr interleaved). */
  tail(lines = 30, chars = 4000): string {
    let text = this.output.slice(-chars);
    const all = text.split('\n');
    if (all.length > lines + 1) text = all.slice(-(lines + 1)).join('\n');
    return text;
  }

  describeExit(): string {
    if (this.pgid <= 0) return 'could not be started';
    if (!this.exit) return 'is running';
    if (this.exit.lost) return `lost its supervision (${this.exit.lost}: did it kill its parent?)`;
    if (this.exit.signal) return `was killed by ${this.exit.signal}`;
    if (this.exit.code === null) return 'could not be started';
    return `exited with code ${this.exit.code}`;
  }

  /**
   * Stops the whole tree: SIGTERM, then SIGKILL after the grace period (at once when the run was
   * cancelled), and waits until no process of it is left. Idempotent. Resolves a warning when
   * something survived.
   */
  stop(): Promise<string | null> {
    this.stopping ??= this.stopTree();
    return this.stopping;
  }

  private async stopTree(): Promise<string | null> {
    if (this.pgid <= 0) return null;
    const urgent = this.spec.signal?.aborted === true;
    const grace = urgent ? 0 : (this.spec.stopGrace ?? 3) * 1000;
    let left: string | null = null;
    if (this.alive || groupAlive(this.pgid)) {
      this.tree.stop(urgent);
      // The tree ends once everything under it is gone; the wait is bounded all the same.
      await Promise.race([this.exited, sleep(grace + 2000, undefined, { ref: false })]);
      if (!(await this.waitGone(100))) {
        this.tree.killNow();
        if (!(await this.waitGone(5000)))
          left = `The ${this.spec.side} server of suite "${this.spec.suite}" (process group ${this.pgid}) survived SIGKILL; check the runner for leftover processes.`;
      }
    }
    await Promise.race([this.exited, sleep(2000, undefined, { ref: false })]);
    this.tree.stdout.destroy();
    this.tree.stderr.destroy();
    return left;
  }

  private async waitGone(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      if (!groupAlive(this.pgid)) return true;
      if (Date.now() >= until) return false;
      await sleep(delay);
    }
  }

  error(message: string, couldBeMissing = false): HttpSuiteError {
    return new HttpSuiteError(
      `The ${this.spec.side} server of suite "${this.spec.suite}" (\`${this.spec.command}\`) ${message}`,
      this.spec.side,
      this.tail(),
      couldBeMissing,
    );
  }
}

type ReadyOutcome = 'ready' | 'exited' | 'timeout';

async function waitReady(server: ServerProcess, spec: ServerSpec): Promise<ReadyOutcome> {
  const deadline = Date.now() + spec.readyTimeout * 1000;
  for (let delay = 20; ; delay = Math.min(delay * 1.5, 250)) {
    spec.signal?.throwIfAborted();
    if (!server.alive) return 'exited';
    const ok =
      spec.ready === undefined
        ? await probeTcp(server.port)
        : ((s) => s !== null && s >= 200 && s < 300)(await probeHttp(server.port, spec.ready));
    if (ok) return server.alive ? 'ready' : 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), undefined, { signal: spec.signal });
  }
}

/**
 * Starts the server and waits until it is ready and verified to be ours. If its port was taken
 * (the server reports EADDRINUSE, or another process answers on it), retries on a fresh port.
 * Throws HttpSuiteError when the server exits, never gets ready, or no port works; rethrows the
 * abort reason on abort. Never leaves a process behind when it throws.
 */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    spec.signal?.throwIfAborted();
    const port = await freePort();
    const started = Date.now();
    let server: ServerProcess;
    try {
      server = await ServerProcess.start(spec, port);
    } catch (err) {
      throw new HttpSuiteError(
        `The ${spec.side} server of suite "${spec.suite}" (\`${spec.command}\`) could not be started: ${(err as Error).message}`,
        spec.side,
        '',
        (err as NodeJS.ErrnoException).code === 'ENOENT',
      );
    }
    let outcome: ReadyOutcome;
    try {
      outcome = await waitReady(server, spec);
    } catch (err) {
      await server.stop();
      throw err;
    }
    const retry = attempt < MAX_START_ATTEMPTS;
    if (outcome === 'ready') {
      // A busy port must never mix up base and head: the listener must belong to our group.
      const owner = listenerOwner(server.pgid, port);
      if (owner === 'unknown' && server.alive)
        server.warnings.push(
          `The ${spec.side} server of suite "${spec.suite}" answers on port ${port} through a process outside its process group that perfgate cannot inspect (e.g. a container's port forwarder), so it could not verify whose server answered, and cpu and rss cover only the processes in the group.`,
        );
      if (owner === 'group' || ((owner === null || owner === 'unknown') && server.alive)) {
        spec.log?.(
          `${spec.side}: server of "${spec.suite}" ready on port ${port} after ${((Date.now() - started) / 1000).toFixed(2)} s`,
        );
        return server;
      }
      await server.stop();
      if (retry) {
        spec.log?.(`${spec.side}: port ${port} is answered by a process that is not ours; retrying on another port`);
        continue;
      }
      throw server.error(
        `did not own the socket listening on port ${port} (another process answered there, or the server daemonized out of its process group) after ${attempt} attempts.`,
      );
    }
    await server.stop();
    if (outcome === 'exited') {
      if (retry && PORT_IN_USE.test(server.tail())) {
        spec.log?.(`${spec.side}: port ${port} was taken when the server started; retrying on another port`);
        continue;
      }
      // An error exit (a missing script, a module not found) is what a server new on head does on base.
      throw server.error(`${server.describeExit()} before it became ready.`, typeof server.exit?.code === 'number');
    }
    const what = spec.ready === undefined ? 'accept a TCP connection' : `answer GET ${spec.ready} with a 2xx status`;
    throw server.error(
      `did not ${what} on port ${port} within ${spec.readyTimeout} s (readyTimeout). Does it listen on $PORT and $HOST?`,
    );
  }
}
