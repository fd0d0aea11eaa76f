/**
 * Side isolation: base and head are checked out side by side, so code of one side can write into
 * the other's checkout (`../head/…`) — its sources, its build output (dist/), its dependencies
 * (node_modules/), its caches — and make identical commits look different. After every build,
 * warm-up and sample of one side, nothing of the other side's checkout (tracked or not, and its
 * HEAD and index) may have been written since the other side's own last run; otherwise the
 * comparison is void and the side is named with the files. Each side may change its own checkout
 * as it likes. Writes outside both checkouts (/tmp, ~/.cache) are not watched.
 *
 * The watching itself is in adapters/checkout-watch.ts (inotify, or a walk of both checkouts).
 */
import { CheckoutWatcher, WatchLostError, type Write } from '../adapters/checkout-watch';
import { gitDirOf } from '../adapters/git';
import type { Side } from '../core/model';

const other = (side: Side): Side => (side === 'base' ? 'head' : 'base');

function show(w: Write): string {
  if (w.path === '') return w.kind;
  if (w.path === '.git:HEAD') return `its checked-out commit (${w.kind})`;
  if (w.path === '.git:index') return `its index (${w.kind})`;
  if (w.path.startsWith('.git:')) return `its git metadata "${w.path.slice(5)}" (${w.kind})`;
  return `"${w.path}" (${w.kind})`;
}

export class IsolationGuard {
  /** Checks made, and the seconds they took (wall clock), for the log and the benchmark. */
  checks = 0;
  seconds = 0;

  private constructor(private readonly watcher: CheckoutWatcher) {}

  /** Starts watching both checkouts as they are now. */
  static async start(checkouts: Record<Side, string>, signal?: AbortSignal): Promise<IsolationGuard> {
    const [base, head] = await Promise.all([gitDirOf(checkouts.base, signal), gitDirOf(checkouts.head, signal)]);
    const watcher = await CheckoutWatcher.start({
      base: { dir: checkouts.base, gitDir: base },
      head: { dir: checkouts.head, gitDir: head },
    });
    return new IsolationGuard(watcher);
  }

  /** How the checkouts are watched, for the log: `inotify (N directories)` or `a walk of both checkouts (why)`. */
  get how(): string {
    const w = this.watcher;
    return w.mode === 'inotify'
      ? `inotify on ${w.directories} directories`
      : `a walk of both checkouts after every run (${w.note})`;
  }

  /**
   * After a run of `side` (`what`: e.g. `suite "api" (sample)`): null when the other side's
   * checkout was not written, else the error that names who wrote what.
   */
  async after(side: Side, what: string): Promise<string | null> {
    const t0 = performance.now();
    const victim = other(side);
    let found: Awaited<ReturnType<CheckoutWatcher['check']>>;
    try {
      found = await this.watcher.check(side);
    } catch (error) {
      if (!(error instanceof WatchLostError)) throw error;
      return (
        `Side isolation stopped during ${what} on the ${side} side: ${error.message} (did the benchmark kill python3 processes?). ` +
        'Writes into the other checkout can no longer be seen, so the comparison was stopped and nothing is reported as a regression.'
      );
    } finally {
      this.checks++;
      this.seconds += (performance.now() - t0) / 1000;
    }
    if (found.count === 0) return null;
    const shown = found.writes.slice(0, 5).map(show).join(', ');
    const more = found.count - Math.min(5, found.writes.length);
    return (
      `The ${side} side wrote into the ${victim} checkout (${shown}${more > 0 ? ` and ${more} more` : ''}) during ${what}. ` +
      `Code of one side must never write into the other side's checkout (e.g. "../${victim}/…"), tracked files or not (dist/, node_modules/, caches): ` +
      'the two sides are no longer what was built from the commits, so the comparison was stopped and nothing is reported as a regression.'
    );
  }

  /** Stops watching. */
  close(): void {
    this.watcher.close();
  }
}
