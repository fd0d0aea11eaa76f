/**
 * Side isolation: base and head are checked out side by side, so code of one side can write into
 * the other's checkout (`../head/…`) and make identical commits look different. After every
 * build, warm-up and sample of one side, the other side's tracked state must be what it was after
 * its own last run; otherwise the comparison is void and the side is named. Each side may change
 * its own checkout as it likes.
 */
import { changedEntries, listTracked, type TrackedFiles, trackedState } from '../adapters/git';
import type { Side } from '../core/model';

const other = (side: Side): Side => (side === 'base' ? 'head' : 'base');

export class IsolationGuard {
  /** Checks made, and the seconds they took (wall clock), for the log and the benchmark. */
  checks = 0;
  seconds = 0;

  private constructor(
    private readonly tracked: Record<Side, TrackedFiles>,
    private readonly state: Record<Side, Map<string, string>>,
  ) {}

  /** Lists both checkouts' tracked files and records their state as it is now. */
  static async start(checkouts: Record<Side, string>, signal?: AbortSignal): Promise<IsolationGuard> {
    const [base, head] = await Promise.all([listTracked(checkouts.base, signal), listTracked(checkouts.head, signal)]);
    return new IsolationGuard({ base, head }, { base: trackedState(base), head: trackedState(head) });
  }

  /**
   * After a run of `side` (`what`: e.g. `suite "api" (sample)`): null when the other side's
   * checkout is untouched, else the error that names who changed what. Also records `side`'s own
   * state, against which the next run of the other side is checked.
   */
  after(side: Side, what: string): string | null {
    const t0 = performance.now();
    const victim = other(side);
    const theirs = trackedState(this.tracked[victim]);
    this.state[side] = trackedState(this.tracked[side]);
    this.checks++;
    this.seconds += (performance.now() - t0) / 1000;
    const changed = changedEntries(this.state[victim], theirs);
    if (changed.length === 0) return null;
    const shown = changed
      .slice(0, 5)
      .map((f) => (f === 'HEAD' ? 'its checked-out commit' : f === 'index' ? 'its index' : `"${f}"`))
      .join(', ');
    return (
      `The ${side} side changed tracked files of the ${victim} checkout (${shown}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}) during ${what}. ` +
      `Code of one side must never write into the other side's checkout (e.g. "../${victim}/…"): the two sides are ` +
      'no longer what was committed, so the comparison was stopped and nothing is reported as a regression.'
    );
  }
}
