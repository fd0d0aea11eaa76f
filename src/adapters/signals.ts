/**
 * Cancellation by signal. A runner cancels a job with SIGINT, then SIGTERM about 7.5 s later,
 * then SIGKILL; a terminal sends SIGINT on Ctrl-C. On the first SIGINT or SIGTERM the run's
 * AbortSignal fires: every long operation stops its processes, the worktrees are removed and
 * the run reports what it measured so far as "cancelled — not a verdict". Should that not be
 * done within the deadline (or on a second signal), the last-resort cleanup kills every process
 * tree and removes the worktrees synchronously, and the process exits.
 */
import { cleanupNow } from './lifetime';

/** The reason of an abort caused by a signal. */
export class CancelledError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`perfgate was cancelled (${signal})`);
    this.name = 'CancelledError';
  }
}

/** The signal that cancelled a run, or null when `signal` was not aborted by one. */
export function cancelledBy(signal: AbortSignal | undefined): NodeJS.Signals | null {
  if (!signal?.aborted) return null;
  return signal.reason instanceof CancelledError ? signal.reason.signal : 'SIGINT';
}

export interface CancellationOptions {
  /** Milliseconds from the first signal to the forced exit (default 4000: runners wait 7.5 s, we promise 5). */
  deadlineMs?: number;
  /** Runs synchronously right before a forced exit (e.g. writing the `verdict` output). */
  beforeForcedExit?: (signal: NodeJS.Signals) => void;
  /** The exit status of a forced exit. */
  exitCode: (signal: NodeJS.Signals) => number;
  log?: (message: string) => void;
}

export interface Cancellation {
  /** Fires on the first SIGINT or SIGTERM, with a `CancelledError` as its reason. */
  signal: AbortSignal;
  /** Removes the handlers (the signals' default actions apply again). */
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Installs the SIGINT and SIGTERM handlers of a run. */
export function cancelOnSignals(options: CancellationOptions): Cancellation {
  const controller = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const forcedExit = (signal: NodeJS.Signals) => {
    cleanupNow();
    try {
      options.beforeForcedExit?.(signal);
    } finally {
      process.exit(options.exitCode(signal));
    }
  };
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      options.log?.(`${signal} again: stopping now.`);
      forcedExit(signal);
      return;
    }
    options.log?.(
      `${signal} received: stopping every process, removing the worktrees and reporting what was measured.`,
    );
    controller.abort(new CancelledError(signal));
    // Not ref'd: a run that winds down in time exits on its own.
    deadline = setTimeout(() => {
      options.log?.(`Still not done ${(options.deadlineMs ?? 4000) / 1000} s after ${signal}: stopping now.`);
      forcedExit(signal);
    }, options.deadlineMs ?? 4000);
    deadline.unref();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(deadline);
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
