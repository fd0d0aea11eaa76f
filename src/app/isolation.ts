/**
 * Side isolation: base and head are checked out side by side, so code of one side can write into
 * the other's checkout (`../head/…`) and make identical commits look different. After every
 * build, warm-up and sample of one side, the other side's tracked state must be what it was after
 * its own last run; otherwise the comparison is void and the side is named. Each side may change
 * its own checkout as it likes.
 */
import { type TrackedState, trackedState } from '../adapters/git';
import type { Side } from '../core/model';

const other = (side: Side): Side => (side === 'base' ? 'head' : 'base');

export class IsolationGuard {
  /** Checks made, and the seconds they took (wall clock), for the log and the benchmark. */
  checks = 0;
  seconds = 0;

  private constructor(
    private readonly checkouts: Record<Side, string>,
    private readonly state: Record<Side, TrackedState>,
  ) {}

  /** Records both checkouts' state as it is now. */
  static async start(checkouts: Record<Side, string>, signal?: AbortSignal): Promise<IsolationGuard> {
    const [base, head] = await Promise.all([
      trackedState(checkouts.base, signal),
      trackedState(checkouts.head, signal),
    ]);
    return new IsolationGuard(checkouts, { base, head });
  }

  /**
   * After a run of `side` (`what`: e.g. `suite "api" (sample)`): null when the other side's
   * checkout is untouched, else the error that names who changed what. Also records `side`'s own
   * state, against which the next run of the other side is checked.
   */
  async after(side: Side, what: string, signal?: AbortSignal): Promise<string | null> {
    const t0 = performance.now();
    const victim = other(side);
    const [theirs, mine] = await Promise.all([
      trackedState(this.checkouts[victim], signal),
      trackedState(this.checkouts[side], signal),
    ]);
    this.checks++;
    this.seconds += (performance.now() - t0) / 1000;
    const before = this.state[victim];
    this.state[side] = mine;
    if (theirs.key === before.key) return null;
    const was = new Set(before.changed);
    const files = [...new Set([...theirs.changed.filter((f) => !was.has(f)), ...theirs.changed])];
    const shown = files.length
      ? ` (${files
          .slice(0, 5)
          .map((f) => `"${f}"`)
          .join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''})`
      : ' (its commit or index)';
    return (
      `The ${side} side changed tracked files of the ${victim} checkout${shown} during ${what}. ` +
      `Code of one side must never write into the other side's checkout (e.g. "../${victim}/…"): the two sides are ` +
      'no longer what was committed, so the comparison was stopped and nothing is reported as a regression.'
    );
  }
}
