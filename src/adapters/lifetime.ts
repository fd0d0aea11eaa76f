/**
 * What this process started that must not outlive it — process trees and git worktrees — and
 * the last-resort cleanup that runs when it exits, however it exits (a normal end, a forced exit
 * at the cancellation deadline, an uncaught error). The normal paths stop and remove these
 * themselves; this catches what they could not reach: every process that carries this run's
 * token in its environment (see supervisor.ts), wherever it was re-parented.
 */
import { commandsStarted, killCarriers, runToken } from './supervisor';

/** A running process tree (see process.ts). */
export interface Killable {
  /** Kills the whole tree at once, synchronously. */
  killNow(): void;
}

const trees = new Set<Killable>();
const undoers = new Set<() => void>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
}

/** Registers a running process tree; returns the unregister function. */
export function trackTree(tree: Killable): () => void {
  hook();
  trees.add(tree);
  return () => trees.delete(tree);
}

/** Registers a synchronous cleanup (e.g. removing a worktree); returns the unregister function. */
export function onExitUndo(fn: () => void): () => void {
  hook();
  undoers.add(fn);
  return () => undoers.delete(fn);
}

/**
 * Processes started by this run's commands that are still running when no command is (call it
 * at the end of a run): killed, and up to 3 of them named. Every command's end already stops
 * what it started, so these got past that (a command that killed its supervision, say).
 */
export function survivors(): string[] {
  if (trees.size > 0 || commandsStarted() === 0) return [];
  return killCarriers(runToken);
}

/** Kills every registered tree and everything carrying this run's token, runs every registered cleanup; synchronous, idempotent. */
export function cleanupNow(): void {
  for (const tree of trees) tree.killNow();
  trees.clear();
  if (commandsStarted() > 0) killCarriers(runToken);
  for (const fn of undoers) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
  undoers.clear();
}
