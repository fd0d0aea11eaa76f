/**
 * Writes into a checkout, tracked files or not (dist/, node_modules/, target/, caches): what side
 * isolation needs to know after every run of one side.
 *
 * With python3 on Linux, a `supervisor.py watch` process holds inotify watches on every directory
 * of both checkouts and on their git directories (HEAD, index), one inotify instance per
 * checkout. The kernel queues an event at the write itself, so once a run's processes are gone,
 * its writes are queued: a check reads the queue (nothing to read, nothing to stat) and keeps the
 * watches complete as a side adds directories to its own checkout. Writes through a shared memory
 * mapping are seen as the file being opened for writing.
 *
 * Otherwise (no python3, no inotify, or the watch limit `fs.inotify.max_user_watches` reached), a
 * check walks both checkouts and compares every entry's size, times and inode with the last walk:
 * as complete, but its cost grows with the number of files.
 */
import type { ChildProcess } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Side } from '../core/model';
import { FrameReader, frame, startPython } from './supervisor';

export interface Checkout {
  dir: string;
  /** The worktree's own git directory (its HEAD and index), outside `dir`. */
  gitDir: string;
}

/** One write found: a path relative to the checkout (`.git:NAME` for its git directory) and what happened. */
export interface Write {
  path: string;
  kind: string;
}

export interface CheckResult {
  /** Writes found in the other checkout (up to 10 listed). */
  writes: Write[];
  /** How many paths were written in all. */
  count: number;
}

/** The watching stopped (its process was killed): nothing can be said about the checkouts. */
export class WatchLostError extends Error {}

const other = (side: Side): Side => (side === 'base' ? 'head' : 'base');

/** A checkout's state for the walking fallback: path → type, size, times, inode. */
function fingerprint(checkout: Checkout): Map<string, string> {
  const state = new Map<string, string>();
  const key = (file: string) => {
    try {
      const st = lstatSync(file, { throwIfNoEntry: false });
      return st ? `${st.mode}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}` : 'gone';
    } catch (error) {
      return `unreadable: ${(error as NodeJS.ErrnoException).code}`;
    }
  };
  for (const name of ['HEAD', 'index']) state.set(`.git:${name}`, key(path.join(checkout.gitDir, name)));
  try {
    state.set('.git:HEAD', `${state.get('.git:HEAD')}:${readFileSync(path.join(checkout.gitDir, 'HEAD'), 'utf8')}`);
  } catch {
    // gone: the key says so
  }
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(path.join(checkout.dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      // A directory changes with its entries, which are compared themselves.
      if (e.isDirectory()) {
        state.set(p, 'directory');
        stack.push(p);
      } else state.set(p, key(path.join(checkout.dir, p)));
    }
  }
  return state;
}

function compare(before: Map<string, string>, after: Map<string, string>): CheckResult {
  const writes: Write[] = [];
  let count = 0;
  const note = (p: string, kind: string) => {
    count++;
    if (writes.length < 10) writes.push({ path: p, kind });
  };
  for (const [p, v] of after) {
    const was = before.get(p);
    if (was === v) continue;
    if (was === undefined || was === 'gone') note(p, 'created');
    else if (v === 'gone') note(p, 'deleted');
    else note(p, 'modified');
  }
  for (const p of before.keys()) if (!after.has(p)) note(p, 'deleted');
  return { writes, count };
}

/** Watches both checkouts; `check(side)` after every run of `side`. */
export class CheckoutWatcher {
  /** `inotify` (the watch process) or `walk` (the fallback). */
  mode: 'inotify' | 'walk' = 'inotify';
  /** Why the fallback is used, for the log; null with inotify. */
  note: string | null = null;
  /** Directories watched (inotify), as of the last check. */
  directories = 0;
  private child: ChildProcess | null = null;
  private readonly replies: ((fields: string[]) => void)[] = [];
  private exit: string | null = null;
  private states: Partial<Record<Side, Map<string, string>>> = {};

  private constructor(private readonly checkouts: Record<Side, Checkout>) {}

