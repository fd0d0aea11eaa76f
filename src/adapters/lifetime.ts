/**
 * What this process started that must not outlive it — process trees and git worktrees — and
 * the last-resort cleanup that runs when it exits, however it exits (a normal end, a forced exit
 * at the cancellation deadline, an uncaught error). The normal paths stop and remove these
 * themselves; this catches what they could not reach.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Started process trees: the pid of each root, and whether it is a supervisor (see process.ts). */
const trees = new Map<number, boolean>();
const undoers = new Set<() => void>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
}

/** Registers a process tree rooted at `pid` (its own process group); returns the unregister function. */
export function trackTree(pid: number, supervised: boolean): () => void {
  hook();
  trees.set(pid, supervised);
  return () => trees.delete(pid);
}

/** Registers a synchronous cleanup (e.g. removing a worktree); returns the unregister function. */
export function onExitUndo(fn: () => void): () => void {
  hook();
  undoers.add(fn);
  return () => undoers.delete(fn);
}

/** Process trees still registered (tests and the cancellation path check it is empty). */
export function liveTrees(): number[] {
  return [...trees.keys()];
}

/**
 * Live descendants of `root` by their parent links in /proc (empty without /proc). A process
 * that was reparented away from the tree (double fork) is not found here: that is what the
 * supervisor's subreaper status is for.
 */
export function descendantsOf(root: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const parentOf = new Map<number, number>();
  const live: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parentOf.set(Number(name), Number(fields[1]));
    if (fields[0] !== 'Z' && fields[0] !== 'X') live.push(Number(name));
  }
  return live.filter((pid) => {
    for (let p = pid, hops = 0; parentOf.has(p) && hops < 4096; hops++) {
      p = parentOf.get(p)!;
      if (p === root) return true;
    }
    return false;
  });
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone already
  }
}

/**
 * Kills a tree at once: every descendant, then the root's process group. A supervisor is asked
 * to stop (SIGINT: at once) rather than killed, so that it reaps and kills whatever its
 * descendants started in the meantime, which comes back to it as their subreaper.
 */
export function killTreeNow(pid: number, supervised: boolean): void {
  for (const d of descendantsOf(pid)) kill(d, 'SIGKILL');
  if (supervised) kill(pid, 'SIGINT');
  else kill(-pid, 'SIGKILL');
}

/** Kills every registered tree and runs every registered cleanup, synchronously. Idempotent. */
export function cleanupNow(): void {
  for (const [pid, supervised] of trees) killTreeNow(pid, supervised);
  trees.clear();
  for (const fn of undoers) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
  undoers.clear();
}