  /** Starts watching both checkouts as they are now (`walk`: use the fallback; tests and benchmarks). */
  static async start(checkouts: Record<Side, Checkout>, options: { walk?: boolean } = {}): Promise<CheckoutWatcher> {
    const w = new CheckoutWatcher(checkouts);
    if (options.walk) {
      w.fallBack('asked for');
      return w;
    }
    const child = startPython('watch');
    if (!child) {
      w.fallBack('python3 was not found');
      return w;
    }
    w.child = child;
    const reader = new FrameReader();
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const fields of reader.feed(chunk)) w.replies.shift()?.(fields);
    });
    child.stderr!.resume();
    child.on('exit', (code, signal) => {
      w.exit = signal ? `killed by ${signal}` : `ended (code ${code})`;
      for (const reply of w.replies.splice(0)) reply(['gone']);
    });
    child.on('error', () => {});
    child.unref();
    for (const h of [child.stdin, child.stdout, child.stderr] as const)
      (h as unknown as { unref?: () => void } | null)?.unref?.();
    const hello = await w.reply();
    if (hello[0] !== 'hello') {
      w.close();
      w.fallBack(hello[0] === 'unavailable' ? hello[1] : 'the watch process did not start');
      return w;
    }
    for (const side of ['base', 'head'] as const) {
      const c = checkouts[side];
      const r = await w.request(['add', side, c.dir, c.gitDir]);
      if (r[0] === 'added') w.directories += Number(r[2]);
      else {
        w.close();
        w.fallBack(r[0] === 'limit' ? limitNote() : `inotify failed: ${r.slice(2).join(' ') || r[0]}`);
        return w;
      }
    }
    return w;
  }

  /** The next reply; keeps the event loop alive (the process is unref'd) until it comes. */
  private reply(): Promise<string[]> {
    if (this.exit !== null) return Promise.resolve(['gone']);
    const out = this.child!.stdout as unknown as { ref(): void; unref(): void };
    out.ref();
    return new Promise((resolve) =>
      this.replies.push((fields) => {
        if (this.replies.length === 0) out.unref();
        resolve(fields);
      }),
    );
  }

  private request(fields: (string | number)[]): Promise<string[]> {
    if (this.exit !== null) return Promise.resolve(['gone']);
    const pending = this.reply();
    this.child!.stdin!.write(frame(fields));
    return pending;
  }

  private fallBack(why: string): void {
    this.mode = 'walk';
    this.note = why;
    for (const side of ['base', 'head'] as const) this.states[side] = fingerprint(this.checkouts[side]);
  }

  /**
   * After a run of `side`: the writes into the other checkout since the last check. Throws
   * WatchLostError when the watch process was killed (by code of a side, most likely).
   */
  async check(side: Side): Promise<CheckResult> {
    if (this.mode === 'walk') {
      const victim = other(side);
      const now = fingerprint(this.checkouts[victim]);
      const result = compare(this.states[victim]!, now);
      this.states[victim] = now;
      this.states[side] = fingerprint(this.checkouts[side]);
      return result;
    }
    const r = await this.request(['check', side]);
    if (r[0] !== 'checked') throw new WatchLostError(`the process watching the checkouts was ${this.exit ?? 'lost'}`);
    this.directories = Number(r[3]);
    const writes: Write[] = [];
    for (let i = 4; i + 1 < r.length; i += 2) writes.push({ path: r[i], kind: r[i + 1] });
    if (r[1] === 'limit') {
      this.close();
      this.fallBack(limitNote());
    }
    return { writes, count: Number(r[2]) };
  }

  /** Stops the watch process. */
  close(): void {
    const child = this.child;
    this.child = null;
    if (child && this.exit === null) {
      child.stdin?.end(frame(['quit']));
      child.kill('SIGKILL');
    }
  }
}

function limitNote(): string {
  let limit = '?';
  try {
    limit = readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim();
  } catch {
    // not Linux
  }
  return `the checkouts have more directories than inotify may watch (fs.inotify.max_user_watches = ${limit}; raise it with \`sudo sysctl fs.inotify.max_user_watches=524288\`)`;
}
